// What a forked child's read-only workload cost in copied pages, as the kernel reports it: the grep-able line demos print.
package cowfork.experiment;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
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
    /**
     * How many pages of a region that no code writes may show as private in a forked child:
     * none. Every test in chapters 04 to 06 that claims "nothing was copied here" (the object
     * heap under a side table or immortal counts, the count table of a strategy without one
     * being written) uses this one allowance, whether it reads the kernel's answer from
     * {@code /proc/PID/pagemap} (04, 05) or from {@code /proc/PID/smaps} (06).
     *
     * <p>Why exactly zero. A page goes private in a child only when some process writes it:
     * pagemap's "exclusively mapped" bit is set when the child wrote (and so copied) the page,
     * and smaps counts a page as private when only one process still maps it, which for a
     * page of the shared heap also takes a write, by the child or by every other process
     * that held it. The heap and the count table are mappings of their own (guard pages keep
     * them from merging with a neighbour), so neither reading mixes in other memory; the
     * parent does not touch them while a child is measured, and the heap itself writes
     * nothing on a read. Any slack would only hide a real write: one stray count store is
     * one page.
     */
    public static final int UNWRITTEN_REGION_PRIVATE_PAGES = 0;

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

    /**
     * Pages of the table in use: present in the child's map, so present in the parent at fork
     * (what the table adds to the parent's RSS). The rest of {@link #tablePages()} is reserved
     * address space no count has reached yet. 0 without a table.
     */
    public int tablePagesPresent() {
        return tableMap == null ? 0 : tableMap.pages() - tableMap.count(PageState.NOT_PRESENT);
    }

    /** The heap pages (indices from the heap's start) that went private in the child. */
    public BitSet heapPrivatePageSet() {
        return toBitSet(heapMap);
    }

    /** The table pages that went private in the child (empty without a table). */
    public BitSet tablePrivatePageSet() {
        return tableMap == null ? new BitSet() : toBitSet(tableMap);
    }

    /**
     * Whether the kernel made private exactly the pages {@code predicted} names, page for
     * page, in both regions: no predicted page missing, no other page private.
     */
    public boolean matches(RefCounts.PredictedPages predicted) {
        return heapPrivatePageSet().equals(predicted.heap()) && tablePrivatePageSet().equals(predicted.table());
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
