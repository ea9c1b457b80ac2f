// The statistics of a paired comparison: one ratio per pair, their median, and a bootstrap interval for that median.
package cowfork.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How two strategies compare when the machine is noisy. A and B are measured as a
 * <em>pair</em>, one right after the other, so that whatever else the machine is doing
 * slows both alike; each pair gives one ratio, B's time over A's. The answer is the
 * median of those ratios (a pair that a neighbour's build ruined moves a median far less
 * than a mean), and how sure we are of it: a 95% percentile bootstrap interval, found by
 * drawing as many pairs as we measured, with replacement, 10,000 times, taking each
 * draw's median, and keeping the middle 95% of those medians.
 *
 * <p>Pure code: no clock, no JMH. The same ratios and seed give the same interval.
 */
public final class PairedRatios {
    /** Resamples the driver uses: enough that the interval's ends move by less than 0.1% between seeds. */
    public static final int RESAMPLES = 10_000;

    /** The confidence the driver reports. */
    public static final double CONFIDENCE = 0.95;

    private PairedRatios() {
    }

    /** One pair: A's time and B's time (any unit, the same for both), measured back to back. */
    public record Pair(double a, double b) {
        public Pair {
            if (!(a > 0) || !(b > 0) || Double.isInfinite(a) || Double.isInfinite(b)) {
                throw new IllegalArgumentException("a pair's times must be positive and finite, got a=" + a + " b=" + b);
            }
        }

        /** B's time over A's: above 1 when B is slower. */
        public double ratio() {
            return b / a;
        }
    }

    /**
     * The median of the pairs' ratios and the interval around it.
     *
     * @param median    the median of the measured ratios
     * @param low       the interval's lower end (the 2.5th percentile of the resampled medians at 95%)
     * @param high      its upper end
     * @param pairs     how many pairs were measured
     * @param resamples how many bootstrap resamples the interval comes from
     */
    public record Interval(double median, double low, double high, int pairs, int resamples) {
        /** Half the interval's width, as a fraction of the median: 0.02 reads "plus or minus 2%". */
        public double halfWidth() {
            return (high - low) / 2 / median;
        }

        /** Whether {@code ratio} lies inside the interval (ends included). */
        public boolean contains(double ratio) {
            return low <= ratio && ratio <= high;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.3f [%.3f, %.3f] (±%.1f%%, %d pairs)",
                    median, low, high, 100 * halfWidth(), pairs);
        }
    }

    /** Each pair's ratio, B over A, in the pairs' order. */
    public static double[] ratios(List<Pair> pairs) {
        return pairs.stream().mapToDouble(Pair::ratio).toArray();
    }

    /**
     * The median of {@code values}: the middle value, or the mean of the two middle values
     * when there is an even number of them.
     *
     * @throws IllegalArgumentException if {@code values} is empty
     */
    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return middle(sorted, sorted.length);
    }

    /**
     * The median of {@code ratios} and its percentile bootstrap interval at {@code confidence}.
     * Each resample draws {@code ratios.length} ratios with replacement from a
     * {@link SplittableRandom} seeded with {@code seed}, so the interval depends on nothing
     * but the arguments. Every resampled median is a ratio that was measured, or the mean of
     * two, so the interval never reaches beyond the smallest and largest ratio.
     *
     * @throws IllegalArgumentException if there are no ratios, {@code resamples < 1}, or
     *         {@code confidence} is not strictly between 0 and 1
     */
    public static Interval bootstrap(double[] ratios, int resamples, double confidence, long seed) {
        if (ratios.length == 0) {
            throw new IllegalArgumentException("an interval needs at least one pair");
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be at least 1, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be between 0 and 1, got " + confidence);
        }
        int n = ratios.length;
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        // Draw indices into the sorted ratios: the median of the drawn indices picks the median
        // of the drawn values, so a resample sorts small ints and never copies a double.
        SplittableRandom random = new SplittableRandom(seed);
        int[] drawn = new int[n];
        double[] medians = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                drawn[i] = random.nextInt(n);
            }
            Arrays.sort(drawn);
            medians[r] = n % 2 == 1
                    ? sorted[drawn[n / 2]]
                    : (sorted[drawn[n / 2 - 1]] + sorted[drawn[n / 2]]) / 2;
        }
        Arrays.sort(medians);
        double tail = (1 - confidence) / 2;
        return new Interval(middle(sorted, n), percentile(medians, tail), percentile(medians, 1 - tail), n, resamples);
    }

    /** {@link #bootstrap(double[], int, double, long)} with 10,000 resamples at 95%. */
    public static Interval bootstrap(List<Pair> pairs, long seed) {
        return bootstrap(ratios(pairs), RESAMPLES, CONFIDENCE, seed);
    }

    private static double middle(double[] sorted, int n) {
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The {@code p} quantile of sorted values, nearest rank: always one of the values. */
    private static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
