// ./cowfork demo 03: build a heap in the parent, fork, only read in the child, and watch the refcount writes copy the heap's pages.
package cowfork.experiment;

import cowfork.cow.PageMapPicture;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import cowfork.support.Sizes;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The chapter's demo. The parent builds a dataset (a web app's preloaded catalogue) in a
 * refcounted heap and forks. The child serves a fraction of the items as JSON, as a
 * worker would: look the item up by key, serialise it, drop it. It changes no value. The
 * parent then reads the child's page map of the heap and prints how many pages the child
 * had to copy, the page map picture, and the grep-able line
 * {@code refcounts: strategy=inline objects_touched=N heap_pages=T heap_pages_private=P table_pages_private=0},
 * then checks the strategy's own prediction ({@link RefCounts#predictPrivatePages}) against
 * the kernel, page for page. Then, per mark placement, one full collection of the same
 * dataset with dropped cycles in a forked child, and its {@code gc:} line ({@link GcLines}).
 *
 * <p>{@code --strategy NAME} runs the same experiment with any registered strategy; the
 * demo asks the strategy what to do before fork and what it predicts, never its name.
 * The laboratory it uses (dataset, served items, fork-and-measure) is in
 * {@code cowfork.experiment}, shared with chapters 04 to 06.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        DemoMain.exit(main(args, System.out, System.err));
    }

    /** Runs the demo; returns the exit code (0 ok, 2 bad arguments). */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        return DemoMain.run(args, a -> DemoOptions.parse(a, DemoOptions.Flag.STRATEGY), usage(),
                options -> run(options, out, err), out, err);
    }

    static String usage() {
        return DemoOptions.usage("03", "default 32m; 1g and more for benchmarks", "the child", "--strategy NAME",
                "the refcount strategy (default " + InlineRefCounts.NAME + "): one of " + RefCountStrategies.names());
    }

    /** Runs the experiment with the strategy {@code --strategy} named (inline if none) and prints it; returns the report. */
    static SharingReport run(DemoOptions o, PrintStream out, PrintStream err) {
        RefCounts.Factory factory = RefCountStrategies.byName(o.strategyOr(InlineRefCounts.NAME));
        out.printf(Locale.ROOT, "Building a %s dataset in a refcounted heap (strategy %s, seed %d)...%n",
                Sizes.format(o.size()), factory.name(), o.seed());
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(o.size()), factory)) {
            long t0 = System.nanoTime();
            Dataset data = DatasetBuilder.build(heap, o.size(), o.seed(), DatasetBuilder.Progress.bar(err, o.size()));
            HeapStats stats = heap.stats();
            out.printf(Locale.ROOT, "parent: %,d items, %,d objects, %s live, built in %d ms%n", data.itemCount(),
                    stats.liveObjects(), Sizes.format(stats.liveBytes()), (System.nanoTime() - t0) / 1_000_000);

            ServedItems served = new ServedItems(data, o.touch(), o.seed());
            long[] touched = served.touchedObjects(heap);
            out.printf(Locale.ROOT, "child:  serves %,d of %,d items (%.0f%%) as JSON: lookup, serialise, drop. No value changes.%n",
                    served.count(), data.itemCount(), 100.0 * o.touch());

            long t1 = System.nanoTime();
            String prepared = heap.refCounts().prepareForFork(heap); // inline counts need nothing
            if (!prepared.isEmpty()) {
                out.printf(Locale.ROOT, "%s in %d ms, just before fork%n", prepared, (System.nanoTime() - t1) / 1_000_000);
            }
            RefCounts.PredictedPages predicted = heap.refCounts().predictPrivatePages(heap, touched);
            Forker forker = Forker.builder().deadline(SharingExperiment.WORKLOAD_TIMEOUT.plusMinutes(1)).build();
            SharingReport report = SharingExperiment.run(forker, heap, served::serve, touched.length);

            PageMapPicture picture = PageMapPicture.forPages(report.heapPages());
            out.println();
            out.println("The heap in the child (" + picture.legend() + "):");
            out.println(picture.strip(report.heapMap(), "  "));
            out.println();
            out.println(report.line());
            out.printf(Locale.ROOT, "predicted from the touched objects' %s: %,d pages private (%s)%n", predicted.basis(),
                    predicted.total(), report.matches(predicted) ? "matches the kernel, page for page" : "DIFFERS from the kernel");
            if (report.heapPagesPrivate() > 0) {
                out.printf(Locale.ROOT, "%nWhat to notice: the child changed no value and touched %.0f%% of the items,"
                                + " yet %.0f%% of the heap's pages (%s) are now private copies in the child:"
                                + " every incref wrote a count, and a written page is copied whole.%n",
                        100.0 * o.touch(), 100.0 * report.heapPagesPrivate() / report.heapPages(),
                        Sizes.format((long) report.heapPagesPrivate() * 4096));
            } else { // another strategy (--strategy), or nothing served: say what the kernel saw instead
                out.printf(Locale.ROOT, "%nWhat to notice: the child touched %.0f%% of the items and no page of the heap"
                                + " is private: strategy %s wrote no object's page (table pages private: %,d).%n",
                        100.0 * o.touch(), factory.name(), report.tablePagesPrivate());
            }
            heap.decref(data.root());
            GcLines.print(o, 3, out); // the collector's half: this chapter's placement, marks in the header
            return report;
        }
    }
}
