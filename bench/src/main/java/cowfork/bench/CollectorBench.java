// What a mark placement costs the running program: one full collection of the same heap, per placement, in one run, as ratios to header marks.
package cowfork.bench;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.heap.Collector;
import cowfork.heap.HeaderMarks;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacement;
import cowfork.heap.MarkPlacements;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One full collection ({@link Collector#collect}) of a 16 MiB dataset, per mark placement
 * registered on the class path, each with the refcount strategy it shipped with, after
 * the placement's {@code prepareForFork} (frozen: collect, then freeze). Nothing is
 * garbage after the first collection, so each invocation measures a mark of every live
 * object and a sweep of the whole heap: the work a worker's full collection does.
 *
 * <p>What to expect: the bitmap pays an address computation and a read-modify-write of a
 * shared word per mark, the cost Ruby 2.0 called "a little bit slower"; frozen marks
 * nothing but still reads every frozen object to find the young ones it holds.
 *
 * <pre>
 * HOW TO RUN:  java -cp &lt;every module's classpath&gt; cowfork.bench.CollectorBench [--size 16m]
 *   prints, per placement, the median time of one collection and its ratio to header marks
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CollectorBench {
    @Param({HeaderMarks.NAME})
    public String placement;

    /** Dataset size in bytes (k/m/g suffixes). */
    @Param({"16m"})
    public String size;

    private Heap heap;
    private Collector collector;
    private Dataset data;

    @Setup(Level.Trial)
    public void build() {
        long target = cowfork.support.Sizes.parse(size, cowfork.heap.Heap.MAX_BYTES);
        MarkPlacement.Factory f = MarkPlacements.byName(placement);
        heap = Heap.create(DatasetBuilder.heapSizeFor(target), f.shippedWith());
        data = DatasetBuilder.build(heap, target);
        collector = new Collector(heap, f);
        collector.prepareForFork(data.root());
    }

    @TearDown(Level.Trial)
    public void close() {
        collector.close();
        heap.close();
    }

    @Benchmark
    public long fullCollection() {
        return collector.collect(data.root()).live();
    }

    /** The command line of {@link #main}. */
    @Command(name = "cowfork.bench.CollectorBench",
            description = "One full collection per mark placement, one JMH run each; medians and ratios to header marks.")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--size", paramLabel = "BYTES", defaultValue = "16m", converter = Cli.Size.class,
                description = "the data set each collection walks, k/m/g suffixes (default: ${DEFAULT-VALUE})")
        long sizeBytes;

        @Override
        public void check() {
            Cli.withinSize("--size", sizeBytes, 1, Heap.MAX_BYTES);
        }
    }

    public static void main(String[] args) throws RunnerException {
        Options o;
        try {
            o = Cli.parse(new Options(), args);
            if (o == null) { // --help: the usage is printed
                return;
            }
        } catch (IllegalArgumentException e) { // run with java, not ./cowfork: say it here, without a stack trace
            System.err.println("CollectorBench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Collection<RunResult> results = Bench.oneRun(CollectorBench.class, "placement", MarkPlacements.names(),
                Sizes.toArgument(o.sizeBytes));
        Map<String, Double> medians = new LinkedHashMap<>();
        for (RunResult r : results) {
            medians.put(r.getParams().getParam("placement"), r.getPrimaryResult().getStatistics().getPercentile(50));
        }
        Double base = medians.get(HeaderMarks.NAME);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-10s %14s %s%n", "placement", "median ms/op", "ratio to header");
        medians.forEach((p, m) -> System.out.printf(Locale.ROOT, "%-10s %14.3f %s%n", p, m,
                base == null ? "-" : String.format(Locale.ROOT, "%.2f", m / base)));
    }
}
