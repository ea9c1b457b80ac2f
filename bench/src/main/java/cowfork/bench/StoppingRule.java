// When a paired comparison has measured enough: its interval is narrow enough, or its time is up.
package cowfork.bench;

import java.time.Duration;

/**
 * Add pairs until the interval's half-width is at most {@code precision} (0.02: plus or
 * minus 2% of the median), or until the next pair would not fit in the {@code budget}.
 * A few pairs can agree by chance and give a narrow interval, so the rule never stops on
 * precision before {@code minPairs} pairs.
 *
 * @param precision the half-width to reach, as a fraction of the median (0.02 = ±2%)
 * @param budget    the time the whole comparison may take
 * @param minPairs  the fewest pairs an interval is believed with
 */
public record StoppingRule(double precision, Duration budget, int minPairs) {
    /**
     * The default: ±2%, ten minutes, at least twenty pairs (two pairs that happen to agree
     * give a bootstrap interval of almost no width; twenty rarely all do).
     */
    public static final StoppingRule DEFAULT = new StoppingRule(0.02, Duration.ofMinutes(10), 20);

    public StoppingRule {
        if (!(precision > 0 && precision < 1)) {
            throw new IllegalArgumentException("--precision must be a fraction between 0 and 1 (0.02 = ±2%), got " + precision);
        }
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("--budget must be longer than zero, got " + budget);
        }
        if (minPairs < 2) {
            throw new IllegalArgumentException("--min-pairs must be at least 2, got " + minPairs);
        }
    }

    /** What the rule says after a pair. */
    public enum Verdict {
        /** Measure another pair. */
        CONTINUE,
        /** The interval is as narrow as asked. */
        PRECISION,
        /** Another pair would overrun the budget; the interval is as narrow as it got. */
        BUDGET;

        /** The word the report prints. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The verdict after {@code interval}'s last pair, {@code elapsed} into the comparison,
     * when a pair takes {@code perPair} (the mean so far). Precision wins over budget: an
     * interval that is narrow enough is reported as such even when the time is up too.
     */
    public Verdict after(PairedRatios.Interval interval, Duration elapsed, Duration perPair) {
        if (interval.pairs() >= minPairs && interval.halfWidth() <= precision) {
            return Verdict.PRECISION;
        }
        if (elapsed.plus(perPair).compareTo(budget) > 0) {
            return Verdict.BUDGET;
        }
        return Verdict.CONTINUE;
    }
}
