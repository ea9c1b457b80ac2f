// The comparison loop with a fake measurement and a fake clock: the pairing, the random order, both stopping reasons, and the command line. No JMH, no timing.
package cowfork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompareTest {
    /** A clock that moves one second per measurement: the budget is counted in measurements. */
    private static final class FakeClock {
        long nanos;

        long now() {
            return nanos;
        }

        void tick() {
            nanos += Duration.ofSeconds(1).toNanos();
        }

        /** Every measurement takes 10 units, slowed by up to {@code spread} times that by the neighbours, and one second. */
        Compare.Measurement noisy(long seed, double spread) {
            SplittableRandom load = new SplittableRandom(seed);
            return name -> {
                tick();
                return 10 * (1 + spread * load.nextDouble());
            };
        }
    }

    @Test
    void aStrategyAgainstItselfOnANoisyMachineGivesAnIntervalContainingOne() throws Exception {
        FakeClock clock = new FakeClock();
        Compare.Result r = Compare.run("inline", "inline", new StoppingRule(0.02, Duration.ofHours(1), 20), 1,
                clock.noisy(3, 0.3), clock::now, p -> { });
        assertThat(r.interval().contains(1.0)).isTrue();
        assertThat(r.verdict()).isEqualTo(StoppingRule.Verdict.PRECISION);
        assertThat(r.interval().halfWidth()).isLessThanOrEqualTo(0.02);
        assertThat(r.pairs()).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void eachPairMeasuresBothSidesBackToBackInAnOrderTheSeedPicks() throws Exception {
        List<String> calls = new ArrayList<>();
        Compare.Measurement recorded = name -> {
            calls.add(name);
            return name.equals("a") ? 10 : 12;
        };
        Compare.Result r = Compare.run("a", "b", new StoppingRule(0.02, Duration.ofHours(1), 40), 5, recorded,
                () -> 0, p -> { });
        assertThat(r.pairs()).hasSize(40).allSatisfy(p -> assertThat(p.ratio()).isEqualTo(1.2));
        assertThat(r.interval().median()).isEqualTo(1.2);
        List<String> firsts = new ArrayList<>();
        for (int i = 0; i < calls.size(); i += 2) {
            assertThat(List.of(calls.get(i), calls.get(i + 1))).containsExactlyInAnyOrder("a", "b");
            firsts.add(calls.get(i));
        }
        assertThat(firsts).contains("a", "b"); // both orders occur in 40 pairs

        List<String> again = new ArrayList<>();
        Compare.run("a", "b", new StoppingRule(0.02, Duration.ofHours(1), 40), 5,
                name -> { again.add(name); return 1; }, () -> 0, p -> { });
        assertThat(again).isEqualTo(calls);
    }

    @Test
    void whenTheIntervalStaysWideItStopsBeforeTheNextPairWouldOverrunTheBudget() throws Exception {
        FakeClock clock = new FakeClock();
        List<Compare.Progress> seen = new ArrayList<>();
        Compare.Result r = Compare.run("x", "y", new StoppingRule(0.001, Duration.ofSeconds(31), 2), 1,
                clock.noisy(9, 5), clock::now, seen::add);
        assertThat(r.verdict()).isEqualTo(StoppingRule.Verdict.BUDGET);
        assertThat(r.pairs()).hasSize(15); // 2 s a pair: the 16th would end at 32 s
        assertThat(r.elapsed()).isEqualTo(Duration.ofSeconds(30));
        assertThat(seen).hasSize(15);
        assertThat(seen.get(14).interval()).isEqualTo(r.interval());
    }

    @Test
    void aFailedMeasurementStopsTheComparisonAfterHandingOverEveryFinishedPair() {
        int[] calls = {0};
        List<Compare.Progress> seen = new ArrayList<>();
        assertThatThrownBy(() -> Compare.run("a", "b", StoppingRule.DEFAULT, 1, name -> {
            if (++calls[0] == 7) {
                throw new IllegalStateException("the JMH fork died");
            }
            return 1;
        }, () -> 0, seen::add)).hasMessage("the JMH fork died");
        assertThat(seen).hasSize(3);
    }

    @Test
    void theCommandLineNamesTheBenchmarkAndTheSidesAndRefusesWhatItCannotRun() {
        Compare.Options o = Compare.parse(new String[] {"--compare", "inline,immortal", "--benchmark", "serveJson",
                "--precision", "0.03", "--budget", "8m", "--seed", "7"});
        assertThat(o.target()).isEqualTo(Compare.Target.SERVE_JSON);
        assertThat(o.a()).isEqualTo("inline");
        assertThat(o.b()).isEqualTo("immortal");
        assertThat(o.rule()).isEqualTo(new StoppingRule(0.03, Duration.ofMinutes(8), 20));
        assertThat(o.seed()).isEqualTo(7);
        assertThat(Compare.parse(new String[] {"--compare", "header,bitmap", "--benchmark", "fullCollection"}).target())
                .isEqualTo(Compare.Target.FULL_COLLECTION);

        assertThatThrownBy(() -> Compare.parse(new String[] {"--budget", "8m"}))
                .hasMessageContaining("--compare A,B is required");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline"})).hasMessageContaining("two names");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline,nosuch"}))
                .hasMessageContaining("'nosuch'").hasMessageContaining("immortal");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline,bitmap"}))
                .hasMessageContaining("compares refcount strategies").hasMessageContaining("'bitmap'");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "a,b", "--benchmark", "nope"}))
                .hasMessageContaining("Invalid value for option '--benchmark': 'nope' is not one of [increfDecref,");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline,inline", "--budget", "ten"}))
                .hasMessageContaining("Invalid value for option '--budget': 'ten' is not a duration such as 150ms");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline,inline", "--precision", "2%"}))
                .hasMessageContaining("Invalid value for option '--precision': '2%' is not a fraction such as 0.02");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline,inline", "--frobnicate"}))
                .hasMessageContaining("Unknown option: '--frobnicate'")
                .hasMessageEndingWith("(./cowfork bench --compare --help shows every option)");
    }

    @Test
    void everyFlagReadsTheSameWithASpaceOrAnEqualsSignAndTheDefaultsAreTheRuleAndTimingsOfTheCode() {
        Compare.Options spaced = Compare.parse(new String[] {"--compare", "inline,immortal", "--benchmark", "sumField",
            "--precision", "0.005", "--budget", "90s", "--min-pairs", "4", "--seed", "2", "--size", "1m", "--csv", "p.csv",
            "--warmups", "100", "--warmup-time", "2ms", "--iterations", "30", "--iteration-time", "3ms"});
        Compare.Options joined = Compare.parse(new String[] {"--compare=inline,immortal", "--benchmark=sumField",
            "--precision=0.005", "--budget=90s", "--min-pairs=4", "--seed=2", "--size=1m", "--csv=p.csv",
            "--warmups=100", "--warmup-time=2ms", "--iterations=30", "--iteration-time=3ms"});
        for (Compare.Options o : List.of(spaced, joined)) {
            assertThat(List.of(o.target(), o.a(), o.b(), o.rule(), o.seed(), o.size(), o.csv(), o.timing())).containsExactly(
                    Compare.Target.SUM_FIELD, "inline", "immortal", new StoppingRule(0.005, Duration.ofSeconds(90), 4), 2L,
                    "1m", java.nio.file.Path.of("p.csv"),
                    new Compare.Timing(100, Duration.ofMillis(2), 30, Duration.ofMillis(3)));
        }
        Compare.Options d = Compare.parse(new String[] {"--compare", "inline,inline"});
        assertThat(d.rule()).isEqualTo(StoppingRule.DEFAULT);
        assertThat(d.timing()).isEqualTo(Compare.Timing.SHORT);
        assertThat(List.of(d.target(), d.seed(), d.size())).containsExactly(Compare.Target.INCREF_DECREF, 1L, "16m");
        assertThatThrownBy(() -> Compare.parse(new String[] {"--compare", "inline,inline", "--min-pairs=1"}))
                .hasMessage("--min-pairs must be between 2 and 100000, got 1 (./cowfork bench --compare --help shows every option)");
    }

    @Test
    void durationsReadSecondsMinutesHoursAndMilliseconds() {
        assertThat(Compare.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Compare.duration("8m")).isEqualTo(Duration.ofMinutes(8));
        assertThat(Compare.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Compare.duration("20ms")).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void theReportSaysWhichWayTheRatioGoesWhyItStoppedAndEndsWithOneGrepableLine() {
        Compare.Options o = Compare.parse(new String[] {"--compare", "inline,immortal", "--budget", "8m"});
        PairedRatios.Interval ci = new PairedRatios.Interval(1.012, 1.004, 1.019, 64, 10_000);
        String report = Compare.report(o, new Compare.Result(List.of(), ci, StoppingRule.Verdict.PRECISION,
                Duration.ofSeconds(192)));
        assertThat(report)
                .contains("increfDecref: time of immortal over time of inline (above 1: immortal is slower)")
                .contains("[1.004, 1.019]")
                .contains("precision reached after 3m12s of a 8m00s budget")
                .contains("excludes 1.00  yes: immortal is slower")
                .contains("excludes 1.02  yes: less than 2% slower");
        assertThat(Compare.report(o, new Compare.Result(List.of(), new PairedRatios.Interval(0.99, 0.99, 0.99, 1, 10_000),
                StoppingRule.Verdict.BUDGET, Duration.ofSeconds(480))))
                .contains("budget spent")
                .contains("excludes 1.00  not claimed: 1 pairs, fewer than the 20 an interval is believed with");
        assertThat(report.lines().reduce((first, last) -> last).orElseThrow())
                .startsWith("compare: benchmark=increfDecref a=inline b=immortal ratio=b/a median=1.0120 low=1.0040 high=1.0190")
                .contains(" pairs=64 stopped=precision elapsed_s=192 budget_s=480 ");
    }
}
