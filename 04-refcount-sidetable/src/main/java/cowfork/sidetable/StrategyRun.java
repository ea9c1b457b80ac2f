// One strategy's turn in the comparison: build the dataset, fork for each workload, and keep what the kernel said.
package cowfork.sidetable;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.ObjectGraph;
import cowfork.heap.RefCountStrategies;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The results of running every workload of the comparison against one strategy, each in
 * its own forked child of the same parent heap.
 *
 * @param strategy      the strategy's name
 * @param stats         the heap after the dataset was built
 * @param buildMillis   how long the build took
 * @param servedItems   how many items the serve workload served
 * @param reports       per workload (in the order run), what the child's page maps showed
 * @param predictions   per workload, the pages the strategy predicts go private (heap pages for
 *                      inline, table pages for the side table), or absent for other strategies
 */
public record StrategyRun(String strategy, HeapStats stats, long buildMillis, int servedItems,
                          Map<String, SharingReport> reports, Map<String, BitSet> predictions) {

    /** The workload names, in the order they run. */
    public static final String SERVE = "serve";
    public static final String ONE_IN_512 = "one-in-512-objects";
    public static final String ONE_PER_TABLE_PAGE = "first-in-every-8KiB";

    /**
     * Builds the dataset ({@code size} bytes from {@code seed}) in a heap with the named
     * strategy and, for each workload, forks a child that runs it and measures the child's
     * page maps. The heap is closed before this returns.
     *
     * @throws IllegalArgumentException if no strategy has that name, or the size is unusable
     * @throws cowfork.fork.ChildFailedException if a workload failed in the child
     */
    public static StrategyRun of(String strategyName, long size, double touch, long seed, Forker forker,
                                 DatasetBuilder.Progress progress) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(size), RefCountStrategies.byName(strategyName))) {
            long t0 = System.nanoTime();
            Dataset data = DatasetBuilder.build(heap, size, seed, progress);
            long buildMillis = (System.nanoTime() - t0) / 1_000_000;
            HeapStats stats = heap.stats();
            long[] everything = ObjectGraph.reachableFrom(heap, data.root());

            ServeItems serve = new ServeItems(data, touch, seed);
            Map<String, long[]> touched = new LinkedHashMap<>();
            touched.put(SERVE, serve.touchedObjects(heap));
            touched.put(ONE_IN_512, SparseTouches.oneIn(everything, SideTableRefCounts.COUNTS_PER_TABLE_PAGE));
            touched.put(ONE_PER_TABLE_PAGE, SparseTouches.firstPerWindow(everything, SideTableRefCounts.HEAP_BYTES_PER_TABLE_PAGE));

            Map<String, SharingReport> reports = new LinkedHashMap<>();
            Map<String, BitSet> predictions = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> w : touched.entrySet()) {
                long[] refs = w.getValue();
                SharingExperiment.Workload workload = w.getKey().equals(SERVE) ? serve::serve : h -> Workloads.touch(h, refs);
                reports.put(w.getKey(), SharingExperiment.run(forker, heap, workload, refs.length));
                BitSet predicted = predict(heap.refCounts().name(), refs);
                if (predicted != null) {
                    predictions.put(w.getKey(), predicted);
                }
            }
            heap.decref(data.root());
            return new StrategyRun(heap.refCounts().name(), stats, buildMillis, serve.items(), reports, predictions);
        }
    }

    /** The pages a strategy writes for {@code refs}: header pages inline, table pages for a side table, null otherwise. */
    static BitSet predict(String strategy, long[] refs) {
        return switch (strategy) {
            case InlineRefCounts.NAME -> ObjectGraph.headerPages(refs);
            case SideTableRefCounts.NAME -> SideTablePages.of(refs);
            default -> null;
        };
    }

    /** The report of workload {@code name}. @throws IllegalArgumentException if it was not run */
    public SharingReport report(String name) {
        SharingReport r = reports.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no workload named '" + name + "'; ran " + reports.keySet());
        }
        return r;
    }

    /** Whether the kernel's private pages for workload {@code name} equal the prediction, page for page (false without one). */
    public boolean matchesPrediction(String name) {
        SharingReport r = report(name);
        BitSet predicted = predictions.get(name);
        if (predicted == null) {
            return false;
        }
        BitSet actual = strategy.equals(SideTableRefCounts.NAME) ? r.tablePrivatePageSet() : r.heapPrivatePageSet();
        BitSet other = strategy.equals(SideTableRefCounts.NAME) ? r.heapPrivatePageSet() : r.tablePrivatePageSet();
        return actual.equals(predicted) && other.isEmpty();
    }

    /** Heap plus table pages private in the child that ran workload {@code name}, in bytes. */
    public long privateBytes(String name) {
        SharingReport r = report(name);
        return (long) (r.heapPagesPrivate() + r.tablePagesPrivate()) * cowfork.cow.Region.PAGE_SIZE;
    }
}
