// ./cowfork demo 04: the same dataset and the same read-only children, inline counts next to a side table and a dense side table, measured by the kernel.
package cowfork.sidetable;

import cowfork.cow.PageMap;
import cowfork.cow.PageMapPicture;
import cowfork.cow.Region;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.DemoMain;
import cowfork.experiment.DemoOptions;
import cowfork.experiment.GcLines;
import cowfork.experiment.Predict;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.fork.Forker;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.RefCounts;
import cowfork.jvmgc.JvmCollectors;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chapter's demo. For each strategy, inline, side table (8 bytes per 16-byte granule)
 * and dense side table (4 bytes per object), the parent builds the same dataset (same
 * size, same seed, so the same objects at the same offsets) and forks children that only
 * read it:
 * <ol>
 *   <li>a worker serving a fraction of the items as JSON; printed: the grep-able line
 *       {@code refcounts: strategy=NAME objects_touched=N heap_pages=T heap_pages_private=P table_pages_private=Q}
 *       per strategy, the page maps side by side, and a table with what each table adds to
 *       the parent (reserved and present pages);</li>
 *   <li>sparse but uniform touches: one object in every 512, the first object in every
 *       8 KiB of heap (one per side-table page), and one object in every 1024 (one per
 *       dense-table page); printed as {@code sparse: ...} lines and a table.</li>
 * </ol>
 * Every figure is read from the children's {@code /proc/PID/pagemap}.
 *
 * <p>{@code --predict [N]} asks the chapter's question once inline counts have run: <em>the
 * same child with a side table: how many pages will it copy, heap and table together?</em>
 * (inline's count is in the question). A side table moves the writes out of the objects'
 * pages into the table, so the answer is all table pages; how many depends on how the
 * touched objects spread over 8 KiB windows of heap. N is the guess; without N it is asked
 * on the terminal. Section 1 then ends with the guess, the side table's prediction
 * ({@link cowfork.heap.RefCounts#predictPrivatePages}) and the kernel's count side by side
 * ({@link Predict}). Without {@code --predict} nothing is asked and nothing more is printed.
 */
public final class Demo {
    private static final List<String> STRATEGIES = List.of(InlineRefCounts.NAME, SideTableRefCounts.NAME,
            DenseSideTableRefCounts.NAME);
    private static final List<String> SPARSE = List.of(StrategyRun.ONE_IN_512, StrategyRun.ONE_PER_TABLE_PAGE,
            StrategyRun.ONE_IN_1024);

    private Demo() {
    }

    public static void main(String[] args) {
        DemoMain.exit(main(args, System.out, System.err));
    }

    /** The demo's command line. */
    @Command(name = "./cowfork demo 04", sortOptions = false, sortSynopsis = false,
            description = "Compares inline counts, a side table and a dense side table on the same dataset and the same"
                    + " read-only children; then Ruby 2.0's mark bitmap, and HotSpot's own collectors.")
    static final class Options extends DemoOptions.Command {
        @Option(names = "--jvm-gc", order = 10, paramLabel = "LIST", converter = JvmGcList.class,
                description = "section 3's HotSpot collectors: none, or e.g. Serial,G1 (default all; Serial with --quick)")
        String jvmGc = "";

        @Override
        protected String question() {
            return "with a side table, how many pages will the child copy, heap and table together? (answered after"
                    + " section 1)";
        }

        @Override
        protected String footer() {
            return "Compares the strategies " + STRATEGIES + " on the same dataset and the same read-only children.\n"
                    + "--svg writes the page maps as SVG figures into DIR.";
        }
    }

    /** {@code --jvm-gc}: {@code none}, or collectors HotSpot has, comma-separated. */
    static final class JvmGcList implements Cli.Converter<String> {
        @Override
        public String parse(String text) {
            if (!text.equals("none")) {
                for (String c : text.split(",", -1)) {
                    new JvmCollectors.Collector().parse(c);
                }
            }
            return text;
        }
    }

    /** Runs the demo; returns the exit code (0 ok, 2 bad arguments, 1 the figures could not be written). */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        Options command = new Options();
        return DemoMain.run(args, command, options -> {
            List<StrategyRun> runs = run(options, out, err);
            printJvmCollectors(options, command.jvmGc, out);
            if (options.svgDir() != null) {
                writeFigures(runs, options, out);
            }
        }, out, err);
    }

    /** The options, or null for --help. @throws IllegalArgumentException saying which argument is wrong */
    static DemoOptions parse(String[] args) {
        return DemoOptions.parse(new Options(), args);
    }

    /** Runs every strategy and prints both sections; returns the runs in the order of {@link #STRATEGIES}. */
    static List<StrategyRun> run(DemoOptions o, PrintStream out, PrintStream err) {
        out.printf(Locale.ROOT, "Inline counts vs a side table vs a dense side table: the same %s dataset (seed %d), the same"
                + " read-only children.%n", Sizes.format(o.size()), o.seed());
        Forker forker = Forker.builder().deadline(SharingExperiment.WORKLOAD_TIMEOUT.plusMinutes(1)).build();
        List<StrategyRun> runs = new ArrayList<>();
        OptionalLong guess = OptionalLong.empty();
        for (String strategy : STRATEGIES) {
            if (o.predict() != null && strategy.equals(SideTableRefCounts.NAME)) {
                guess = ask(o, runs.get(0), out);
            }
            StrategyRun r = StrategyRun.of(strategy, o.size(), o.touch(), o.seed(), forker, DatasetBuilder.Progress.bar(err, o.size()));
            out.printf(Locale.ROOT, "  %-9s built %,d objects (%s live) in %,d ms, then forked %d children%n", strategy,
                    r.stats().liveObjects(), Sizes.format(r.stats().liveBytes()), r.buildMillis(), r.reports().size());
            runs.add(r);
        }
        printServe(runs, o, guess, out);
        printSparse(runs, out);
        GcLines.print(o, 4, out); // the collector's half: header marks next to Ruby 2.0's bitmap
        return runs;
    }

    /**
     * Section 3: HotSpot keeps its own bookkeeping (mark words, mark bitmaps, card tables) and
     * moves objects; each collector's JVM forks a child and says how much of its Java heap one
     * collection un-shared. By default every collector on a 64 MiB live set; {@code --quick},
     * Serial alone on 16 MiB; {@code --jvm-gc none} skips the section.
     *
     * @throws IllegalArgumentException if a collector is unknown
     * @throws IllegalStateException if a measured JVM failed or missed its deadline (it was killed)
     */
    private static void printJvmCollectors(DemoOptions o, String collectors, PrintStream out) {
        if (collectors.equals("none")) {
            return;
        }
        JvmCollectors.Options defaults = JvmCollectors.Options.defaults();
        JvmCollectors.Options options = !collectors.isEmpty()
                ? new JvmCollectors.Options(o.quick() ? 16 : defaults.liveMb(), List.of(collectors.split(",")), defaults.deadlineSeconds())
                : o.quick() ? new JvmCollectors.Options(16, List.of("Serial"), defaults.deadlineSeconds()) : defaults;
        out.printf(Locale.ROOT, "%n3. HotSpot's own collectors after fork: a %d MiB live set, one collection in the parent,"
                + " Java heap pages no longer shared with the child (./cowfork jvm-gc for options).%n%n", options.liveMb());
        if (JvmCollectors.run(out, options) != 0) {
            throw new IllegalStateException("a measured JVM failed; its output is above");
        }
    }

    /** The chapter's question, asked once inline counts have run (their count is part of it); returns the guess. */
    private static OptionalLong ask(DemoOptions o, StrategyRun inline, PrintStream out) {
        SharingReport ri = inline.report(StrategyRun.SERVE);
        return Predict.ask(o.predict(), out,
                String.format(Locale.ROOT, "with inline counts, the child that serves %.0f%% of the items as JSON copied %,d of the"
                        + " heap's %,d pages.", 100 * o.touch(), ri.heapPagesPrivate(), ri.heapPages()),
                String.format(Locale.ROOT, "Now a side table: %d bytes of count per %d-byte granule, in a region of its own"
                        + " (one table page per %d KiB of heap).", SideTableRefCounts.COUNT_BYTES, SideTableRefCounts.GRANULE,
                        SideTableRefCounts.HEAP_BYTES_PER_TABLE_PAGE >> 10),
                "The same child serves the same items: how many pages will it copy, heap and table together?");
    }

    /** After section 1 with --predict: the guess, the side table's prediction and the kernel's count side by side. */
    private static void printPrediction(StrategyRun table, OptionalLong guess, PrintStream out) {
        SharingReport rt = table.report(StrategyRun.SERVE);
        RefCounts.PredictedPages predicted = table.prediction(StrategyRun.SERVE);
        out.println();
        out.print(Predict.comparison(guess, new Predict.Count(predicted.total(), "predictPrivatePages, from the touched"
                        + " objects' " + predicted.basis()), new Predict.Count(rt.heapPagesPrivate() + rt.tablePagesPrivate(),
                        String.format(Locale.ROOT, "the child's private pages: heap %,d + table %,d, from /proc/PID/pagemap",
                                rt.heapPagesPrivate(), rt.tablePagesPrivate())), table.matchesPrediction(StrategyRun.SERVE)));
    }

    private static void printServe(List<StrategyRun> runs, DemoOptions o, OptionalLong guess, PrintStream out) {
        StrategyRun inline = runs.get(0);
        StrategyRun table = runs.get(1);
        StrategyRun dense = runs.get(2);
        SharingReport ri = inline.report(StrategyRun.SERVE);
        SharingReport rt = table.report(StrategyRun.SERVE);
        SharingReport rd = dense.report(StrategyRun.SERVE);
        out.printf(Locale.ROOT, "%n1. A worker serves %,d of the items (%.0f%%) as JSON: lookup, serialise, drop. No value changes.%n%n",
                inline.servedItems(), 100 * o.touch());

        int columns = 32;
        PageMapPicture heapPicture = PageMapPicture.forPages(ri.heapPages(), columns, 8);
        PageMapPicture tablePicture = PageMapPicture.forPages(rt.tablePages(), columns, 8);
        PageMapPicture densePicture = PageMapPicture.forPages(rd.tablePages(), columns, 8);
        out.println("The page maps in the children (the heaps of both tables: every page shared, see heap_pages_private below):");
        out.println("  heap: " + heapPicture.legend());
        out.println("  sidetable: " + tablePicture.legend());
        out.println("  dense: " + densePicture.legend());
        out.println();
        String[] a = heapPicture.strip(ri.heapMap(), "").split("\n");
        String[] b = tablePicture.strip(rt.tableMap(), "").split("\n");
        String[] c = densePicture.strip(rd.tableMap(), "").split("\n");
        String row = "  %-" + columns + "s   %-" + columns + "s   %s%n";
        out.printf(Locale.ROOT, row, "inline: heap", "sidetable: table", "dense: table");
        for (int i = 0; i < Math.max(a.length, Math.max(b.length, c.length)); i++) {
            out.printf(Locale.ROOT, row, i < a.length ? a[i] : "", i < b.length ? b[i] : "", i < c.length ? c[i] : "");
        }
        out.println();
        for (StrategyRun r : runs) {
            out.println(r.report(StrategyRun.SERVE).line());
        }
        out.println();
        out.printf(Locale.ROOT, "%-10s %10s %16s %14s %20s %16s %14s%n", "strategy", "heap pages", "heap private",
                "table reserved", "table present", "table private", "child copied");
        for (StrategyRun r : runs) {
            SharingReport s = r.report(StrategyRun.SERVE);
            boolean hasTable = s.tableMap() != null;
            int present = r.tablePagesPresent();
            out.printf(Locale.ROOT, "%-10s %,10d %16s %14s %20s %16s %14s%n", r.strategy(), s.heapPages(),
                    share(s.heapPagesPrivate(), s.heapPages()), hasTable ? String.format(Locale.ROOT, "%,d", s.tablePages()) : "-",
                    hasTable ? share(present, s.heapPages()) + " h" : "-",
                    hasTable ? share(s.tablePagesPrivate(), present) : "-", Sizes.format(r.privateBytes(StrategyRun.SERVE)));
        }
        out.println("(pages of 4 KiB; table present: what the table adds to the parent's RSS, % of the heap's pages (h);"
                + " table private: % of the present table)");
        out.println();
        for (StrategyRun r : runs) {
            out.printf(Locale.ROOT, "predicted for %s from the touched objects' %s: %s%n", r.strategy(),
                    r.prediction(StrategyRun.SERVE).basis(),
                    r.matchesPrediction(StrategyRun.SERVE) ? "matches the kernel, page for page" : "DIFFERS from the kernel");
        }
        if (o.predict() != null) {
            printPrediction(table, guess, out);
        }
        out.printf(Locale.ROOT, "%nWhat to notice: neither table copied a heap page. The side table copied %,d table pages"
                        + " (%s) against %,d heap pages inline (%s): one table page holds the counts of 8 KiB of heap, mostly"
                        + " empty slots. The dense table copied %,d pages (%s): one page holds the counts of %,d objects. In"
                        + " the parent, the side table adds %s of present pages to the heap's %s, the dense table %s.%n",
                rt.tablePagesPrivate(), Sizes.format(table.privateBytes(StrategyRun.SERVE)), ri.heapPagesPrivate(),
                Sizes.format(inline.privateBytes(StrategyRun.SERVE)), rd.tablePagesPrivate(),
                Sizes.format(dense.privateBytes(StrategyRun.SERVE)), DenseSideTableRefCounts.COUNTS_PER_TABLE_PAGE,
                Sizes.format((long) table.tablePagesPresent() * Region.PAGE_SIZE), Sizes.format((long) ri.heapPages() * Region.PAGE_SIZE),
                Sizes.format((long) dense.tablePagesPresent() * Region.PAGE_SIZE));
    }

    private static void printSparse(List<StrategyRun> runs, PrintStream out) {
        out.printf(Locale.ROOT, "%n2. Sparse but uniform: the child increfs and decrefs a few objects spread over the whole heap.%n%n");
        out.printf(Locale.ROOT, "%-22s %-10s %8s %18s %18s %14s%n", "workload", "strategy", "objects", "heap private",
                "table private", "child copied");
        List<String> lines = new ArrayList<>();
        for (String w : SPARSE) {
            for (StrategyRun r : runs) {
                SharingReport s = r.report(w);
                out.printf(Locale.ROOT, "%-22s %-10s %,8d %18s %18s %14s%n", w, r.strategy(), s.objectsTouched(),
                        share(s.heapPagesPrivate(), s.heapPages()),
                        s.tableMap() == null ? "-" : share(s.tablePagesPrivate(), r.tablePagesPresent()), Sizes.format(r.privateBytes(w)));
                lines.add("sparse: workload=" + w + " " + s.line().substring("refcounts: ".length())
                        + " prediction=" + (r.matchesPrediction(w) ? "matches" : "differs"));
            }
        }
        out.println();
        lines.forEach(out::println);
        StrategyRun inline = runs.get(0);
        StrategyRun table = runs.get(1);
        StrategyRun dense = runs.get(2);
        out.printf(Locale.ROOT, "%nWhat to notice: where each layout stops paying. The first object in every 8 KiB (one per"
                        + " side-table page) makes %s of the side table private, %s, as much as inline's %s: the side table"
                        + " saves nothing there. One object in every 1,024 (one per dense-table page) makes %s of the dense"
                        + " table private, %s against inline's %s: touches spread one per table page defeat any table, and the"
                        + " denser table only needs fewer of them.%n",
                percentOfPresentTable(table, StrategyRun.ONE_PER_TABLE_PAGE), Sizes.format(table.privateBytes(StrategyRun.ONE_PER_TABLE_PAGE)),
                Sizes.format(inline.privateBytes(StrategyRun.ONE_PER_TABLE_PAGE)),
                percentOfPresentTable(dense, StrategyRun.ONE_IN_1024), Sizes.format(dense.privateBytes(StrategyRun.ONE_IN_1024)),
                Sizes.format(inline.privateBytes(StrategyRun.ONE_IN_1024)));
    }

    private static String percentOfPresentTable(StrategyRun r, String workload) {
        return String.format(Locale.ROOT, "%.0f%%", 100.0 * r.report(workload).tablePagesPrivate() / Math.max(1, r.tablePagesPresent()));
    }

    private static String share(int part, int whole) {
        return String.format(Locale.ROOT, "%,d (%.1f%%)", part, 100.0 * part / Math.max(1, whole));
    }

    /** Writes the serve workload's page maps: the three heaps in one figure, each table in one of its own. */
    static void writeFigures(List<StrategyRun> runs, DemoOptions o, PrintStream out) throws IOException {
        SharingReport ri = runs.get(0).report(StrategyRun.SERVE);
        SharingReport rt = runs.get(1).report(StrategyRun.SERVE);
        SharingReport rd = runs.get(2).report(StrategyRun.SERVE);
        String command = "./cowfork demo 04 --size " + Sizes.toArgument(o.size()) + " --touch " + o.touch()
                + " --seed " + o.seed() + " --svg DIR";
        PageMapPicture heap = PageMapPicture.forPages(ri.heapPages());
        Path heapFile = o.svgDir().resolve("04-heap-inline-vs-sidetable.svg");
        Files.writeString(heapFile, heap.svg("The heap in a read-only child: inline counts vs a side table vs a dense side table",
                List.of(panel("inline", ri.heapMap()), panel("sidetable", rt.heapMap()), panel("dense", rd.heapMap())), command),
                StandardCharsets.UTF_8);
        PageMapPicture table = PageMapPicture.forPages(rt.tablePages());
        Path tableFile = o.svgDir().resolve("04-sidetable-table.svg");
        Files.writeString(tableFile, table.svg("The side table (8 bytes per 16-byte granule) in the same child",
                List.of(tablePanel("sidetable: table", rt)), command), StandardCharsets.UTF_8);
        PageMapPicture denseTable = PageMapPicture.forPages(rd.tablePages());
        Path denseFile = o.svgDir().resolve("04-dense-table.svg");
        Files.writeString(denseFile, denseTable.svg("The dense side table (4 bytes per object) in the same child",
                List.of(tablePanel("dense: table", rd)), command), StandardCharsets.UTF_8);
        out.println();
        out.println("figures: " + heapFile + " " + tableFile + " " + denseFile);
    }

    /** A table's panel counts the pages in use, those the parent filled, as chapter 05's central figure does. */
    private static PageMapPicture.Panel tablePanel(String label, SharingReport r) {
        return new PageMapPicture.Panel(label, String.format(Locale.ROOT, "%,d of %,d pages in use private (%,d reserved)",
                r.tablePagesPrivate(), r.tablePagesPresent(), r.tablePages()), r.tableMap());
    }

    private static PageMapPicture.Panel panel(String label, PageMap map) {
        return new PageMapPicture.Panel(label, String.format(Locale.ROOT, "%,d of %,d pages private", map.privatePages().size(),
                map.pages()), map);
    }
}
