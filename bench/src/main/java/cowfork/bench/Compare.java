// ./cowfork bench --compare A,B: A against B as many short pairs in random order, each side in a fresh JMH fork; the median ratio and its 95% interval.
package cowfork.bench;

import cowfork.heap.MarkPlacements;
import cowfork.heap.RefCountStrategies;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A ratio between two strategies that survives a busy machine. One long run per strategy
 * measures each under whatever the neighbours were doing at the time, and on a shared
 * 2-core machine the same ratio has come out anywhere between 1.3 and 2.3. Here A and B
 * are measured as a pair, back to back, in an order a seeded coin picks, each in a fresh
 * JMH fork with a short warm-up; a burst of load then slows both sides of a pair, and
 * their ratio keeps. Pairs are added until the 95% interval of the median ratio is as
 * narrow as {@code --precision} asks, or the {@code --budget} is spent
 * ({@link StoppingRule}); the statistics are in {@link PairedRatios}.
 *
 * <pre>
 * HOW TO RUN:  ./cowfork bench --compare inline,immortal [--benchmark increfDecref] [--precision 0.02] [--budget 10m]
 *   prints the median of time(B)/time(A) over the pairs, its 95% interval, the number of pairs,
 *   whether the interval excludes 1.00 and 1.02, and why it stopped; progress goes to stderr.
 *   ./cowfork bench --compare inline,inline is the sanity check: its interval must contain 1.00.
 * </pre>
 */
public final class Compare {
    private Compare() {
    }

    /** What a comparison times: a JMH benchmark method, and the parameter a side's name goes in. */
    enum Target {
        INCREF_DECREF("increfDecref", RefCountBench.class, "strategy", RefCountStrategies::names),
        SERVE_JSON("serveJson", RefCountBench.class, "strategy", RefCountStrategies::names),
        SUM_FIELD("sumField", RefCountBench.class, "strategy", RefCountStrategies::names),
        FULL_COLLECTION("fullCollection", CollectorBench.class, "placement", MarkPlacements::names);

        final String method;
        final String benchmarkClass;
        final String parameter;
        final Supplier<List<String>> known;

        Target(String method, Class<?> benchmarkClass, String parameter, Supplier<List<String>> known) {
            this.method = method;
            this.benchmarkClass = benchmarkClass.getName();
            this.parameter = parameter;
            this.known = known;
        }

        /** For {@code --benchmark}: the target whose method is named. */
        static final class Converter implements Cli.Converter<Target> {
            @Override
            public Target parse(String method) {
                return byMethod(method);
            }
        }

        static Target byMethod(String method) {
            for (Target t : values()) {
                if (t.method.equals(method)) {
                    return t;
                }
            }
            List<String> methods = new ArrayList<>();
            for (Target t : values()) {
                methods.add(t.method);
            }
            throw new IllegalArgumentException("'" + method + "' is not one of " + methods);
        }
    }

    /**
     * How long each JMH fork warms up and measures. The warm-up is long enough for the JIT
     * compiler, which competes for the same two cores: at a load average of 10, serveJson
     * ran about 25 iterations of 20 ms before its compiled code did. The measured iterations
     * are short, so that many of them fit between two preemptions: at a load average of 20,
     * the fastest of 200 iterations of 1 ms was within 5% of the quiet machine's time, the
     * fastest of 40 iterations of 20 ms 40% to 80% above it.
     */
    record Timing(int warmups, Duration warmupTime, int iterations, Duration iterationTime) {
        static final Timing SHORT = new Timing(25, Duration.ofMillis(20), 100, Duration.ofMillis(1));
    }

    /** Times one side of a pair: a fresh measurement of the benchmark with this name, in its unit. */
    @FunctionalInterface
    interface Measurement {
        double time(String name) throws Exception;
    }

    /** A finished comparison: every pair, the interval over them, why it stopped, and how long it took. */
    record Result(List<PairedRatios.Pair> pairs, PairedRatios.Interval interval, StoppingRule.Verdict verdict,
                  Duration elapsed) {}

    /**
     * Measures pairs of {@code a} and {@code b} with {@code measure} until {@code rule} says
     * stop. In each pair a coin from a {@link SplittableRandom} seeded with {@code seed}
     * picks which side goes first. {@code nanos} is the clock the budget is read on;
     * {@code afterPair} sees each pair as it finishes (the progress line, the CSV row).
     *
     * @throws Exception whatever {@code measure} throws; the pairs measured until then have
     *         already been handed to {@code afterPair}
     */
    static Result run(String a, String b, StoppingRule rule, long seed, Measurement measure, LongSupplier nanos,
                      Consumer<Progress> afterPair) throws Exception {
        SplittableRandom coin = new SplittableRandom(seed);
        List<PairedRatios.Pair> pairs = new ArrayList<>();
        long start = nanos.getAsLong();
        while (true) {
            boolean aFirst = coin.nextBoolean();
            double timeA;
            double timeB;
            if (aFirst) {
                timeA = measure.time(a);
                timeB = measure.time(b);
            } else {
                timeB = measure.time(b);
                timeA = measure.time(a);
            }
            pairs.add(new PairedRatios.Pair(timeA, timeB));
            Duration elapsed = Duration.ofNanos(nanos.getAsLong() - start);
            PairedRatios.Interval interval = PairedRatios.bootstrap(pairs, seed);
            StoppingRule.Verdict verdict = rule.after(interval, elapsed, elapsed.dividedBy(pairs.size()));
            afterPair.accept(new Progress(pairs.get(pairs.size() - 1), aFirst, interval, elapsed));
            if (verdict != StoppingRule.Verdict.CONTINUE) {
                return new Result(List.copyOf(pairs), interval, verdict, elapsed);
            }
        }
    }

    /** A pair just measured, with the interval over every pair so far. */
    record Progress(PairedRatios.Pair pair, boolean aFirst, PairedRatios.Interval interval, Duration elapsed) {}

    /**
     * One side's time: a JMH run of the target's benchmark with one parameter value, in one
     * fresh fork; the <em>fastest</em> of its many short measured iterations. A neighbour's
     * build can make an iteration slower, never faster, so the fastest iteration is the one
     * the machine disturbed least (the minimum estimator of Chen and Revels, "Robust
     * benchmarking in noisy environments", 2016, which Julia's BenchmarkTools uses).
     */
    static double jmh(Target target, String name, String size, Timing timing) throws RunnerException {
        RunResult result = new Runner(new OptionsBuilder()
                .include("^" + Pattern.quote(target.benchmarkClass + "." + target.method) + "$")
                .param(target.parameter, name)
                .param("size", size)
                .forks(1)
                .warmupIterations(timing.warmups()).warmupTime(TimeValue.milliseconds(timing.warmupTime().toMillis()))
                .measurementIterations(timing.iterations())
                .measurementTime(TimeValue.milliseconds(timing.iterationTime().toMillis()))
                .jvmArgsAppend(Bench.forkedJvmArgs().toArray(String[]::new))
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build()).runSingle();
        return result.getPrimaryResult().getStatistics().getMin();
    }

    /** The command line of {@code ./cowfork bench --compare}; {@link #check} reads the two names. */
    @Command(name = "./cowfork bench --compare", sortOptions = false, description = {
        "Times A and B as pairs, back to back in random order, each side in a fresh JMH fork (its time: the fastest"
                + " of its short measured iterations), and reports the median of the pairs' ratios time(B)/time(A) with"
                + " its 95%% bootstrap interval (10,000 resamples). Adds pairs until the interval's half-width is at most"
                + " --precision (a fraction of the median: 0.02 = ±2%%) after at least --min-pairs pairs, or until the next"
                + " pair would overrun --budget.",
        "A,A (the same name twice) is the sanity check: the interval must contain 1.00."})
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        // an optional value, so that "--compare --help" shows this help rather than miss the names
        @Option(names = "--compare", paramLabel = "A,B", arity = "0..1", fallbackValue = "",
                description = "the two names to compare: refcount strategies, or mark placements for fullCollection")
        String compare;

        @Option(names = "--benchmark", paramLabel = "NAME", defaultValue = "increfDecref", converter = Target.Converter.class,
                description = "increfDecref (default), serveJson or sumField compare refcount strategies;"
                        + " fullCollection compares mark placements (one full collection)")
        Target target;

        @Option(names = "--precision", paramLabel = "FRACTION", defaultValue = "0.02", converter = Fraction.class,
                description = "stop when the 95%% interval is this narrow, a fraction of the median (default: ${DEFAULT-VALUE})")
        double precision;

        @Option(names = "--budget", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
                description = "stop before the next pair would overrun this: 90s, 8m, 1h (default: ${DEFAULT-VALUE})")
        Duration budget;

        @Option(names = "--min-pairs", paramLabel = "N", defaultValue = "20",
                description = "pairs before an interval is believed, 2 to 100000 (default: ${DEFAULT-VALUE})")
        int minPairs;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
                description = "seeds the coin that orders each pair, and the bootstrap (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--size", paramLabel = "BYTES", defaultValue = "16m", converter = Cli.Size.class,
                description = "the data set each benchmark builds (default: ${DEFAULT-VALUE})")
        long sizeBytes;

        @Option(names = "--csv", paramLabel = "FILE",
                description = "every pair's two times and ratio, written as each pair finishes")
        Path csv;

        @Option(names = "--warmups", paramLabel = "N", defaultValue = "25",
                description = "warm-up iterations, 0 to 1000: serveJson compiles more code than increfDecref, and under"
                        + " a load average of 20 its JIT needs --warmups 100 (2 s) to finish (default: ${DEFAULT-VALUE})")
        int warmups;

        @Option(names = "--warmup-time", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
                description = "each warm-up iteration (default: ${DEFAULT-VALUE})")
        Duration warmupTime;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "100",
                description = "measured iterations, 1 to 10000; a side's time is the fastest (default: ${DEFAULT-VALUE})")
        int iterations;

        @Option(names = "--iteration-time", paramLabel = "DURATION", defaultValue = "1ms", converter = DurationConverter.class,
                description = "each measured iteration (default: ${DEFAULT-VALUE})")
        Duration iterationTime;

        private String a;
        private String b;

        /**
         * The checks picocli does not make: two names the benchmark knows, ranges, a size a heap can have.
         *
         * @throws IllegalArgumentException naming the flag
         */
        @Override
        public void check() {
            if (compare == null) {
                throw new IllegalArgumentException("--compare A,B is required: the two names to compare (e.g. inline,immortal)");
            }
            String[] names = compare.split(",", -1);
            if (names.length != 2 || names[0].isBlank() || names[1].isBlank()) {
                throw new IllegalArgumentException("--compare takes two names, A,B (e.g. inline,immortal), got '"
                        + compare + "'");
            }
            List<String> known = target.known.get();
            for (String name : names) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("--benchmark " + target.method + " compares "
                            + (target.parameter.equals("strategy") ? "refcount strategies" : "mark placements") + "; '"
                            + name + "' is not one on the class path; known: " + known);
                }
            }
            Cli.within("--min-pairs", minPairs, 2, 100_000);
            Cli.within("--warmups", warmups, 0, 1000);
            Cli.within("--iterations", iterations, 1, 10_000);
            Cli.withinSize("--size", sizeBytes, 1, cowfork.heap.Heap.MAX_BYTES); // fail now, not in the forked JVM
            a = names[0];
            b = names[1];
        }

        Target target() {
            return target;
        }

        String a() {
            return a;
        }

        String b() {
            return b;
        }

        StoppingRule rule() {
            return new StoppingRule(precision, budget, minPairs);
        }

        long seed() {
            return seed;
        }

        /** The size as the benchmarks' {@code size} parameter reads it: 16m. */
        String size() {
            return Sizes.toArgument(sizeBytes);
        }

        Path csv() {
            return csv;
        }

        Timing timing() {
            return new Timing(warmups, warmupTime, iterations, iterationTime);
        }
    }

    /** The checked options, or null after --help (printed on standard output). */
    static Options parse(String[] args) {
        return Cli.parse(new Options(), args);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** "150ms", "90s", "8m", "1h" as a duration; anything else is an error picocli reports with the flag's name. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 150ms, 90s, 8m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** For the duration flags: {@link #duration}. */
    static final class DurationConverter implements Cli.Converter<Duration> {
        @Override
        public Duration parse(String text) {
            return duration(text);
        }
    }

    /** For {@code --precision}: a fraction such as 0.02. */
    static final class Fraction implements Cli.Converter<Double> {
        @Override
        public Double parse(String text) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a fraction such as 0.02 (±2%)");
            }
        }
    }

    /** {@code ./cowfork bench --compare A,B ...} ({@link Bench} hands a command line with {@code --compare} here). */
    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        if (o == null) { // --help: the usage is printed
            return;
        }
        // JMH refuses to start while another JMH run on the machine holds /tmp/jmh.lock. On a
        // machine shared by design another benchmark is one more neighbour, which the pairs
        // survive; a comparison that died at its 80th pair would not.
        System.setProperty("jmh.ignoreLock", "true");
        PrintStream err = System.err;
        err.printf(Locale.ROOT, "compare: %s, %s against %s, pairs of fresh JMH forks (%d x %d ms warm-up, fastest of %d x %d ms)"
                        + " until ±%.1f%% or %s%n", o.target().method, o.b(), o.a(), o.timing().warmups(),
                o.timing().warmupTime().toMillis(), o.timing().iterations(), o.timing().iterationTime().toMillis(),
                100 * o.rule().precision(),
                minutes(o.rule().budget()));
        try (Writer csv = o.csv() == null ? Writer.nullWriter() : Files.newBufferedWriter(o.csv(), StandardCharsets.UTF_8)) {
            csv.write("pair,first,a_" + o.a() + ",b_" + o.b() + ",ratio_b_over_a\n");
            int[] count = {0};
            Result result = run(o.a(), o.b(), o.rule(), o.seed(),
                    name -> jmh(o.target(), name, o.size(), o.timing()), System::nanoTime, p -> {
                        count[0]++;
                        err.printf(Locale.ROOT, "pair %3d  A %s %.4g, B %s %.4g (%s first)  B/A %.3f   median %s  %s of %s%n",
                                count[0], o.a(), p.pair().a(), o.b(), p.pair().b(), p.aFirst() ? "A" : "B",
                                p.pair().ratio(), p.interval(), minutes(p.elapsed()), minutes(o.rule().budget()));
                        try {
                            csv.write(String.format(Locale.ROOT, "%d,%s,%.6g,%.6g,%.6f%n", count[0],
                                    p.aFirst() ? "A" : "B", p.pair().a(), p.pair().b(), p.pair().ratio()));
                            csv.flush();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
            System.out.println(report(o, result));
        }
    }

    /** The report: the human reading, then one grep-able line. */
    static String report(Options o, Result r) {
        PairedRatios.Interval ci = r.interval();
        String a = o.a();
        String b = o.b();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: time of %s over time of %s (above 1: %s is slower)%n",
                o.target().method, b, a, b));
        sb.append(String.format(Locale.ROOT, "  median ratio   %.3f%n", ci.median()));
        sb.append(String.format(Locale.ROOT, "  95%% interval   [%.3f, %.3f]  ±%.1f%% (bootstrap over pairs, %,d resamples, seed %d)%n",
                ci.low(), ci.high(), 100 * ci.halfWidth(), ci.resamples(), o.seed()));
        sb.append(String.format(Locale.ROOT, "  pairs          %d, each side a fresh JMH fork, order random%n", ci.pairs()));
        sb.append(String.format(Locale.ROOT, "  stopped        %s after %s of a %s budget (asked: ±%.1f%%, reached: ±%.1f%%)%n",
                r.verdict() == StoppingRule.Verdict.PRECISION ? "precision reached" : "budget spent",
                minutes(r.elapsed()), minutes(o.rule().budget()), 100 * o.rule().precision(), 100 * ci.halfWidth()));
        if (ci.pairs() < o.rule().minPairs()) {
            String tooFew = String.format(Locale.ROOT, "not claimed: %d pairs, fewer than the %d an interval is believed with%n",
                    ci.pairs(), o.rule().minPairs());
            sb.append("  excludes 1.00  ").append(tooFew).append("  excludes 1.02  ").append(tooFew);
        } else {
            sb.append(String.format(Locale.ROOT, "  excludes 1.00  %s%n", ci.contains(1.00) ? "no: no difference shown"
                    : ci.low() > 1 ? "yes: " + b + " is slower" : "yes: " + b + " is faster"));
            sb.append(String.format(Locale.ROOT, "  excludes 1.02  %s%n", ci.contains(1.02) ? "no: 2% is inside the interval"
                    : ci.high() < 1.02 ? "yes: less than 2% slower" : "yes: more than 2% slower"));
        }
        sb.append(String.format(Locale.ROOT,
                "compare: benchmark=%s a=%s b=%s ratio=b/a median=%.4f low=%.4f high=%.4f half_width=%.4f pairs=%d"
                        + " stopped=%s elapsed_s=%d budget_s=%d precision=%s seed=%d size=%s",
                o.target().method, a, b, ci.median(), ci.low(), ci.high(), ci.halfWidth(), ci.pairs(), r.verdict().word(),
                r.elapsed().toSeconds(), o.rule().budget().toSeconds(), o.rule().precision(), o.seed(), o.size()));
        return sb.toString();
    }

    /** "3m07s", "45s". */
    static String minutes(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
