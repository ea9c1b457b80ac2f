// ./cowfork demo 05: one dataset, one workload, three refcount strategies side by side: what each child copies, measured by the kernel.
package cowfork.immortal;

import cowfork.cow.PageMapPicture;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.DemoMain;
import cowfork.experiment.DemoOptions;
import cowfork.experiment.GcLines;
import cowfork.experiment.Predict;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import cowfork.support.Sizes;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import picocli.CommandLine.Command;

/**
 * The project's central comparison. For each registered strategy, in the order of the
 * chapters that introduce them (inline, side table, immortal), the parent builds the same
 * dataset from the same seed, lets the strategy prepare for fork
 * ({@link RefCounts#prepareForFork}: under {@code immortal},
 * {@link ImmortalRefCounts#immortalizeAll}), forks, and the child serves the same items as
 * JSON (lookup, serialise, drop: it changes no value). The parent reads the child's page
 * maps of the heap and of the count table and prints, per strategy, the page map and the
 * grep-able line {@code refcounts: strategy=NAME ...} of chapters 03 and 04.
 *
 * <p>Then two things immortality does <em>not</em> fix, measured the same way: for a
 * strategy whose reads write nothing (its {@link RefCounts#predictPrivatePages prediction}
 * is empty), one allocation in a child still copies the allocator's pages
 * ({@code allocator:} line); and garbage that was immortal is never freed ({@code leak:}
 * line, for every strategy). Then the collector's half ({@link GcLines}: one {@code gc:} line
 * per mark placement), and the whole matrix: every combination a runtime shipped, pages
 * copied by reading next to pages copied by collecting. {@code --svg DIR} also writes the
 * figure {@value #FIGURE}. The demo never asks a strategy for its name to
 * decide what to do.
 *
 * <p>{@code --predict [N]} asks the chapter's question just before this chapter's strategy
 * (the newest, immortal) prepares for fork. A read-only child copies nothing under it, so
 * the question is about the price: <em>how many of the heap's pages will
 * {@link ImmortalRefCounts#immortalizeAll} itself write, in the parent, before fork?</em>
 * N is the guess; without N it is asked on the terminal. To let the kernel answer, a
 * witness child is forked just before immortalizeAll ({@link ParentWrites}: the pages the
 * parent then writes are left to the witness alone), and the immortal section ends with the
 * guess, the model ({@link ImmortalRefCounts#pagesImmortalizeAllWrites}) and the kernel's
 * count side by side ({@link Predict}). Without {@code --predict} nothing is asked, no
 * witness is forked and nothing more is printed.
 */
public final class Demo {
    /** The figure's file name in the {@code --svg} directory. */
    public static final String FIGURE = "05-refcount-strategies.svg";
    private static final String[] NUMBERS = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

    /** One strategy's run: the child's page maps, the leak check, and (where reads write nothing) the allocator check, else null. */
    record Run(String strategy, SharingReport sharing, LeakReport leak, AllocatorWrites.Report allocation) {
        long privateBytes() {
            return (long) (sharing.heapPagesPrivate() + sharing.tablePagesPrivate()) * Region.PAGE_SIZE;
        }
    }

    private Demo() {
    }

    public static void main(String[] args) {
        DemoMain.exit(main(args, System.out, System.err));
    }

    /** The demo's command line. */
    @Command(name = "./cowfork demo 05", sortOptions = false, sortSynopsis = false,
            description = "Every registered refcount strategy on the same dataset: each child serves items, then runs a"
                    + " collection; immortal counts and a frozen generation copy nothing.")
    static final class Options extends DemoOptions.Command {
        @Override
        protected String question() {
            return "how many of the heap's pages will immortalizeAll write, before fork? (answered after the immortal run;"
                    + " a child forked just before immortalizeAll shows the parent's writes)";
        }

        @Override
        protected String footer() {
            return "strategies compared: every one on the class path, " + RefCountStrategies.names() + "\n"
                    + "--svg writes the figure DIR/" + FIGURE + ".";
        }
    }

    /** Runs the demo; returns the exit code (0 ok, 2 bad arguments, 1 the figure could not be written). */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        return DemoMain.run(args, new Options(), options -> run(options, out), out, err);
    }

    /** The options, or null for --help. @throws IllegalArgumentException saying which argument is wrong */
    static DemoOptions parse(String[] args) {
        return DemoOptions.parse(new Options(), args);
    }

    /** Runs one experiment per registered strategy and prints them; returns one {@link Run} per strategy, in registry order. */
    static List<Run> run(DemoOptions o, PrintStream out) {
        List<RefCounts.Factory> strategies = RefCountStrategies.all();
        out.printf(Locale.ROOT, "One %s dataset (seed %d), one workload, %s strategies: %s.%n", Sizes.format(o.size()),
                o.seed(), strategies.size() < NUMBERS.length ? NUMBERS[strategies.size()] : String.valueOf(strategies.size()),
                String.join(", ", RefCountStrategies.names()));
        Forker forker = Forker.builder().deadline(SharingExperiment.WORKLOAD_TIMEOUT.plusMinutes(1)).build();
        List<Run> runs = new ArrayList<>();
        for (RefCounts.Factory factory : strategies) {
            boolean thisChapters = factory == strategies.get(strategies.size() - 1); // the newest strategy: immortal
            runs.add(runOne(o, factory, forker, thisChapters ? o.predict() : null, out));
        }
        out.println();
        printLeak(runs, out);
        out.println();
        printSummary(runs, out);
        List<Combination> matrix = matrix(runs, GcLines.print(o, 5, out));
        out.println();
        printMatrix(matrix, out);
        if (o.svgDir() != null) {
            Path file = CentralFigure.write(o.svgDir().resolve(FIGURE), runs, matrix, figureFooter(o));
            out.println();
            out.println("figure: " + file);
        }
        return runs;
    }

    /**
     * One combination a real runtime shipped: a mark placement and the refcount strategy it
     * {@linkplain cowfork.heap.MarkPlacement.Factory#shippedWith shipped with}; what a child
     * copied by reading (the strategy's run) and by one full collection (the placement's).
     */
    record Combination(Run reading, GcLines.Run collecting) {
        String label() {
            return reading.strategy() + " + " + collecting.placement().name();
        }

        long readingPages() {
            return reading.sharing().heapPagesPrivate() + reading.sharing().tablePagesPrivate();
        }

        long collectingPages() {
            return collecting.report().pagesPrivate();
        }

        /** The grep-able line. */
        String line() {
            return "matrix: counts=" + reading.strategy() + " marks=" + collecting.placement().name() + " read_pages_private="
                    + readingPages() + " collect_pages_private=" + collectingPages();
        }
    }

    /** Pairs each placement's collection with the reading run of the strategy it shipped with (placements without one are left out). */
    static List<Combination> matrix(List<Run> runs, List<GcLines.Run> collections) {
        List<Combination> matrix = new ArrayList<>();
        for (GcLines.Run c : collections) {
            runs.stream().filter(r -> r.strategy().equals(c.placement().shippedWith().name())).findFirst()
                    .ifPresent(r -> matrix.add(new Combination(r, c)));
        }
        return matrix;
    }

    private static void printMatrix(List<Combination> matrix, PrintStream out) {
        out.println("The matrix: what a child copied, by reading (the served requests) and by one full collection");
        out.printf(Locale.ROOT, "  %-20s %28s %28s%n", "counts + marks", "pages copied by reading", "pages copied by collecting");
        for (Combination c : matrix) {
            out.printf(Locale.ROOT, "  %-20s %28s %28s%n", c.label(), pagesAndBytes(c.readingPages()),
                    pagesAndBytes(c.collectingPages()));
        }
        matrix.forEach(c -> out.println(c.line()));
    }

    private static String pagesAndBytes(long pages) {
        return String.format(Locale.ROOT, "%,d (%s)", pages, Sizes.format(pages * Region.PAGE_SIZE));
    }

    /**
     * One strategy's section. With {@code predict} (this chapter's strategy, under
     * {@code --predict}): asks how many pages its {@code prepareForFork} writes, runs it with a
     * witness child ({@link ParentWrites}), and ends the section with the comparison.
     */
    private static Run runOne(DemoOptions o, RefCounts.Factory factory, Forker forker, Predict.Request predict,
                              PrintStream out) {
        String strategy = factory.name();
        out.println();
        out.println("== " + strategy + " ==");
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(o.size()), factory)) {
            long t0 = System.nanoTime();
            Dataset data = DatasetBuilder.build(heap, o.size(), o.seed(), DatasetBuilder.Progress.none());
            HeapStats stats = heap.stats();
            ServedItems served = new ServedItems(data, o.touch(), o.seed());
            long[] touched = served.touchedObjects(heap);
            out.printf(Locale.ROOT, "parent: %,d items, %,d objects, %s live, built in %d ms; the child serves %,d items (%.0f%%) as JSON%n",
                    data.itemCount(), stats.liveObjects(), Sizes.format(stats.liveBytes()),
                    (System.nanoTime() - t0) / 1_000_000, served.count(), 100.0 * o.touch());
            OptionalLong guess = OptionalLong.empty();
            BitSet model = null;
            if (predict != null) {
                model = ImmortalRefCounts.pagesImmortalizeAllWrites(heap);
                guess = Predict.ask(predict, out, String.format(Locale.ROOT, "before fork, immortalizeAll stores the immortal"
                        + " count in each of the %,d objects' headers,", stats.liveObjects()),
                        "the parent's last writes to the heap, so that no child ever writes a count.",
                        String.format(Locale.ROOT, "How many of the heap's %,d pages will those stores write?",
                                SharingExperiment.usedPages(heap)));
            }
            long t1 = System.nanoTime();
            // immortal: immortalizeAll; the others: nothing. Under --predict, with a witness child that sees its writes
            // (and the time printed includes the copies those writes then make for the parent).
            ParentWrites.Report<String> writes = predict == null ? null
                    : ParentWrites.run(forker, heap, () -> heap.refCounts().prepareForFork(heap));
            String prepared = writes != null ? writes.result() : heap.refCounts().prepareForFork(heap);
            if (!prepared.isEmpty()) {
                out.printf(Locale.ROOT, "%s in %d ms, just before fork%n", prepared, (System.nanoTime() - t1) / 1_000_000);
            }
            RefCounts.PredictedPages predicted = heap.refCounts().predictPrivatePages(heap, touched);
            SharingReport report = SharingExperiment.run(forker, heap, served::serve, touched.length);
            PageMapPicture heapPicture = PageMapPicture.forPages(report.heapPages());
            out.println("the heap in the child (" + heapPicture.legend() + "):");
            out.println(heapPicture.strip(report.heapMap(), "  "));
            if (report.tableMap() != null) {
                PageMapPicture tablePicture = PageMapPicture.forPages(report.tablePages(), PageMapPicture.DEFAULT_COLUMNS, 4);
                out.println("the count table in the child (" + tablePicture.legend() + "):");
                out.println(tablePicture.strip(report.tableMap(), "  "));
            }
            out.println(report.line());

            AllocatorWrites.Report allocation = null;
            if (predicted.total() == 0) { // reads write nothing here: show what a child still copies when it allocates
                allocation = AllocatorWrites.run(forker, heap);
                out.printf(Locale.ROOT, "one allocation in a second child (newInt) copies %d heap page(s): page 0 (the allocator's"
                                + " free-list heads and statistics) and page %,d (the free chunk it took%s)%s%n",
                        allocation.privatePages().cardinality(), allocation.newObjectPage(), allocation.neighbours() == 0 ? ""
                                : String.format(Locale.ROOT, ", copied with the %d immortal objects on its page", allocation.neighbours()),
                        allocation.privatePages().equals(allocation.predicted()) ? "" : "; predicted " + allocation.predicted());
                out.println(allocation.line(strategy));
            }
            if (writes != null) {
                out.println();
                out.print(Predict.comparison(guess, new Predict.Count(model.cardinality(),
                        "pagesImmortalizeAllWrites, from every object's header address"), new Predict.Count(
                        writes.writtenPages().cardinality(), "a child forked just before it: the pages the parent wrote,"
                        + " from /proc/PID/pagemap"), model.equals(writes.writtenPages())));
            }
            LeakReport leak = LeakReport.measure(heap, () -> deleteItems(heap, data, leakVictims(data)), data.root());
            heap.decref(data.root());
            return new Run(strategy, report, leak, allocation);
        }
    }

    /** Which items the leak check deletes: one in a hundred, at least one. */
    static int[] leakVictims(Dataset data) {
        return java.util.stream.IntStream.range(0, data.itemCount()).filter(i -> i % 100 == 0).toArray();
    }

    /** {@code del items[key]} for each victim: drops the dataset's only reference to each item. */
    static void deleteItems(Heap heap, Dataset data, int[] victims) {
        StringBuilder key = new StringBuilder();
        for (int i : victims) {
            heap.dictDel(data.items(), Dataset.key(i, key));
        }
    }

    private static void printLeak(List<Run> runs, PrintStream out) {
        Run immortal = runs.get(runs.size() - 1); // the newest strategy, this chapter's, against the first one
        Run inline = runs.get(0);
        out.printf(Locale.ROOT, "The leak: after the fork, the parent deletes one item in a hundred from the items dict"
                + " (del items[key]), dropping the only reference to each.%n");
        for (Run r : runs) {
            out.println(r.leak().line());
        }
        out.printf(Locale.ROOT, "under %s the deletion freed %,d objects (%s); under %s it freed %,d: %,d objects"
                        + " (%s in object chunks) are garbage that stays allocated for the life of the process, and the"
                        + " %s heap ends with %s more live bytes than the %s one after the same deletion.%n",
                inline.strategy(), inline.leak().objectsFreed(), Sizes.format(inline.leak().bytesFreed()),
                immortal.strategy(), immortal.leak().objectsFreed(), immortal.leak().unreachableObjects(),
                Sizes.format(immortal.leak().unreachableBytes()), immortal.strategy(),
                Sizes.format(immortal.leak().after().liveBytes() - inline.leak().after().liveBytes()), inline.strategy());
    }

    private static void printSummary(List<Run> runs, PrintStream out) {
        out.println("Summary: what one child copied to serve the same requests");
        out.printf(Locale.ROOT, "  %-10s %20s %20s %20s%n", "strategy", "heap pages private", "table pages private",
                "private KiB/child");
        for (Run r : runs) {
            SharingReport s = r.sharing();
            out.printf(Locale.ROOT, "  %-10s %20s %20s %,20d%n", r.strategy(),
                    String.format(Locale.ROOT, "%,d / %,d", s.heapPagesPrivate(), s.heapPages()),
                    // The table's denominator is its present pages, as chapter 04's table and the heap's used pages are:
                    // reserved but never-touched table pages cost nothing and say nothing about the workload.
                    s.tableMap() == null ? "-" : String.format(Locale.ROOT, "%,d / %,d", s.tablePagesPrivate(),
                            s.tablePages() - s.tableMap().count(PageState.NOT_PRESENT)),
                    r.privateBytes() >> 10);
        }
    }

    private static String figureFooter(DemoOptions o) {
        String args = o.quick() ? "--quick" : "--size " + Sizes.toArgument(o.size()) + " --touch " + o.touch();
        return "./cowfork demo 05 " + args + " --svg DIR   (Linux " + System.getProperty("os.version") + ", JDK "
                + System.getProperty("java.version") + ")";
    }
}
