// One strategy's turn in the comparison: build the dataset, fork for each workload, and keep what the kernel said.
package cowfork.sidetable;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.ObjectGraph;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
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
 * @param predictions   per workload, the pages the strategy itself predicts go private, per region
 *                      ({@link RefCounts#predictPrivatePages}): no name of a strategy is known here
 */
public record StrategyRun(String strategy, HeapStats stats, long buildMillis, int servedItems,
                          Map<String, SharingReport> reports, Map<String, RefCounts.PredictedPages> predictions) {

    /** The workload names, in the order they run. */
    public static final String SERVE = "serve";
    public static final String ONE_IN_512 = "one-in-512-objects";
    public static final String ONE_PER_TABLE_PAGE = "first-in-every-8KiB";
    public static final String ONE_IN_1024 = "one-in-1024-objects";

    /**
     * Builds the dataset ({@code size} bytes from {@code seed}) in a heap with the named
     * strategy, lets the strategy prepare for fork, and, for each workload, forks a child
     * that runs it and measures the child's page maps. The heap is closed before this returns.
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

            ServedItems serve = new ServedItems(data, touch, seed);
            Map<String, long[]> touched = new LinkedHashMap<>();
            touched.put(SERVE, serve.touchedObjects(heap));
            touched.put(ONE_IN_512, SparseTouches.oneIn(everything, SideTableRefCounts.COUNTS_PER_TABLE_PAGE));
            touched.put(ONE_PER_TABLE_PAGE, SparseTouches.firstPerWindow(everything, SideTableRefCounts.HEAP_BYTES_PER_TABLE_PAGE));
            touched.put(ONE_IN_1024, SparseTouches.oneIn(everything, DenseSideTableRefCounts.COUNTS_PER_TABLE_PAGE));

            RefCounts counts = heap.refCounts();
            counts.prepareForFork(heap); // nothing for inline or a side table; an immortal heap would be immortalized here
            Map<String, SharingReport> reports = new LinkedHashMap<>();
            Map<String, RefCounts.PredictedPages> predictions = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> w : touched.entrySet()) {
                long[] refs = w.getValue();
                SharingExperiment.Workload workload = w.getKey().equals(SERVE) ? serve::serve : h -> Workloads.touch(h, refs);
                predictions.put(w.getKey(), counts.predictPrivatePages(heap, refs));
                reports.put(w.getKey(), SharingExperiment.run(forker, heap, workload, refs.length));
            }
            heap.decref(data.root());
            return new StrategyRun(counts.name(), stats, buildMillis, serve.count(), reports, predictions);
        }
    }

    /** The report of workload {@code name}. @throws IllegalArgumentException if it was not run */
    public SharingReport report(String name) {
        SharingReport r = reports.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no workload named '" + name + "'; ran " + reports.keySet());
        }
        return r;
    }

    /** What the strategy predicted for workload {@code name}. @throws IllegalArgumentException if it was not run */
    public RefCounts.PredictedPages prediction(String name) {
        report(name);
        return predictions.get(name);
    }

    /**
     * Whether the kernel's private pages for workload {@code name} equal the strategy's
     * prediction, page for page, in the heap and in the table.
     *
     * @throws IllegalArgumentException if no workload of that name was run
     */
    public boolean matchesPrediction(String name) {
        return report(name).matches(prediction(name));
    }

    /** Pages of the strategy's table present in the parent at fork (what the table adds to the master's RSS), 0 without one. */
    public int tablePagesPresent() {
        return report(SERVE).tablePagesPresent();
    }

    /** Heap plus table pages private in the child that ran workload {@code name}, in bytes. */
    public long privateBytes(String name) {
        SharingReport r = report(name);
        return (long) (r.heapPagesPrivate() + r.tablePagesPrivate()) * cowfork.cow.Region.PAGE_SIZE;
    }
}
