// ./cowfork demo 03: build a heap in the parent, fork, only read in the child, and watch the refcount writes copy the heap's pages.
package cowfork.heap;

import cowfork.cow.PageMapPicture;
import cowfork.fork.Forker;
import java.io.PrintStream;
import java.util.BitSet;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * The chapter's demo. The parent builds a dataset (a web app's preloaded catalogue) in a
 * refcounted heap and forks. The child serves a fraction of the items as JSON, as a
 * worker would: look the item up by key, serialise it, drop it. It changes no value. The
 * parent then reads the child's page map of the heap and prints how many pages the child
 * had to copy, the page map picture, and the grep-able line
 * {@code refcounts: strategy=inline objects_touched=N heap_pages=T heap_pages_private=P table_pages_private=0}.
 *
 * <p>Modules 04 and 05 run the same experiment with their strategy through {@link #run}.
 */
public final class Demo {
    /** Parsed command line. */
    record Options(long size, double touch, long seed, String strategy) {
    }

    private Demo() {
    }

    public static void main(String[] args) {
        int code = main(args, InlineRefCounts.NAME, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the demo with the strategy named {@code defaultStrategy} unless {@code --strategy}
     * names another; returns the exit code (0 ok, 2 bad arguments). For modules 04 and 05.
     */
    public static int main(String[] args, String defaultStrategy, PrintStream out, PrintStream err) {
        return main(args, defaultStrategy, heap -> { }, out, err);
    }

    /**
     * As {@link #main(String[], String, PrintStream, PrintStream)}, running {@code beforeFork}
     * on the built heap just before the fork (module 05 immortalizes every object there).
     */
    public static int main(String[] args, String defaultStrategy, Consumer<Heap> beforeFork, PrintStream out,
                           PrintStream err) {
        Options options;
        try {
            options = parse(args, defaultStrategy);
        } catch (IllegalArgumentException e) {
            err.println("demo: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        if (options == null) {
            out.println(usage());
            return 0;
        }
        run(options, beforeFork, out, err);
        return 0;
    }

    static String usage() {
        return """
                usage: ./cowfork demo 03 [--quick] [--size BYTES] [--touch FRACTION] [--seed N] [--strategy NAME]
                  --quick           a small dataset (4m), for a fast run
                  --size BYTES      dataset size, with k/m/g suffixes (default 32m; 1g and more for benchmarks)
                  --touch FRACTION  the fraction of items the child serves as JSON, 0 to 1 (default 0.1)
                  --seed N          the dataset's random seed (default 2024)
                  --strategy NAME   the refcount strategy: one of %s
                """.formatted(RefCountStrategies.names()).stripTrailing();
    }

    /** The options, or null for --help. */
    static Options parse(String[] args, String defaultStrategy) {
        long size = DatasetBuilder.DEFAULT_TARGET;
        double touch = 0.1;
        long seed = DatasetBuilder.DEFAULT_SEED;
        String strategy = defaultStrategy;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--quick" -> size = 4L << 20;
                case "--size" -> size = Sizes.parse(value(args, ++i, a));
                case "--touch" -> touch = fraction(value(args, ++i, a));
                case "--seed" -> seed = number(value(args, ++i, a), a);
                case "--strategy" -> strategy = RefCountStrategies.byName(value(args, ++i, a)).name();
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (size < 64 << 10) {
            throw new IllegalArgumentException("--size " + size + " is too small for a dataset: use at least 64k");
        }
        return new Options(size, touch, seed, strategy);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static double fraction(String s) {
        double f;
        try {
            f = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            f = Double.NaN;
        }
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("--touch '" + s + "' is not a fraction between 0 and 1 (e.g. 0.1)");
        }
        return f;
    }

    private static long number(String s, String flag) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " '" + s + "' is not a whole number");
        }
    }

    /** Runs the experiment and prints it; returns the report. */
    static SharingReport run(Options o, Consumer<Heap> beforeFork, PrintStream out, PrintStream err) {
        RefCounts.Factory factory = RefCountStrategies.byName(o.strategy());
        out.printf(Locale.ROOT, "Building a %s dataset in a refcounted heap (strategy %s, seed %d)...%n",
                Sizes.format(o.size()), factory.name(), o.seed());
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(o.size()), factory)) {
            long t0 = System.nanoTime();
            Dataset data = DatasetBuilder.build(heap, o.size(), o.seed(), progressBar(err, o.size()));
            HeapStats stats = heap.stats();
            out.printf(Locale.ROOT, "parent: %,d items, %,d objects, %s live, built in %d ms%n", data.itemCount(),
                    stats.liveObjects(), Sizes.format(stats.liveBytes()), (System.nanoTime() - t0) / 1_000_000);

            int[] chosen = chooseItems(data, o.touch(), o.seed());
            long[] touched = touchedBy(heap, data, chosen);
            BitSet predicted = ObjectGraph.headerPages(touched);
            out.printf(Locale.ROOT, "child:  serves %,d of %,d items (%.0f%%) as JSON: lookup, serialise, drop. No value changes.%n",
                    chosen.length, data.itemCount(), 100.0 * o.touch());

            StringBuilder json = new StringBuilder(1 << 16);
            StringBuilder key = new StringBuilder(32);
            beforeFork.accept(heap);
            Forker forker = Forker.builder().deadline(SharingExperiment.WORKLOAD_TIMEOUT.plusMinutes(1)).build();
            SharingReport report = SharingExperiment.run(forker, heap, h -> serve(h, data, chosen, key, json),
                    touched.length);

            PageMapPicture picture = PageMapPicture.forPages(report.heapPages());
            out.println();
            out.println("The heap in the child (" + picture.legend() + "):");
            out.println(picture.strip(report.heapMap(), "  "));
            out.println();
            out.println(report.line());
            boolean match = predicted.equals(report.heapPrivatePageSet());
            out.printf(Locale.ROOT, "predicted from the touched objects' header addresses: %,d pages private (%s)%n",
                    predicted.cardinality(), factory.name().equals(InlineRefCounts.NAME)
                            ? (match ? "matches the kernel, page for page" : "DIFFERS from the kernel")
                            : "what inline counts would have cost");
            out.printf(Locale.ROOT, "%nWhat to notice: the child changed no value and touched %.0f%% of the items,"
                            + " yet %.0f%% of the heap's pages (%s) are now private copies in the child:"
                            + " every incref wrote a count, and a written page is copied whole.%n",
                    100.0 * o.touch(), 100.0 * report.heapPagesPrivate() / report.heapPages(),
                    Sizes.format((long) report.heapPagesPrivate() * 4096));
            heap.decref(data.root());
            return report;
        }
    }

    /** A deterministic sample of about {@code fraction} of the item indices, ascending. */
    static int[] chooseItems(Dataset data, double fraction, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] picked = new int[data.itemCount()];
        int n = 0;
        for (int i = 0; i < data.itemCount(); i++) {
            if (random.nextDouble() < fraction) {
                picked[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(picked, n);
    }

    /** Every object {@link #serve} touches: the items dict itself, and everything reachable from each chosen item. */
    static long[] touchedBy(Heap heap, Dataset data, int[] chosen) {
        long[] roots = new long[chosen.length];
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < chosen.length; i++) {
            roots[i] = heap.dictGet(data.items(), Dataset.key(chosen[i], key));
        }
        long[] reached = ObjectGraph.reachableFrom(heap, roots);
        return LongStream.concat(LongStream.of(data.items()), LongStream.of(reached)).sorted().distinct().toArray();
    }

    /** The child's work: a worker serving GET /items/{id} for each chosen item. Allocates nothing. */
    static void serve(Heap heap, Dataset data, int[] chosen, StringBuilder key, StringBuilder json) {
        for (int i : chosen) {
            long item = Workloads.lookup(heap, data.items(), Dataset.key(i, key));
            json.setLength(0);
            Json.write(heap, item, json);
            heap.decref(item);
        }
    }

    private static DatasetBuilder.Progress progressBar(PrintStream err, long size) {
        if (size < 64L << 20) {
            return DatasetBuilder.Progress.none(); // quick enough to need none
        }
        return (built, target) -> {
            int width = 40;
            int done = (int) (width * built / target);
            err.printf(Locale.ROOT, "\r  [%s%s] %3d%% %s / %s", "#".repeat(done), ".".repeat(width - done),
                    100 * built / target, Sizes.format(built), Sizes.format(target));
            if (built >= target) {
                err.println();
            }
        };
    }
}
