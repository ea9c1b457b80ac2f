// The paired statistics on small samples worked by hand: the median, the ratio's direction, and the interval's edges.
package cowfork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PairedRatiosTest {
    @Test
    void aPairsRatioIsBsTimeOverAs() {
        assertThat(new PairedRatios.Pair(10, 15).ratio()).isEqualTo(1.5);
    }

    @Test
    void theMedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(PairedRatios.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(PairedRatios.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(PairedRatios.median(new double[] {7})).isEqualTo(7);
    }

    @Test
    void oneOutlyingPairMovesTheMedianLittle() {
        // Nine pairs where B is 10% slower, one where a neighbour's build tripled A's time.
        List<PairedRatios.Pair> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            pairs.add(new PairedRatios.Pair(10 + i * 0.01, (10 + i * 0.01) * 1.1));
        }
        pairs.add(new PairedRatios.Pair(30, 11));
        PairedRatios.Interval ci = PairedRatios.bootstrap(pairs, 1);
        assertThat(ci.median()).isCloseTo(1.1, within(1e-9));
        assertThat(ci.pairs()).isEqualTo(10);
        assertThat(ci.resamples()).isEqualTo(PairedRatios.RESAMPLES);
    }

    @Test
    void aSpreadOfRatiosGivesAnIntervalAroundTheMedianThatExcludesOneWhenEveryPairSaysSlower() {
        double[] ratios = new double[41];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = 1.05 + (i - 20) * 0.001; // 1.030 ... 1.070, median 1.050
        }
        PairedRatios.Interval ci = PairedRatios.bootstrap(ratios, 10_000, 0.95, 7);
        assertThat(ci.median()).isCloseTo(1.05, within(1e-9));
        assertThat(ci.low()).isLessThan(1.05).isGreaterThan(1.03);
        assertThat(ci.high()).isGreaterThan(1.05).isLessThan(1.07);
        assertThat(ci.contains(1.00)).isFalse();
        assertThat(ci.halfWidth()).isEqualTo((ci.high() - ci.low()) / 2 / ci.median());
    }

    @Test
    void badInputIsRefusedWithAMessage() {
        assertThatThrownBy(() -> new PairedRatios.Pair(0, 1)).hasMessageContaining("positive and finite");
        assertThatThrownBy(() -> new PairedRatios.Pair(1, Double.NaN)).hasMessageContaining("positive and finite");
        assertThatThrownBy(() -> PairedRatios.median(new double[0])).hasMessageContaining("no values");
        assertThatThrownBy(() -> PairedRatios.bootstrap(new double[0], 10, 0.95, 1)).hasMessageContaining("at least one pair");
        assertThatThrownBy(() -> PairedRatios.bootstrap(new double[] {1}, 0, 0.95, 1)).hasMessageContaining("resamples");
        assertThatThrownBy(() -> PairedRatios.bootstrap(new double[] {1}, 10, 1.0, 1)).hasMessageContaining("confidence");
    }
}
