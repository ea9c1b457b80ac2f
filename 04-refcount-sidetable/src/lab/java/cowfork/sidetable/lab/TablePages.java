// Lab 04's warm-up, your file: which pages of chapter 04's side table hold the counts of a set of objects.
package cowfork.sidetable.lab;

import java.util.BitSet;

/**
 * YOUR PREDICTION (lab 04's warm-up; 04-refcount-sidetable/LAB.md). Chapter 04's side table
 * ({@code SideTableRefCounts}, the strategy named "sidetable") keeps each object's count in a
 * table of 4096-byte pages of its own. From the objects' offsets alone, before any fork, say
 * which table pages a child that reads them will copy; the grader forks and lets the kernel check.
 */
public final class TablePages {
    private TablePages() {
    }

    /**
     * The indices of the table pages (0 = the table's first page) of chapter 04's side table
     * that hold the counts of the objects at {@code refs} (offsets of objects in the heap), each
     * page once. An empty array gives an empty set. Work it out from the class comment of
     * {@code SideTableRefCounts}; do not call that class or {@code SideTablePages}.
     */
    public static BitSet of(long[] refs) {
        throw new UnsupportedOperationException("lab 04 warm-up: TablePages.of is not written: no table page is predicted for "
                + refs.length + " objects");
    }
}
