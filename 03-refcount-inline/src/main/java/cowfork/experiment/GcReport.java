// What one full collection in a forked child copied, as the kernel reports it: the grep-able gc: line demos print.
package cowfork.experiment;

import cowfork.cow.PageMap;
import cowfork.heap.Collector;
import java.util.BitSet;

/**
 * The page maps of a child that ran one full collection, read while it waited.
 *
 * @param placement the mark placement's name
 * @param result    what the child's collection did
 * @param heapMap   the child's page map of the heap's used pages (from offset 0 to the bump pointer)
 * @param sideMap   the child's page map of the placement's side region (a bitmap), or null without one
 * @param countTableMap the child's page map of the refcount strategy's table, or null without one: the sweep's
 *                  decrefs of survivors the garbage held write it (not part of the gc: line, which is about marks)
 */
public record GcReport(String placement, Collector.Result result, PageMap heapMap, PageMap sideMap, PageMap countTableMap) {
    public int heapPages() {
        return heapMap.pages();
    }

    public int heapPagesPrivate() {
        return heapMap.privatePages().size();
    }

    /** Pages of the side region (0 without one). */
    public int sidePages() {
        return sideMap == null ? 0 : sideMap.pages();
    }

    public int sidePagesPrivate() {
        return sideMap == null ? 0 : sideMap.privatePages().size();
    }

    /** Pages of the refcount table that went private in the child (0 without one). */
    public int countTablePagesPrivate() {
        return countTableMap == null ? 0 : countTableMap.privatePages().size();
    }

    /** Every page the collection copied: heap, side region and count table. */
    public int pagesPrivate() {
        return heapPagesPrivate() + sidePagesPrivate() + countTablePagesPrivate();
    }

    /** The heap pages that went private in the child. */
    public BitSet heapPrivatePageSet() {
        return toBitSet(heapMap);
    }

    /** The side pages that went private in the child (empty without a side region). */
    public BitSet sidePrivatePageSet() {
        return sideMap == null ? new BitSet() : toBitSet(sideMap);
    }

    /** Whether the kernel made private exactly the pages {@code predicted} names, in both regions, and the counts agree. */
    public boolean matches(GcPrediction predicted) {
        BitSet table = countTableMap == null ? new BitSet() : toBitSet(countTableMap);
        return heapPrivatePageSet().equals(predicted.heapPages()) && sidePrivatePageSet().equals(predicted.sidePages())
                && table.equals(predicted.countTablePages())
                && result.live() == predicted.live() && result.freed() == predicted.freed();
    }

    private static BitSet toBitSet(PageMap map) {
        BitSet set = new BitSet();
        map.privatePages().forEach(set::set);
        return set;
    }

    /** The grep-able result line. */
    public String line() {
        return "gc: marks=" + placement + " objects_live=" + result.live() + " objects_freed=" + result.freed()
                + " heap_pages=" + heapPages() + " heap_pages_private=" + heapPagesPrivate()
                + " side_pages_private=" + sidePagesPrivate();
    }

    @Override
    public String toString() {
        return line();
    }
}
