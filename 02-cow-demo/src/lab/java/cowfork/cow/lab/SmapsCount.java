// Lab 02's warm-up, your file: a mapping's private pages in one process, from smaps alone.
package cowfork.cow.lab;

/**
 * YOUR SMAPS COUNT (lab 02's warm-up; 02-cow-demo/LAB.md). pagemap says which pages are
 * private; smaps only how much. Count a process's private pages in one mapping from
 * {@code /proc/PID/smaps} alone; the grader checks your count against the page map, for pages
 * a child copied and for pages it only read.
 */
public final class SmapsCount {
    private SmapsCount() {
    }

    /**
     * How many pages of the mapping that holds {@code address} are private to {@code pid}
     * (mapped by no other process), from {@code /proc/PID/smaps} only.
     *
     * @throws IllegalStateException if the process is gone or maps nothing at {@code address}
     */
    public static long privatePages(int pid, long address) {
        throw new UnsupportedOperationException("lab 02 warm-up: SmapsCount.privatePages is not written: process " + pid
                + "'s private pages in the mapping at 0x" + Long.toHexString(address) + " are not counted");
    }
}
