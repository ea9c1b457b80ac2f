// What a forked child's read-only workload cost in copied pages, as the kernel reports it: the grep-able line demos print.
package cowfork.experiment;

import cowfork.cow.PageMap;
import cowfork.heap.Heap;
import java.util.BitSet;

/**
 * The page maps of a child that ran a read-only workload, read while it waited, with
 * the counts the demos print.
 *
 * @param strategy       the refcount strategy's name
 * @param objectsTouched how many distinct objects the workload touched
 * @param heapMap        the child's page map of the heap's used pages (from offset 0 to {@link Heap#usedEnd()})
 * @param tableMap       the child's page map of the strategy's own region, or null if it has none
 */
public record SharingReport(String strategy, long objectsTouched, PageMap heapMap, PageMap tableMap) {

    public int heapPages() {
        return heapMap.pages();
    }

    public int heapPagesPrivate() {
        return heapMap.privatePages().size();
    }

    /** Pages of the strategy's table region (0 without one). */
    public int tablePages() {
        return tableMap == null ? 0 : tableMap.pages();
    }

    public int tablePagesPrivate() {
        return tableMap == null ? 0 : tableMap.privatePages().size();
    }

    /** The heap pages (indices from the heap's start) that went private in the child. */
    public BitSet heapPrivatePageSet() {
        return toBitSet(heapMap);
    }

    /** The table pages that went private in the child (empty without a table). */
    public BitSet tablePrivatePageSet() {
        return tableMap == null ? new BitSet() : toBitSet(tableMap);
    }

    private static BitSet toBitSet(PageMap map) {
        BitSet set = new BitSet();
        map.privatePages().forEach(set::set);
        return set;
    }

    /** The grep-able result line. */
    public String line() {
        return "refcounts: strategy=" + strategy + " objects_touched=" + objectsTouched + " heap_pages=" + heapPages()
                + " heap_pages_private=" + heapPagesPrivate() + " table_pages_private=" + tablePagesPrivate();
    }

    @Override
    public String toString() {
        return line();
    }
}
