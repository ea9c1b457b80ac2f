// The prediction a side table makes: which table pages a set of objects' counts sit on (the pages a child's increfs copy).
package cowfork.sidetable;

import java.util.BitSet;

/** Maps objects to the side-table pages holding their counts. */
public final class SideTablePages {
    private SideTablePages() {
    }

    /**
     * The indices of the table pages holding the counts of {@code refs}: the pages a
     * forked child copies when it increfs each of them. Two objects whose counts share a
     * page (any two within the same 8 KiB of heap) count once.
     */
    public static BitSet of(long[] refs) {
        BitSet pages = new BitSet();
        for (long ref : refs) {
            pages.set(Math.toIntExact(SideTableRefCounts.tablePageOf(ref)));
        }
        return pages;
    }
}
