// Lab 02's warm-up, your file: a region's private pages in one process, from smaps alone.
package cowfork.cow.lab;

import cowfork.cow.Region;

/**
 * YOUR SMAPS COUNT (lab 02's warm-up; 02-cow-demo/LAB.md). pagemap says which pages are
 * private; smaps only how much. Count a child's private pages in a region from
 * {@code /proc/PID/smaps} alone; the grader checks your count against the page map.
 */
public final class SmapsCount {
    private SmapsCount() {
    }

    /**
     * How many of {@code region}'s pages are private to {@code pid}, from
     * {@code /proc/PID/smaps} only.
     *
     * @throws IllegalStateException if the process is gone or maps nothing at the region's address
     */
    public static long privatePages(int pid, Region region) {
        throw new UnsupportedOperationException("lab 02 warm-up: SmapsCount.privatePages is not written: process " + pid
                + "'s private pages in the region are not counted");
    }
}
