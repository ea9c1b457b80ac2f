// One command runs the refcount benchmarks for every strategy on the class path and prints medians and ratios to inline.
package cowfork.bench;

import cowfork.heap.InlineRefCounts;
import cowfork.heap.RefCountStrategies;
import cowfork.server.master.ServerConfig;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs {@link RefCountBench} through JMH's Runner API: one fork, 3 warm-up and 5
 * measured iterations of 1 s each, every registered strategy (or those named with
 * {@code --strategy a,b}), then prints each benchmark's median per strategy and its
 * ratio to inline.
 *
 * <pre>
 * HOW TO RUN:  ./cowfork bench [--strategy inline,...] [--size 16m]
 *   or: java -cp &lt;module classpath&gt; cowfork.bench.Bench
 * </pre>
 * One run per strategy is a quick look, not a ratio to quote: on a busy machine each
 * strategy's run meets different neighbours. {@code ./cowfork bench --compare A,B} (handed
 * to {@link Compare}) measures a ratio that survives them.
 * The benchmark JVM does not fork processes, so it needs no fork recipe flags.
 */
public final class Bench {
    private Bench() {
    }

    /** The command line of {@code ./cowfork bench} (with {@code --compare}, {@link Compare.Options} reads it). */
    @Command(name = "./cowfork bench", sortOptions = false,
            description = "JMH: every refcount strategy in one run, one fork each, 3 warm-up and 5 measured iterations of 1 s;"
                    + " each benchmark's median per strategy and its ratio to inline.",
            footer = "./cowfork bench --compare A,B ... times two strategies as pairs (./cowfork bench --compare --help).")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--strategy", paramLabel = "NAME", split = ",", completionCandidates = ServerConfig.Strategies.class,
                description = "the strategies to run, comma-separated: ${COMPLETION-CANDIDATES} (default: all)")
        List<String> strategies = RefCountStrategies.names();

        @Option(names = "--size", paramLabel = "BYTES", defaultValue = "16m", converter = Cli.Size.class,
                description = "the data set each benchmark builds, k/m/g suffixes (default: ${DEFAULT-VALUE})")
        long sizeBytes;

        /** The checks picocli does not make: known strategies (now, with the list of names, not in the forked JVM), the size. */
        @Override
        public void check() {
            strategies.forEach(RefCountStrategies::byName);
            Cli.withinSize("--size", sizeBytes, 1, cowfork.heap.Heap.MAX_BYTES);
        }
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.stream(args).anyMatch(a -> a.equals("--compare") || a.startsWith("--compare="))) {
            Compare.main(args);
            return;
        }
        Options o = Cli.parse(new Options(), args);
        if (o == null) { // --help: the usage is printed
            return;
        }
        Collection<RunResult> results = oneRun(RefCountBench.class, "strategy", o.strategies, Sizes.toArgument(o.sizeBytes));
        System.out.println();
        System.out.println(summary(results));
    }

    /**
     * One JMH run of every benchmark method of {@code benchmark}, for each of {@code values}
     * of its parameter {@code parameter}: one fork each, 3 warm-up and 5 measured iterations of 1 s.
     */
    static Collection<RunResult> oneRun(Class<?> benchmark, String parameter, List<String> values, String size)
            throws RunnerException {
        return new Runner(new OptionsBuilder()
                .include(benchmark.getName())
                .param(parameter, values.toArray(String[]::new))
                .param("size", size)
                .forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend(forkedJvmArgs().toArray(String[]::new))
                .build()).run();
    }

    /** A table: benchmark, strategy, median, unit, ratio to inline (lower is faster). */
    static String summary(Collection<RunResult> results) {
        Map<String, Map<String, double[]>> byBench = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String strategy = r.getParams().getParam("strategy");
            double median = r.getPrimaryResult().getStatistics().getPercentile(50);
            byBench.computeIfAbsent(bench, b -> new LinkedHashMap<>()).put(strategy, new double[] {median});
            units.put(bench, r.getPrimaryResult().getScoreUnit());
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s %-10s %12s %-8s %s%n",
                "benchmark", "strategy", "median", "unit", "ratio to inline"));
        byBench.forEach((bench, perStrategy) -> {
            double[] base = perStrategy.get(InlineRefCounts.NAME);
            perStrategy.forEach((strategy, median) -> sb.append(String.format(Locale.ROOT, "%-14s %-10s %12.3f %-8s %s%n",
                    bench, strategy, median[0], units.get(bench),
                    base == null ? "-" : String.format(Locale.ROOT, "%.2f", median[0] / base[0]))));
        });
        return sb.toString();
    }

    /**
     * The options of the JVM JMH forks for a measurement: a fixed 1 GiB Serial heap, and the
     * native-access flags newer JDKs ask for (jnr-ffi maps the object heap).
     */
    static List<String> forkedJvmArgs() {
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 22) {
            jvmArgs.add("--enable-native-access=ALL-UNNAMED");
        }
        if (Runtime.version().feature() >= 24) {
            jvmArgs.add("--sun-misc-unsafe-memory-access=allow");
        }
        return jvmArgs;
    }
}
