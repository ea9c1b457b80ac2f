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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
 * <p>{@code --predict [N]} asks the chapter's question before the child runs: <em>how many
 * pages will the read-only child copy?</em> (with inline counts: how many of the heap's
 * pages; under a strategy with a count table, heap and table together). N is the guess;
 * without N it is asked on the terminal. After the run the guess, the model's prediction
 * ({@link RefCounts#predictPrivatePages}) and the kernel's count are printed side by side
 * ({@link Predict}). Without {@code --predict} nothing is asked and nothing more is printed.
 *
 * <p>{@code --svg DIR} also writes the page strip {@value #FIGURE}: every page of the heap
 * in the child, copied or shared, one cell per page.
 *
 * <p>{@code --strategy NAME} runs the same experiment with any registered strategy; the
 * demo asks the strategy what to do before fork and what it predicts, never its name.
 * The laboratory it uses (dataset, served items, fork-and-measure) is this package,
 * {@code cowfork.experiment}, shared with chapters 04 to 06.
 */
public final class Demo {
    /** The page strip's file name in the {@code --svg} directory. */
    public static final String FIGURE = "03-page-strip.svg";
    /** The strip's width in cells: with {@value #STRIP_ROWS} rows, one cell per page up to 32m's 8,673 pages. */
    private static final int STRIP_COLUMNS = 128;
    private static final int STRIP_ROWS = 70;

    private Demo() {
    }

    public static void main(String[] args) {
        DemoMain.exit(main(args, System.out, System.err));
    }

    /** The demo's command line. */
    @Command(name = "./cowfork demo 03", sortOptions = false, sortSynopsis = false,
            description = "Builds a dataset in a refcounted heap, forks a child that only reads it, and shows the pages"
                    + " the counts' writes copied; then one full collection per mark placement.")
    static final class Options extends DemoOptions.Command {
        @Option(names = "--strategy", order = 10, paramLabel = "NAME", converter = DemoOptions.Strategy.class,
                completionCandidates = DemoOptions.StrategyNames.class,
                description = "the refcount strategy (default " + InlineRefCounts.NAME + "): one of ${COMPLETION-CANDIDATES}")
        String strategy;

        @Override
        protected String strategy() {
            return strategy;
        }

        @Override
        protected String question() {
            return "how many pages will the read-only child copy? (with a count table: heap and table together)";
        }

        @Override
        protected String footer() {
            return "--svg writes the page strip DIR/" + FIGURE + ". --size 1g and more is for benchmarks.";
        }
    }

    /** Runs the demo; returns the exit code (0 ok, 2 bad arguments). */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        return DemoMain.run(args, new Options(), options -> {
            SharingReport report = run(options, out, err);
            if (options.svgDir() != null) {
                Path file = writeFigure(report, options);
                out.println();
                out.println("figure: " + file);
            }
        }, out, err);
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

            OptionalLong guess = o.predict() == null ? OptionalLong.empty() : Predict.ask(o.predict(), out,
                    String.format(Locale.ROOT, "the read-only child will serve %.0f%% of the items as JSON (%s counts).",
                            100.0 * o.touch(), factory.name()),
                    heap.refCounts().table().isEmpty()
                            ? String.format(Locale.ROOT, "How many of the heap's %,d pages will it copy?", SharingExperiment.usedPages(heap))
                            : String.format(Locale.ROOT, "How many pages will it copy, of the heap's %,d and its count table's?",
                                    SharingExperiment.usedPages(heap)));

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
            if (o.predict() != null) {
                out.println();
                out.print(Predict.comparison(guess, new Predict.Count(predicted.total(), "predictPrivatePages, from the touched"
                        + " objects' " + predicted.basis()), new Predict.Count(report.heapPagesPrivate() + report.tablePagesPrivate(),
                        "the child's private pages" + (report.tableMap() == null ? "" : String.format(Locale.ROOT,
                                ": heap %,d + table %,d", report.heapPagesPrivate(), report.tablePagesPrivate()))
                        + ", from /proc/PID/pagemap"), report.matches(predicted)));
            }
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

    /**
     * Writes the page strip: every page of the heap in the read-only child, copied or
     * shared, one cell per page (per group of pages for a heap above 8,960 pages).
     *
     * @throws IOException if the file cannot be written
     */
    static Path writeFigure(SharingReport report, DemoOptions o) throws IOException {
        PageMapPicture picture = PageMapPicture.forPages(report.heapPages(), STRIP_COLUMNS, STRIP_ROWS);
        String args = (o.quick() ? "--quick" : "--size " + Sizes.toArgument(o.size())) + " --touch " + o.touch() + " --seed "
                + o.seed() + (o.strategy() == null ? "" : " --strategy " + o.strategy());
        String footer = "./cowfork demo 03 " + args + " --svg DIR   (Linux " + System.getProperty("os.version") + ", JDK "
                + System.getProperty("java.version") + ")";
        String title = String.format(Locale.ROOT, "The heap after a read-only child served %.0f%% of the items as JSON"
                + " (%s counts)", 100 * o.touch(), report.strategy());
        String caption = String.format(Locale.ROOT, "%,d of %,d pages copied by the child (%.0f%%), the rest still shared"
                + " with the parent", report.heapPagesPrivate(), report.heapPages(), 100.0 * report.heapPagesPrivate() / report.heapPages());
        Path file = o.svgDir().resolve(FIGURE);
        Files.writeString(file, picture.svg(title, List.of(new PageMapPicture.Panel("the heap in the child", caption,
                report.heapMap())), footer), StandardCharsets.UTF_8);
        return file;
    }
}
