// The scale benchmark's arithmetic: growth per window, where memory stops growing, and the figures derived from a PSS series.
package cowfork.bench.scale;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Pure functions over what the sampler and wrk measured, kept apart from the processes so
 * that properties can state them on arbitrary series:
 * <pre>
 *   load:     | window 0 | window 1 | window 2 | ...          (each --window seconds of wrk)
 *   PSS:      s0         s1         s2         s3             (read at every window boundary)
 *   growth:   g0=s1/s0-1 g1=s2/s1-1 g2=s3/s2-1
 *   plateau:  the first window AFTER window 0 whose growth is below 1%
 * </pre>
 * Window 0 never counts: the first pass over the data copies the most, and a server that
 * has not yet been loaded may look flat for a moment.
 */
public final class Plateau {
    /** Less growth than this over one window is a plateau ("less than 1% over 10 s"). */
    public static final double THRESHOLD = 0.01;

    private Plateau() {
    }

    /**
     * {@code end / start - 1}: 0.05 is 5% growth.
     *
     * @throws IllegalArgumentException if {@code start} is not positive (no process was measured)
     */
    public static double growth(long start, long end) {
        if (start <= 0) {
            throw new IllegalArgumentException("growth from a PSS of " + start + " kB: nothing was measured");
        }
        return (double) end / start - 1;
    }

    /**
     * The growth of each window, from the PSS read at each window boundary ({@code boundaries.size() - 1} windows).
     *
     * @throws IllegalArgumentException if a boundary but the last is not positive
     */
    public static List<Double> growths(List<Long> boundaries) {
        List<Double> out = new ArrayList<>();
        for (int i = 1; i < boundaries.size(); i++) {
            out.add(growth(boundaries.get(i - 1), boundaries.get(i)));
        }
        return out;
    }

    /** The first window after window 0 whose growth is below {@code threshold}; empty if none is. */
    public static OptionalInt plateauWindow(List<Double> growths, double threshold) {
        for (int i = 1; i < growths.size(); i++) {
            if (growths.get(i) < threshold) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The index of the first sample that is at least 99% of the last one (the second at which
     * the series came within 1% of where it ended); 0 for a series that never grew.
     *
     * @throws IllegalArgumentException for an empty series
     */
    public static int timeToPlateau(List<Long> series) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        long last = series.get(series.size() - 1);
        for (int i = 0; i < series.size(); i++) {
            // 100 * s >= 99 * last, in integers: no rounding decides the second
            if (100 * series.get(i) >= 99 * last) {
                return i;
            }
        }
        throw new AssertionError("unreachable: the last sample is >= 99% of itself");
    }

    /**
     * {@code pss / masterRss}: 1.0 when the workers share everything and the master holds
     * every page once.
     *
     * @throws IllegalArgumentException if {@code masterRss} is not positive
     */
    public static double ratio(long pss, long masterRss) {
        if (masterRss <= 0) {
            throw new IllegalArgumentException("ratio to a master RSS of " + masterRss + " kB");
        }
        return (double) pss / masterRss;
    }

    /** The median (the mean of the middle two for an even count); NaN for no values. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
