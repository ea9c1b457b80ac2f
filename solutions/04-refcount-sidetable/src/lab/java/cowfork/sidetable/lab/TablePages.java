// Lab 04's warm-up, reference answer: a count's table page is (ref / 16 * 8) / 4096, so one page covers 8 KiB of heap.
package cowfork.sidetable.lab;

import java.util.BitSet;

/** Reference answer for lab 04's warm-up (graded by {@code Lab04WarmUpGrader}). */
public final class TablePages {
    private TablePages() {
    }

    /**
     * The indices of the side-table pages holding the counts of {@code refs} (offsets of
     * objects in the heap), each page once. One 4096-byte page holds 512 counts of 8 bytes,
     * one per 16-byte heap granule: the counts of 8192 bytes of heap.
     */
    public static BitSet of(long[] refs) {
        BitSet pages = new BitSet();
        for (long ref : refs) {
            long slotOffset = ref / 16 * 8;
            pages.set(Math.toIntExact(slotOffset / 4096));
        }
        return pages;
    }
}
