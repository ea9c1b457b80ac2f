// Lab 03, your file: predict, from the objects' addresses, which heap pages a reading child copies under inline counts.
package cowfork.heap.lab;

import cowfork.experiment.Dataset;
import cowfork.heap.Heap;
import java.util.BitSet;

/**
 * YOUR PREDICTION (lab 03; the handout is 03-refcount-inline/LAB.md, the grader
 * {@code ./cowfork lab 03}).
 *
 * <p>Under chapter 03's inline counts, a read writes: every incref and decref stores into the
 * object's own header. So before a worker is forked you can say, page for page, which pages of
 * the heap it will copy, from the addresses of the objects its work increfs. Do it for two
 * workloads, a query that sums a field over every item and serving items as JSON, and then for
 * one collection by the chapter's tracing collector. The grader forks a child that really runs
 * each one and compares your pages with the kernel's.
 *
 * <p>Pages are numbered from the heap's start, as the kernel's page map of the heap numbers
 * them: page 0 is the heap's first page. Your prediction must only read the heap: it runs in
 * the parent before the fork, and a count it changed would be a page written by the parent.
 */
public final class CopyPrediction {
    private CopyPrediction() {
    }

    /**
     * The heap pages a forked child copies when it runs
     * {@code Workloads.sumField(heap, dict, field)} once, under inline counts.
     */
    public static BitSet sumField(Heap heap, long dict, String field) {
        throw new UnsupportedOperationException("lab 03: CopyPrediction.sumField is not written: no page is predicted for a"
                + " child that sums '" + field + "'");
    }

    /**
     * The heap pages a forked child copies when it serves, once each, the items of {@code data}
     * at the indices {@code chosen} (ascending) as the chapter's demo does, one item after the
     * other: look it up by its key ({@code Workloads.lookup(heap, data.items(), Dataset.key(i))}),
     * write it as JSON ({@code Json.write}), drop it ({@code heap.decref}).
     */
    public static BitSet serve(Heap heap, Dataset data, int[] chosen) {
        throw new UnsupportedOperationException("lab 03: CopyPrediction.serve is not written: no page is predicted for a"
                + " child that serves " + chosen.length + " items");
    }

    /**
     * The heap pages a forked child copies when it runs one full collection of chapter 03's
     * {@code Collector} from {@code roots}, with the mark bit in each object's header (the
     * placement {@code MarkPlacements.byName("header")}): it marks every object the roots and
     * the heap's singletons reach, then sweeps the heap and frees every object it did not mark.
     */
    public static BitSet collect(Heap heap, long... roots) {
        throw new UnsupportedOperationException("lab 03: CopyPrediction.collect is not written: no page is predicted for a"
                + " child that collects from " + roots.length + " roots");
    }
}
