// ./cowfork demo 04: the same dataset and the same read-only child, inline counts next to a side table, measured by the kernel.
package cowfork.sidetable;

import cowfork.cow.PageMap;
import cowfork.cow.PageMapPicture;
import cowfork.cow.PageState;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.DemoMain;
import cowfork.experiment.DemoOptions;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.fork.Forker;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chapter's demo. For each strategy, inline and side table, the parent builds the
 * same dataset (same size, same seed, so the same objects at the same offsets) and forks
 * children that only read it:
 * <ol>
 *   <li>a worker serving a fraction of the items as JSON; printed: the grep-able line
 *       {@code refcounts: strategy=NAME objects_touched=N heap_pages=T heap_pages_private=P table_pages_private=Q}
 *       per strategy, the page maps side by side, and a table;</li>
 *   <li>sparse but uniform touches: one object in every 512, and the first object in every
 *       8 KiB of heap (one per table page); printed as {@code sparse: ...} lines and a table.</li>
 * </ol>
 * Every figure is read from the children's {@code /proc/PID/pagemap}.
 */
public final class Demo {
    private static final List<String> STRATEGIES = List.of(InlineRefCounts.NAME, SideTableRefCounts.NAME);

    private Demo() {
    }

    public static void main(String[] args) {
        DemoMain.exit(main(args, System.out, System.err));
    }

    /** Runs the demo; returns the exit code (0 ok, 2 bad arguments, 1 the figures could not be written). */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        return DemoMain.run(args, Demo::parse, usage(), options -> {
            List<StrategyRun> runs = run(options, out, err);
            if (options.svgDir() != null) {
                writeFigures(runs, options, out);
            }
        }, out, err);
    }

    static String usage() {
        return DemoOptions.usage("04", "default 32m", "the child", "--svg DIR", "also write the page maps as SVG figures into DIR",
                "Compares the strategies " + STRATEGIES + " on the same dataset and the same read-only children.");
    }

    /** The options, or null for --help. @throws IllegalArgumentException saying which argument is wrong */
    static DemoOptions parse(String[] args) {
        return DemoOptions.parse(args, DemoOptions.Flag.SVG);
    }

    /** Runs both strategies and prints both sections; returns the runs, inline first. */
    static List<StrategyRun> run(DemoOptions o, PrintStream out, PrintStream err) {
        out.printf(Locale.ROOT, "Inline counts vs a side table: the same %s dataset (seed %d), the same read-only children.%n",
                Sizes.format(o.size()), o.seed());
        Forker forker = Forker.builder().deadline(SharingExperiment.WORKLOAD_TIMEOUT.plusMinutes(1)).build();
        List<StrategyRun> runs = new ArrayList<>();
        for (String strategy : STRATEGIES) {
            StrategyRun r = StrategyRun.of(strategy, o.size(), o.touch(), o.seed(), forker, progressBar(err, o.size()));
            out.printf(Locale.ROOT, "  %-9s built %,d objects (%s live) in %,d ms, then forked %d children%n", strategy,
                    r.stats().liveObjects(), Sizes.format(r.stats().liveBytes()), r.buildMillis(), r.reports().size());
            runs.add(r);
        }
        printServe(runs, o, out);
        printSparse(runs, out);
        return runs;
    }

    private static void printServe(List<StrategyRun> runs, DemoOptions o, PrintStream out) {
        StrategyRun inline = runs.get(0);
        StrategyRun table = runs.get(1);
        SharingReport ri = inline.report(StrategyRun.SERVE);
        SharingReport rt = table.report(StrategyRun.SERVE);
        out.printf(Locale.ROOT, "%n1. A worker serves %,d of the items (%.0f%%) as JSON: lookup, serialise, drop. No value changes.%n%n",
                inline.servedItems(), 100 * o.touch());

        int columns = 32;
        PageMapPicture heapPicture = PageMapPicture.forPages(ri.heapPages(), columns, 8);
        PageMapPicture tablePicture = PageMapPicture.forPages(rt.tablePages(), columns, 8);
        out.println("The page maps in the children:");
        out.println("  heap: " + heapPicture.legend());
        out.println("  table: " + tablePicture.legend());
        out.println();
        String[] a = heapPicture.strip(ri.heapMap(), "").split("\n");
        String[] b = heapPicture.strip(rt.heapMap(), "").split("\n");
        String[] c = tablePicture.strip(rt.tableMap(), "").split("\n");
        out.printf(Locale.ROOT, "  %-" + columns + "s   %-" + columns + "s   %s%n", "inline: heap", "sidetable: heap", "sidetable: table");
        for (int i = 0; i < Math.max(a.length, Math.max(b.length, c.length)); i++) {
            out.printf(Locale.ROOT, "  %-" + columns + "s   %-" + columns + "s   %s%n",
                    i < a.length ? a[i] : "", i < b.length ? b[i] : "", i < c.length ? c[i] : "");
        }
        out.println();
        for (StrategyRun r : runs) {
            out.println(r.report(StrategyRun.SERVE).line());
        }
        out.println();
        out.printf(Locale.ROOT, "%-10s %10s %18s %14s %18s %14s%n", "strategy", "heap pages", "heap private", "table present",
                "table private", "private bytes");
        for (StrategyRun r : runs) {
            SharingReport s = r.report(StrategyRun.SERVE);
            int present = s.tableMap() == null ? 0 : s.tablePages() - s.tableMap().count(PageState.NOT_PRESENT);
            out.printf(Locale.ROOT, "%-10s %,10d %18s %14s %18s %14s%n", r.strategy(), s.heapPages(),
                    share(s.heapPagesPrivate(), s.heapPages()), s.tableMap() == null ? "-" : String.format(Locale.ROOT, "%,d", present),
                    s.tableMap() == null ? "-" : share(s.tablePagesPrivate(), present), Sizes.format(r.privateBytes(StrategyRun.SERVE)));
        }
        out.println();
        for (StrategyRun r : runs) {
            out.printf(Locale.ROOT, "predicted for %s from the touched objects' %s: %s%n", r.strategy(),
                    r.prediction(StrategyRun.SERVE).basis(),
                    r.matchesPrediction(StrategyRun.SERVE) ? "matches the kernel, page for page" : "DIFFERS from the kernel");
        }
        long saved = inline.privateBytes(StrategyRun.SERVE) - table.privateBytes(StrategyRun.SERVE);
        out.printf(Locale.ROOT, "%nWhat to notice: with the counts in a table, no heap page was copied; the child copied %,d table"
                        + " pages instead of %,d heap pages, %s instead of %s (%s less). A table page holds the counts of"
                        + " 8 KiB of heap, so one copied table page stands for the objects of two heap pages.%n",
                rt.tablePagesPrivate(), ri.heapPagesPrivate(), Sizes.format(table.privateBytes(StrategyRun.SERVE)),
                Sizes.format(inline.privateBytes(StrategyRun.SERVE)), Sizes.format(Math.max(0, saved)));
    }

    private static void printSparse(List<StrategyRun> runs, PrintStream out) {
        out.printf(Locale.ROOT, "%n2. Sparse but uniform: the child increfs and decrefs a few objects spread over the whole heap.%n%n");
        out.printf(Locale.ROOT, "%-22s %-10s %8s %18s %18s %14s%n", "workload", "strategy", "objects", "heap private",
                "table private", "private bytes");
        List<String> lines = new ArrayList<>();
        for (String w : List.of(StrategyRun.ONE_IN_512, StrategyRun.ONE_PER_TABLE_PAGE)) {
            for (StrategyRun r : runs) {
                SharingReport s = r.report(w);
                int tablePresent = s.tableMap() == null ? 0 : s.tablePages() - s.tableMap().count(PageState.NOT_PRESENT);
                out.printf(Locale.ROOT, "%-22s %-10s %,8d %18s %18s %14s%n", w, r.strategy(), s.objectsTouched(),
                        share(s.heapPagesPrivate(), s.heapPages()),
                        s.tableMap() == null ? "-" : share(s.tablePagesPrivate(), tablePresent), Sizes.format(r.privateBytes(w)));
                lines.add("sparse: workload=" + w + " " + s.line().substring("refcounts: ".length())
                        + " prediction=" + (r.matchesPrediction(w) ? "matches" : "differs"));
            }
        }
        out.println();
        lines.forEach(out::println);
        StrategyRun inline = runs.get(0);
        StrategyRun table = runs.get(1);
        out.printf(Locale.ROOT, "%nWhat to notice: one object in every 512 copied %,d table pages against %,d heap pages inline:"
                        + " when touches are spread out, every touch lands on a table page of its own, as it lands on a heap page"
                        + " of its own inline, and the table saves %s. The first object in every 8 KiB (one per table page)"
                        + " makes %s of the table private: each touch copied the counts of 511 neighbouring slots"
                        + " with it.%n",
                table.report(StrategyRun.ONE_IN_512).tablePagesPrivate(), inline.report(StrategyRun.ONE_IN_512).heapPagesPrivate(),
                Sizes.format(Math.max(0, inline.privateBytes(StrategyRun.ONE_IN_512) - table.privateBytes(StrategyRun.ONE_IN_512))),
                percentOfPresentTable(table.report(StrategyRun.ONE_PER_TABLE_PAGE)));
    }

    private static String percentOfPresentTable(SharingReport s) {
        int present = s.tablePages() - s.tableMap().count(PageState.NOT_PRESENT);
        return String.format(Locale.ROOT, "%.0f%%", 100.0 * s.tablePagesPrivate() / Math.max(1, present));
    }

    private static String share(int part, int whole) {
        return String.format(Locale.ROOT, "%,d (%.1f%%)", part, 100.0 * part / Math.max(1, whole));
    }

    /** Writes the serve workload's page maps: the two heaps in one figure, the table in another. */
    static void writeFigures(List<StrategyRun> runs, DemoOptions o, PrintStream out) throws IOException {
        SharingReport ri = runs.get(0).report(StrategyRun.SERVE);
        SharingReport rt = runs.get(1).report(StrategyRun.SERVE);
        long size = o.size();
        // The size as --size parses it (Sizes.format's "32.0 MiB" does not parse): a reader can paste this line.
        String sizeArg = size % (1L << 20) == 0 ? (size >> 20) + "m" : size % 1024 == 0 ? (size >> 10) + "k" : Long.toString(size);
        String command = "./cowfork demo 04 --size " + sizeArg + " --touch " + o.touch()
                + " --seed " + o.seed() + " --svg DIR";
        PageMapPicture heap = PageMapPicture.forPages(ri.heapPages());
        Path heapFile = o.svgDir().resolve("04-heap-inline-vs-sidetable.svg");
        Files.writeString(heapFile, heap.svg("The heap in a read-only child: inline counts vs a side table",
                List.of(panel("inline", ri.heapMap(), ri), panel("sidetable", rt.heapMap(), rt)), command),
                StandardCharsets.UTF_8);
        PageMapPicture table = PageMapPicture.forPages(rt.tablePages());
        Path tableFile = o.svgDir().resolve("04-sidetable-table.svg");
        Files.writeString(tableFile, table.svg("The side table in the same child",
                List.of(panel("sidetable: table", rt.tableMap(), rt)), command), StandardCharsets.UTF_8);
        out.println();
        out.println("figures: " + heapFile + " " + tableFile);
    }

    private static PageMapPicture.Panel panel(String label, PageMap map, SharingReport r) {
        return new PageMapPicture.Panel(label, String.format(Locale.ROOT, "%,d of %,d pages private", map.privatePages().size(),
                map.pages()), map);
    }

    private static DatasetBuilder.Progress progressBar(PrintStream err, long size) {
        if (size < 64L << 20) {
            return DatasetBuilder.Progress.none();
        }
        return (built, target) -> {
            if (built >= target) {
                err.printf(Locale.ROOT, "\r  built %s%n", Sizes.format(built));
            } else {
                err.printf(Locale.ROOT, "\r  building: %3d%% of %s", 100 * built / target, Sizes.format(target));
            }
        };
    }
}
