// Lab 02's warm-up, reference answer: a mapping's private pages are its Private_Clean + Private_Dirty KiB over 4.
package cowfork.cow.lab;

import cowfork.cow.Region;
import cowfork.cow.Smaps;

/** Reference answer for lab 02's warm-up (graded by {@code Lab02WarmUpGrader}). */
public final class SmapsCount {
    private SmapsCount() {}

    /**
     * How many pages of the mapping that holds {@code address} are private to {@code pid}:
     * smaps counts, in KiB, the pages of a mapping that only this process maps, clean or dirty.
     *
     * @throws IllegalStateException if the process is gone or maps nothing at {@code address}
     */
    public static long privatePages(int pid, long address) {
        Smaps.Fields f;
        try {
            f = Smaps.mappingAt(pid, address).fields();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("process " + pid + ": " + e.getMessage(), e);
        }
        // Clean counts too: a file page the process read and nobody else maps is its own, and was never written.
        return (f.privateCleanKb() + f.privateDirtyKb()) * 1024 / Region.PAGE_SIZE;
    }
}
