// When a comparison stops: as soon as its interval is narrow enough after enough pairs, or when the next pair would overrun the budget; never otherwise.
package cowfork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

class StoppingRuleProperties {
    private static PairedRatios.Interval interval(double halfWidth, int pairs) {
        return new PairedRatios.Interval(1.0, 1.0 - halfWidth, 1.0 + halfWidth, pairs, 10_000);
    }

    @Property
    void itStopsOnPrecisionWhenTheIntervalIsNarrowEnoughAfterEnoughPairs(
            @ForAll @DoubleRange(min = 0.001, max = 0.2) @Scale(4) double precision, @ForAll @DoubleRange(min = 0, max = 0.99) double fraction,
            @ForAll @IntRange(min = 2, max = 50) int minPairs, @ForAll @IntRange(min = 0, max = 500) int extraPairs,
            @ForAll @LongRange(min = 0, max = 10_000) long elapsedSeconds) {
        StoppingRule rule = new StoppingRule(precision, Duration.ofSeconds(600), minPairs);
        PairedRatios.Interval ci = interval(precision * fraction, minPairs + extraPairs);
        assertThat(ci.halfWidth()).isLessThanOrEqualTo(precision);
        // Even past the budget: a narrow enough interval is reported as precise.
        assertThat(rule.after(ci, Duration.ofSeconds(elapsedSeconds), Duration.ofSeconds(4)))
                .isEqualTo(StoppingRule.Verdict.PRECISION);
    }

    @Property
    void itNeverStopsOnPrecisionBeforeTheMinimumNumberOfPairs(
            @ForAll @IntRange(min = 3, max = 50) int minPairs, @ForAll @IntRange(min = 1, max = 49) int pairs) {
        StoppingRule rule = new StoppingRule(0.02, Duration.ofSeconds(600), minPairs);
        StoppingRule.Verdict v = rule.after(interval(0, Math.min(pairs, minPairs - 1)), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(v).isEqualTo(StoppingRule.Verdict.CONTINUE);
    }

    @Property
    void anImpreciseIntervalContinuesWhileTheNextPairFitsAndStopsOnBudgetWhenItWouldNot(
            @ForAll @DoubleRange(min = 0.001, max = 0.2) @Scale(4) double precision, @ForAll @DoubleRange(min = 1.01, max = 50) double factor,
            @ForAll @LongRange(min = 1, max = 3_600) long budgetSeconds, @ForAll @LongRange(min = 0, max = 7_200) long elapsedSeconds,
            @ForAll @LongRange(min = 1, max = 60) long perPairSeconds) {
        StoppingRule rule = new StoppingRule(precision, Duration.ofSeconds(budgetSeconds), 2);
        StoppingRule.Verdict v = rule.after(interval(precision * factor, 100), Duration.ofSeconds(elapsedSeconds),
                Duration.ofSeconds(perPairSeconds));
        assertThat(v).isEqualTo(elapsedSeconds + perPairSeconds > budgetSeconds
                ? StoppingRule.Verdict.BUDGET : StoppingRule.Verdict.CONTINUE);
    }

    @Example
    void nonsenseIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> new StoppingRule(0, Duration.ofMinutes(1), 20)).hasMessageContaining("--precision");
        assertThatThrownBy(() -> new StoppingRule(2, Duration.ofMinutes(1), 20)).hasMessageContaining("--precision");
        assertThatThrownBy(() -> new StoppingRule(0.02, Duration.ZERO, 20)).hasMessageContaining("--budget");
        assertThatThrownBy(() -> new StoppingRule(0.02, Duration.ofMinutes(1), 1)).hasMessageContaining("--min-pairs");
    }
}
