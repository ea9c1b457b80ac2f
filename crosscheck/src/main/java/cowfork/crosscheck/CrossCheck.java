// The cross-check's entry point: chapter 03's catalogue and workloads run in every real CPython and Ruby found here, their forked children measured through chapter 02's Smaps.
package cowfork.crosscheck;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.ServedItems;
import cowfork.heap.Heap;
import cowfork.heap.RefCountStrategies;
import cowfork.support.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs, for every interpreter found (or named), the model's experiment in the real thing:
 * the script builds the catalogue, prepares the heap for fork or not, forks, and the child
 * runs one workload and waits while this JVM reads its memory. Prints one result line per
 * run ({@link ResultLine}); a language with no interpreter gets one "missing" line and
 * does not fail the check.
 *
 * <p>Exit codes, as every demo: 0 when every run that could run did (missing runtimes
 * included), 1 when a run failed (its line says why; the other runs still ran), 2 for a
 * wrong argument.
 */
public final class CrossCheck {
    /** The catalogue --quick builds. */
    static final int QUICK_ITEMS = 4_000;
    /** The share of the items a serving child serves, as in chapters 03-05. */
    static final double SERVED_FRACTION = 0.1;

    /** The parsed command line. {@code items} is 0 for "as many as chapter 03's default dataset holds". */
    record Options(int items, List<Path> pythons, List<Path> rubies, String only, Duration timeout, boolean markdown) {
        boolean wants(String language) {
            return only == null || only.equals(language);
        }
    }

    /** The command line of {@code ./cowfork crosscheck}. */
    @Command(name = "./cowfork crosscheck", sortOptions = false, sortSynopsis = false,
            description = "Chapter 03's catalogue and workloads in every real CPython and Ruby found here, measured from"
                    + " /proc/PID/smaps of a forked child.")
    static final class Flags implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--quick", order = 1,
                description = "a " + QUICK_ITEMS + "-item catalogue instead of chapter 03's 32 MiB one (seconds, not a minute)")
        boolean quick;

        @Option(names = "--items", paramLabel = "N", order = 2, description = "a catalogue of N items (10 to 10,000,000)")
        int items;

        @Option(names = "--python", paramLabel = "EXE", order = 3, description = "measure this CPython (repeatable) instead"
                + " of every python3.X on PATH and in ~/.pyenv/versions")
        List<Path> pythons = new ArrayList<>();

        @Option(names = "--ruby", paramLabel = "EXE", order = 4, description = "measure this Ruby (repeatable) instead of"
                + " every ruby on PATH, in ~/.rbenv/versions and ~/.rubies")
        List<Path> rubies = new ArrayList<>();

        @Option(names = "--only", paramLabel = "LANG", order = 5, converter = Language.class,
                description = "measure one language only: cpython or ruby")
        String only;

        @Option(names = "--timeout", paramLabel = "SECONDS", order = 6, description = "the deadline of one run, in seconds"
                + " (1 to 3600, default: ${DEFAULT-VALUE}); past it the run's processes are killed")
        int timeout = 120;

        @Option(names = "--markdown", order = 7, description = "also print the results as a Markdown table")
        boolean markdown;

        @Override
        public void check() {
            if (items != 0) {
                Cli.within("--items", items, 10, 10_000_000);
            }
            Cli.within("--timeout", timeout, 1, 3600);
        }

        Options options() {
            return new Options(quick && items == 0 ? QUICK_ITEMS : items, List.copyOf(pythons), List.copyOf(rubies), only,
                    Duration.ofSeconds(timeout), markdown);
        }
    }

    /** {@code --only}: cpython or ruby. */
    static final class Language extends Cli.OneOf {
        Language() {
            super(List.of("cpython", "ruby"));
        }
    }

    private CrossCheck() {
    }

    /** Runs the cross-check on this machine; ends the JVM with the exit code if it is not 0. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the cross-check and returns its exit code (see the class comment); for launchers such as the cli. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, Interpreters.Search.fromEnvironment(), out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, discovering interpreters in {@code search}. */
    static int run(String[] args, Interpreters.Search search, PrintStream out, PrintStream err) {
        Options o;
        try {
            Flags flags = Cli.parse(new Flags(), args, out);
            if (flags == null) {
                return 0;
            }
            o = flags.options();
        } catch (IllegalArgumentException e) {
            err.println("crosscheck: " + e.getMessage());
            return 2;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cowfork-crosscheck-");
            Path python = extract(dir, "cpython_crosscheck.py");
            Path ruby = extract(dir, "ruby_crosscheck.rb");
            ForkedRun.Plan plan = plan(o, dir, out);
            int failed = 0;
            List<ResultLine> results = new ArrayList<>();
            if (o.wants("cpython")) {
                failed += language("cpython", o.pythons(), Interpreters.pythonCandidates(search),
                        "no python3.X found on PATH or in ~/.pyenv/versions", python, plan, o, results, out, err);
            }
            if (o.wants("ruby")) {
                failed += language("ruby", o.rubies(), Interpreters.rubyCandidates(search),
                        "no ruby found on PATH, in ~/.rbenv/versions or in ~/.rubies (Debian: apt-get install ruby)",
                        ruby, plan, o, results, out, err);
            }
            if (o.markdown() && !results.isEmpty()) {
                out.println();
                out.print(ResultLine.markdownTable(results));
            }
            return failed == 0 ? 0 : 1;
        } catch (IOException e) {
            err.println("crosscheck: cannot write its scripts to a temporary directory: " + e.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            err.println("crosscheck: " + e.getMessage());
            return 1;
        } finally {
            deleteTree(dir);
        }
    }

    /** Chooses the items and the served sample, writes the sample for the scripts, and says so. */
    private static ForkedRun.Plan plan(Options o, Path dir, PrintStream out) throws IOException {
        long seed = DatasetBuilder.DEFAULT_SEED;
        int items = o.items() > 0 ? o.items() : modelItemCount();
        // The very indices chapters 03-05 serve (ServedItems.choose reads only the item count)
        int[] chosen = ServedItems.choose(new Dataset(Heap.NULL, Heap.NULL, Heap.NULL, items, seed), SERVED_FRACTION, seed);
        Path served = dir.resolve("served.txt");
        Files.writeString(served, Stream.of(chosen).flatMapToInt(java.util.Arrays::stream).mapToObj(String::valueOf)
                .collect(Collectors.joining("\n", "", "\n")));
        out.println("crosscheck: items=" + items + " served=" + chosen.length + " seed=" + seed
                + (o.items() > 0 ? "" : " (chapter 03's default dataset: its item count, its served sample)"));
        return new ForkedRun.Plan(items, seed, served, chosen.length);
    }

    /**
     * How many items chapter 03's builder puts in its default dataset: built once, in a heap of our own.
     *
     * @throws IllegalStateException if the heap cannot be built here (the message says to pass --items)
     */
    private static int modelItemCount() {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(DatasetBuilder.DEFAULT_TARGET),
                RefCountStrategies.byName("inline"))) {
            return DatasetBuilder.build(heap, DatasetBuilder.DEFAULT_TARGET).itemCount();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("cannot build chapter 03's dataset to count its items (" + e
                    + "); give the count with --items N instead", e);
        }
    }

    /** Finds, probes and measures one language; returns how many runs failed. */
    private static int language(String language, List<Path> named, List<Path> candidates, String missing, Path script,
                                ForkedRun.Plan plan, Options o, List<ResultLine> results, PrintStream out, PrintStream err) {
        Interpreters.Found found = Interpreters.probe(language, named.isEmpty() ? candidates : named, script);
        int failed = 0;
        for (String s : found.skipped()) {
            if (named.isEmpty()) {
                err.println("crosscheck: skipped " + s);
            } else {
                out.println(language + ": failed: " + s); // one the user asked for: an error, not a note
                failed++;
            }
        }
        if (found.interpreters().isEmpty() && named.isEmpty()) {
            out.println(language + ": missing: " + missing);
            return 0;
        }
        // Ruby adds "iterate": serving's Hash walk without its allocations, to tell the two causes apart
        List<String> workloads = language.equals("cpython") ? List.of("idle", "serve", "gc")
                : List.of("idle", "serve", "iterate", "full-gc");
        List<String> preps = ForkedRun.preps(language);
        for (Interpreter in : found.interpreters()) {
            out.println("crosscheck: " + in);
            for (String workload : workloads) {
                for (String prep : workload.equals("idle") ? preps.subList(0, 1) : preps) {
                    String what = language + ": version=" + in.version() + " workload=" + workload + " "
                            + ForkedRun.setting(in, prep);
                    String unavailable = ForkedRun.unavailable(in, prep);
                    if (unavailable != null) {
                        out.println(what + " skipped: " + unavailable);
                        continue;
                    }
                    try {
                        ResultLine r = ForkedRun.measure(in, script, plan, workload, prep, o.timeout());
                        results.add(r);
                        out.println(r.format());
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        out.println(what + " failed: " + e.getMessage());
                        failed++;
                    }
                }
            }
        }
        return failed;
    }

    /** Copies a script from the class path to {@code dir}: interpreters need a file, and the class path may be a jar. */
    private static Path extract(Path dir, String name) throws IOException {
        try (InputStream in = CrossCheck.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the script " + name + " is missing from the class path: rebuild the crosscheck module");
            }
            Path file = dir.resolve(name);
            Files.copy(in, file);
            return file;
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
