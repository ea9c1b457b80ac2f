// Lab 02's warm-up, reference answer: a region's private pages are its Private_Clean + Private_Dirty KiB over 4.
package cowfork.cow.lab;

import cowfork.cow.Region;
import cowfork.cow.Smaps;

/** Reference answer for lab 02's warm-up (graded by {@code Lab02WarmUpGrader}). */
public final class SmapsCount {
    private SmapsCount() {}

    /**
     * How many of {@code region}'s pages are private to {@code pid}: smaps counts, in KiB,
     * the pages of a mapping that only this process maps, clean or dirty.
     *
     * @throws IllegalStateException if the process is gone or maps nothing at the region's address
     */
    public static long privatePages(int pid, Region region) {
        Smaps.Fields f = Smaps.of(pid, region).fields();
        // Clean counts too: a copied page the child has not written since is still its own.
        return (f.privateCleanKb() + f.privateDirtyKb()) * 1024 / Region.PAGE_SIZE;
    }
}
