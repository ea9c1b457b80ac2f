// Runs the experiment: one JVM per HotSpot collector, each forking a parked child and running collections; prints jvm-gc: lines.
package cowfork.jvmgc;

import cowfork.support.Cli;
import cowfork.support.WatchedProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How much of a forked JVM's Java heap each of HotSpot's own collectors un-shares.
 *
 * <p>For each collector this starts a separate JVM ({@link Subject}: java from this JVM's
 * {@code java.home}, this JVM's class path) with that collector and a fixed, pre-touched
 * heap, which builds a live set, forks a child that only waits, runs one event at a time
 * in the parent and reads its own page map. The runs:
 * <pre>
 *   Serial      none, young, full
 *   Parallel    none, young, full
 *   G1          none, young, full
 *   G1          concurrent        -XX:+ExplicitGCInvokesConcurrent -XX:MaxTenuringThreshold=0
 *   ZGC         none, cycle       (then a read-only walk: event cycle+walk)
 *   Shenandoah  none, cycle       (then a read-only walk: event cycle+walk)
 * </pre>
 * {@code none} is the baseline: what measuring and the JVM's own threads un-share. A
 * collector this JDK lacks prints {@code jvm-gc: jdk=N collector=NAME unavailable}. ZGC's
 * heap is a shared mapping that fork does not copy, so by default it is not forked at all
 * (one {@code event=not-forked} line; {@code --fork-shared-heaps} forks it anyway).
 *
 * <pre>
 *   java -cp CLASSPATH cowfork.jvmgc.JvmCollectors [--live-mb 64] [--collectors Serial,G1,...] [--fork-shared-heaps]
 * </pre>
 */
public final class JvmCollectors {
    /** One measured JVM: a collector, its flags, the events it runs. */
    public record Run(String collector, List<String> flags, String events) {}

    /** What to run. */
    public record Options(int liveMb, List<String> collectors, long deadlineSeconds, boolean forkSharedHeaps) {
        public Options {
            if (liveMb < 1 || liveMb > 4096) {
                throw new IllegalArgumentException("--live-mb must be 1..4096, got " + liveMb);
            }
            for (String c : collectors) {
                if (!ALL.contains(c)) {
                    throw new IllegalArgumentException("unknown collector '" + c + "': choose from " + String.join(",", ALL));
                }
            }
            collectors = List.copyOf(collectors);
        }

        public Options(int liveMb, List<String> collectors, long deadlineSeconds) {
            this(liveMb, collectors, deadlineSeconds, false);
        }

        /** 64 MiB of live objects, every collector, 120 s per JVM, no fork of a shared heap. */
        public static Options defaults() {
            return new Options(64, ALL, 120, false);
        }
    }

    static final List<String> ALL = List.of("Serial", "Parallel", "G1", "ZGC", "Shenandoah");

    private JvmCollectors() {}

    /** {@link #ALL}, for {@code ${COMPLETION-CANDIDATES}} in {@code --collectors}' description. */
    static final class CollectorNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ALL.iterator();
        }
    }

    /** A collector's name on the command line: one of {@link #ALL}. */
    public static final class Collector extends Cli.OneOf {
        public Collector() {
            super(ALL);
        }
    }

    /**
     * {@code --collectors}: names of {@link #ALL}, comma-separated; one value, so a second
     * {@code --collectors} replaces the first.
     */
    static final class CollectorList implements Cli.Converter<String> {
        @Override
        public String parse(String text) {
            for (String name : text.split(",", -1)) {
                new Collector().parse(name);
            }
            return text;
        }
    }

    /** The command line of {@code ./cowfork jvm-gc}. */
    @Command(name = "./cowfork jvm-gc", sortOptions = false, sortSynopsis = false,
            description = "One JVM per collector builds the live set, forks a child that only waits, runs one event at a"
                    + " time and prints a jvm-gc: line per event.")
    static final class Flags implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--live-mb", paramLabel = "N", order = 1,
                description = "the live set each JVM builds, in MiB (1..4096, default: ${DEFAULT-VALUE})")
        int liveMb = Options.defaults().liveMb();

        @Option(names = "--collectors", paramLabel = "A,B", order = 2, converter = CollectorList.class,
                completionCandidates = CollectorNames.class,
                description = "the collectors to measure, in order, comma-separated: any of ${COMPLETION-CANDIDATES}"
                        + " (default: all of them)")
        String collectors = String.join(",", ALL);

        @Option(names = "--fork-shared-heaps", order = 3,
                description = "fork ZGC too, whose heap is a shared mapping: it may crash parent or child")
        boolean forkSharedHeaps;

        @Override
        public void check() {
            options();
        }

        /** The options asked for. @throws IllegalArgumentException for a live set out of range or an unknown collector */
        Options options() {
            return new Options(liveMb, List.of(collectors.split(",")), Options.defaults().deadlineSeconds(), forkSharedHeaps);
        }
    }

    public static void main(String[] args) {
        System.exit(command(args, System.out, System.err));
    }

    /**
     * The command line: runs the JVMs, or prints the usage for {@code --help}.
     *
     * @return 0 for {@code --help}, 2 for a bad option (the reason, naming the flag, on {@code err}),
     *         else what {@link #run} returns
     */
    static int command(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            Flags flags = Cli.parse(new Flags(), args, out);
            if (flags == null) {
                return 0;
            }
            options = flags.options();
        } catch (IllegalArgumentException e) {
            err.println("jvm-gc: " + e.getMessage());
            return 2;
        }
        return run(out, options);
    }

    /** The options {@code args} ask for, or null if they ask for {@code --help} ({@code -h}). */
    static Options parse(String[] args) {
        Flags flags = Cli.parse(new Flags(), args);
        return flags == null ? null : flags.options();
    }

    /** The JVMs to start for {@code collectors}, in order. */
    static List<Run> plan(List<String> collectors) {
        List<Run> runs = new ArrayList<>();
        for (String c : collectors) {
            switch (c) {
                case "Serial" -> runs.add(new Run(c, List.of("-XX:+UseSerialGC"), "none,young,full"));
                case "Parallel" -> runs.add(new Run(c, List.of("-XX:+UseParallelGC"), "none,young,full"));
                case "G1" -> {
                    runs.add(new Run(c, List.of("-XX:+UseG1GC"), "none,young,full"));
                    // System.gc() now starts a concurrent cycle, so it can no longer promote the
                    // live set with a full collection: the young pause that starts the cycle does,
                    // when every survivor is promoted at once.
                    runs.add(new Run(c, List.of("-XX:+UseG1GC", "-XX:+ExplicitGCInvokesConcurrent",
                            "-XX:MaxTenuringThreshold=0"), "concurrent"));
                }
                case "ZGC" -> runs.add(new Run(c, List.of("-XX:+UseZGC"), "none,cycle"));
                case "Shenandoah" -> runs.add(new Run(c, List.of("-XX:+UseShenandoahGC"), "none,cycle"));
                default -> throw new IllegalArgumentException("unknown collector " + c);
            }
        }
        return runs;
    }

    /**
     * Runs every planned JVM in turn and prints their {@code jvm-gc:} lines to {@code out}.
     *
     * @return 0 if every available collector's JVM printed its lines, 1 if one failed or
     *         missed its deadline (it was killed; what it printed besides its lines goes to {@code out})
     */
    public static int run(PrintStream out, Options options) {
        int status = 0;
        for (Run run : plan(options.collectors())) {
            Result r = start(run, options);
            r.lines().forEach(out::println);
            if (!r.ok()) {
                status = 1;
            }
            if (!r.problem().isEmpty()) {
                out.println("jvm-gc: collector=" + run.collector() + " failed: " + r.problem());
            }
            out.flush();
        }
        return status;
    }

    /** What one JVM printed; {@code problem} is empty when it ran to the end. */
    record Result(List<String> lines, boolean ok, String problem) {}

    /** The command line of the measured JVM (without the class path). */
    static List<String> command(Run run, int liveMb, boolean forkSharedHeap) {
        int heapMb = 4 * liveMb + 64; // the old generation must hold the live set twice over (Serial: 2/3 of the heap)
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(run.flags());
        cmd.addAll(List.of("-Xms" + heapMb + "m", "-Xmx" + heapMb + "m", "-XX:+AlwaysPreTouch",
                "-XX:NativeMemoryTracking=detail", "-XX:-UsePerfData",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
                // A child that crashes (ZGC's do) writes its report here, not into the working directory.
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "cowfork-jvm-gc-hs_err_pid%p.log")));
        int feature = Runtime.version().feature();
        if (feature >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED"); // jffi, as ./cowfork does
        }
        if (feature >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Subject.class.getName(),
                run.collector(), String.valueOf(liveMb), run.events()));
        if (forkSharedHeap) {
            cmd.add("fork-shared-heap");
        }
        return cmd;
    }

    private static Result start(Run run, Options options) {
        try (WatchedProcess p = WatchedProcess.start(command(run, options.liveMb(), options.forkSharedHeaps()),
                line -> { })) {
            int status;
            try {
                status = p.awaitExit(Duration.ofSeconds(options.deadlineSeconds()));
            } catch (IllegalStateException e) { // killed at the deadline, with every process it started
                return new Result(List.of(), false, "no result within " + options.deadlineSeconds() + " s; killed it");
            }
            List<String> lines = p.lines().stream().filter(l -> l.startsWith(GcLine.PREFIX)).toList();
            if (status != 0) {
                String said = p.lines().stream().filter(l -> !l.startsWith(GcLine.PREFIX))
                        .collect(Collectors.joining("\n")).strip();
                if (said.contains("Unrecognized VM option") || said.contains("not supported")
                        || said.contains("Could not create the Java Virtual Machine")) {
                    return new Result(List.of(GcLine.PREFIX + "jdk=" + Runtime.version().feature() + " collector="
                            + run.collector() + " unavailable"), true, "");
                }
                return new Result(lines, false, "exit " + status + ": " + said);
            }
            return new Result(lines, true, "");
        }
    }
}
