// The plateau rule and the figures' arithmetic, stated on arbitrary PSS series: what the report says follows from the samples.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.OptionalInt;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PlateauProperties {
    @Property
    void theDetectedWindowGrewLessThanOnePercentAndNoEarlierWindowAfterTheFirstDid(
            @ForAll @Size(max = 12) List<@DoubleRange(min = -0.05, max = 0.2) Double> growths) {
        OptionalInt w = Plateau.plateauWindow(growths, Plateau.THRESHOLD);
        int end = w.isPresent() ? w.getAsInt() : growths.size();
        if (w.isPresent()) {
            assertThat(w.getAsInt()).as("window 0 never counts").isGreaterThanOrEqualTo(1);
            assertThat(growths.get(w.getAsInt())).isLessThan(Plateau.THRESHOLD);
        }
        for (int i = 1; i < end; i++) {
            assertThat(growths.get(i)).as("window %d was eligible before the detected one", i)
                    .isGreaterThanOrEqualTo(Plateau.THRESHOLD);
        }
    }

    @Property
    void growthsCompoundToTheWholeRunsGrowth(@ForAll @Size(min = 2, max = 10) List<@LongRange(min = 1, max = 50_000_000) Long> pss) {
        List<Double> g = Plateau.growths(pss);
        assertThat(g).hasSize(pss.size() - 1);
        double product = g.stream().mapToDouble(x -> 1 + x).reduce(1, (a, b) -> a * b);
        assertThat(product).isCloseTo((double) pss.get(pss.size() - 1) / pss.get(0), within(1e-6 * product));
    }

    @Property
    void timeToPlateauIsTheFirstSampleWithinOnePercentOfTheEndAndNeverAfterIt(
            @ForAll @Size(min = 1, max = 80) List<@LongRange(min = 0, max = 50_000_000) Long> series) {
        int t = Plateau.timeToPlateau(series);
        long last = series.get(series.size() - 1);
        assertThat(t).isBetween(0, series.size() - 1);
        assertThat(100 * series.get(t)).isGreaterThanOrEqualTo(99 * last);
        for (int i = 0; i < t; i++) {
            assertThat(100 * series.get(i)).isLessThan(99 * last);
        }
    }

    @Property
    void theRatioOfEqualMemoryIsOne(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE / 2) long kb) {
        assertThat(Plateau.ratio(kb, kb)).isEqualTo(1.0);
        assertThat(Plateau.growth(kb, kb)).isZero();
    }

    @Property
    void theMedianLiesBetweenTheSmallestAndTheLargest(
            @ForAll @Size(min = 1, max = 20) List<@DoubleRange(min = 0, max = 100) Double> values) {
        double m = Plateau.median(values);
        assertThat(m).isBetween(values.stream().min(Double::compare).orElseThrow(),
                values.stream().max(Double::compare).orElseThrow());
        long below = values.stream().filter(v -> v < m).count();
        long above = values.stream().filter(v -> v > m).count();
        assertThat(below).isLessThanOrEqualTo(values.size() / 2);
        assertThat(above).isLessThanOrEqualTo(values.size() / 2);
    }

    @Test
    void aServerThatStillCopiesIsNotAtItsPlateauUntilAWindowGrowsLessThanOnePercent() {
        // 1 GiB of inline counts: the first window copies the most, then less and less
        List<Long> pss = List.of(1_000_000L, 1_400_000L, 1_500_000L, 1_540_000L, 1_549_000L);
        List<Double> g = Plateau.growths(pss);
        assertThat(Plateau.plateauWindow(g, Plateau.THRESHOLD)).hasValue(3); // 1,549,000 / 1,540,000 - 1 = 0.58%
        assertThat(Plateau.plateauWindow(g.subList(0, 3), Plateau.THRESHOLD)).isEmpty();
    }

    @Test
    void aFlatFirstWindowIsNotAPlateau() {
        // the first window may look flat before the load reaches every worker: it never counts
        assertThat(Plateau.plateauWindow(List.of(0.0, 0.05), Plateau.THRESHOLD)).isEmpty();
    }

    @Test
    void nothingMeasuredIsAnErrorNotAFigure() {
        assertThatThrownBy(() -> Plateau.growth(0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing was measured");
        assertThatThrownBy(() -> Plateau.ratio(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Plateau.timeToPlateau(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(Plateau.median(List.of())).isNaN();
        assertThat(Plateau.median(List.of(14.2, 16.0, 13.0, 15.0))).isEqualTo(14.6);
    }
}
