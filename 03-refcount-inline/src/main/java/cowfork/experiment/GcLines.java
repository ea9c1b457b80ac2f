// The collector's part of every demo: per registered mark placement, one full collection in a forked child and its gc: line.
package cowfork.experiment;

import cowfork.fork.Forker;
import cowfork.heap.Collector;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacement;
import cowfork.heap.MarkPlacements;
import cowfork.support.Sizes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link GcExperiment} once per {@link MarkPlacement} on the class path (chapter
 * order, up to the demo's chapter), each on a fresh heap of the same dataset with {@link GarbageCycles} dropped into it, with
 * the counts of the strategy the placement {@linkplain MarkPlacement.Factory#shippedWith
 * shipped with}, and prints per placement the line
 * {@code gc: marks=PLACEMENT objects_live=N objects_freed=F heap_pages=T heap_pages_private=P side_pages_private=Q}
 * and how it compares with {@link GcPrediction}. The demos of chapters 03, 04 and 05
 * call it; what differs is only which placements their class path holds.
 */
public final class GcLines {
    private GcLines() {
    }

    /** One placement's run: what the child's collection copied and what was predicted. */
    public record Run(MarkPlacement.Factory placement, GcReport report, GcPrediction predicted, String prepared) {
    }

    /** The number of garbage cycles a dataset of {@code size} bytes gets ({@link GarbageCycles#PER_MIB} per MiB, at least 8). */
    public static int cyclesFor(long size) {
        return (int) Math.max(8, size / (1 << 20) * GarbageCycles.PER_MIB);
    }

    /**
     * Runs and prints every registered placement that chapter {@code chapter} or an earlier
     * one introduces ({@link MarkPlacement.Factory#chapter()}): a chapter's demo shows what
     * the reader has met so far, whatever else is on the class path (the launcher puts every
     * module there).
     *
     * @return the runs, in the order printed
     */
    public static List<Run> print(DemoOptions o, int chapter, PrintStream out) {
        List<Run> runs = new ArrayList<>();
        int cycles = cyclesFor(o.size());
        out.println();
        out.printf(Locale.ROOT, "The collector: the same %s dataset, %,d dropped reference cycles that no count frees,"
                + " and one full collection in a forked child, per mark placement:%n", Sizes.format(o.size()), cycles);
        for (MarkPlacement.Factory f : MarkPlacements.all()) {
            if (f.chapter() > chapter) {
                continue;
            }
            Run run = run(f, o.size(), o.seed(), cycles);
            runs.add(run);
            if (!run.prepared().isEmpty()) {
                out.println("  before fork (" + f.name() + "): " + run.prepared());
            }
            out.println(run.report().line());
            out.printf(Locale.ROOT, "  counts %s; predicted %,d heap pages (%,d of them the sweep's frees), %,d side pages"
                            + " and %,d count-table pages (the kernel: %,d): %s%n", f.shippedWith().name(),
                    run.predicted().heapPages().cardinality(), run.predicted().sweepPages().cardinality(),
                    run.predicted().sidePages().cardinality(), run.predicted().countTablePages().cardinality(),
                    run.report().countTablePagesPrivate(),
                    run.report().matches(run.predicted()) ? "matches the kernel, page for page" : "DIFFERS from the kernel");
        }
        return runs;
    }

    /** One placement, measured: build, drop cycles, prepare, predict, fork and collect. */
    public static Run run(MarkPlacement.Factory placement, long size, long seed, int cycles) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(size), placement.shippedWith());
             Collector collector = new Collector(heap, placement)) {
            Dataset data = DatasetBuilder.build(heap, size, seed, DatasetBuilder.Progress.none());
            GarbageCycles.add(heap, data, cycles, seed);
            String prepared = collector.prepareForFork(data.root()); // then the counts' step: Cinder collects, freezes, immortalizes
            String counts = heap.refCounts().prepareForFork(heap);
            prepared = prepared.isEmpty() ? counts : counts.isEmpty() ? prepared : prepared + "; " + counts;
            GcPrediction predicted = GcPrediction.of(collector, data.root());
            Forker forker = Forker.builder().deadline(GcExperiment.COLLECTION_TIMEOUT.plusMinutes(1)).build();
            GcReport report = GcExperiment.run(forker, collector, data.root());
            heap.decref(data.root());
            return new Run(placement, report, predicted, prepared);
        }
    }
}
