// What the paired statistics promise for any sample: A against itself contains 1, the interval stays among the measured ratios, and the seed fixes it.
package cowfork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class PairedRatiosProperties {
    private static final int RESAMPLES = 1_000; // enough to test the invariants, cheap enough for a thousand tries

    /** Any times at all: when both sides of every pair took the same time, the interval contains 1. */
    @Property(tries = 200)
    void whenBothSidesOfEveryPairTookTheSameTimeTheIntervalContainsOne(
            @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0.01, max = 1e6) Double> times,
            @ForAll long seed) {
        List<PairedRatios.Pair> pairs = times.stream().map(t -> new PairedRatios.Pair(t, t)).toList();
        PairedRatios.Interval ci = PairedRatios.bootstrap(PairedRatios.ratios(pairs), RESAMPLES, 0.95, seed);
        assertThat(ci.contains(1.0)).isTrue();
        assertThat(ci.median()).isEqualTo(1.0);
    }

    @Property(tries = 200)
    void theIntervalLiesWithinTheSmallestAndLargestRatio(
            @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0.01, max = 100) Double> ratios,
            @ForAll @DoubleRange(min = 0.5, max = 0.99) double confidence, @ForAll long seed) {
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        PairedRatios.Interval ci = PairedRatios.bootstrap(r, RESAMPLES, confidence, seed);
        double min = Arrays.stream(r).min().orElseThrow();
        double max = Arrays.stream(r).max().orElseThrow();
        assertThat(ci.low()).isBetween(min, max);
        assertThat(ci.high()).isBetween(ci.low(), max);
        assertThat(ci.median()).isBetween(min, max);
    }

    @Property(tries = 200)
    void theSameRatiosAndSeedGiveTheSameIntervalInWhateverOrderThePairsCame(
            @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0.01, max = 100) Double> ratios,
            @ForAll long seed, @ForAll long shuffle) {
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        List<Double> shuffled = new ArrayList<>(ratios);
        Collections.shuffle(shuffled, new Random(shuffle));
        double[] s = shuffled.stream().mapToDouble(Double::doubleValue).toArray();
        assertThat(PairedRatios.bootstrap(r, RESAMPLES, 0.95, seed))
                .isEqualTo(PairedRatios.bootstrap(r, RESAMPLES, 0.95, seed))
                .isEqualTo(PairedRatios.bootstrap(s, RESAMPLES, 0.95, seed));
    }

    /** A higher confidence never gives a narrower interval from the same resamples. */
    @Property(tries = 200)
    void aHigherConfidenceGivesAnIntervalAtLeastAsWide(
            @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0.01, max = 100) Double> ratios,
            @ForAll @IntRange(min = 50, max = 90) int lowerPercent, @ForAll long seed) {
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        PairedRatios.Interval narrow = PairedRatios.bootstrap(r, RESAMPLES, lowerPercent / 100.0, seed);
        PairedRatios.Interval wide = PairedRatios.bootstrap(r, RESAMPLES, 0.99, seed);
        assertThat(wide.low()).isLessThanOrEqualTo(narrow.low());
        assertThat(wide.high()).isGreaterThanOrEqualTo(narrow.high());
    }
}
