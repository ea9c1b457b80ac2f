// Sizes on the command line: the accepted forms, the caller's limits, and clear refusals.
package cowfork.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
    /** The limit chapter 03 passes: Heap.MAX_BYTES, 64 GiB. */
    private static final long HEAP_MAX = 64L << 30;

    @ParameterizedTest
    @CsvSource({"4096,4096", "64k,65536", "64m,67108864", "1g,1073741824", "1G,1073741824", "32MiB,33554432",
        "32mb,33554432", " 8m ,8388608", "64g,68719476736", "512KiB,524288", "64M,67108864"})
    void acceptsBytesAndBinarySuffixes(String text, long bytes) {
        assertThat(Sizes.parse(text, HEAP_MAX)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "m", "-1m", "1.5g", "0", "12x", "2000g", "99999999999999", "65g", "68719476737"})
    void refusesAnythingElseSayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> Sizes.parse(text, HEAP_MAX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.trim().isEmpty() ? "size" : text)
                .hasMessageMatching("(?s).*(e\\.g\\.|out of range).*");
    }

    @Test
    void theLimitsAreTheCallersAndTheRefusalNamesThem() {
        assertThat(Sizes.parse("64g", HEAP_MAX)).isEqualTo(HEAP_MAX);
        assertThatThrownBy(() -> Sizes.parse("65g", HEAP_MAX)).hasMessageContaining("64.0 GiB");
        assertThatThrownBy(() -> Sizes.parse("32k", 64L << 10, HEAP_MAX)).hasMessageContaining("use 64.0 KiB to 64.0 GiB");
        assertThat(Sizes.parse("0", 0, 1L << 40)).as("a caller may allow zero").isZero();
    }

    @Test
    void aHugeSuffixedNumberIsRefusedNotWrappedAround() {
        assertThatThrownBy(() -> Sizes.parse("9999999999999g", Long.MAX_VALUE)).hasMessageContaining("out of range");
    }

    @Test
    void aListIsCommaSeparatedAndTheFirstBadSizeIsNamed() {
        assertThat(Sizes.parseList("64m,1g", 1, Long.MAX_VALUE)).containsExactly(64L << 20, 1L << 30);
        assertThatThrownBy(() -> Sizes.parseList("64m,lots", 1, Long.MAX_VALUE)).hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> Sizes.parseList("64m,", 1, Long.MAX_VALUE)).hasMessageContaining("not a size");
    }

    /** A printed command must run: what toArgument writes, parse reads back to the same size. */
    @Property
    void toArgumentIsReadBackExactly(@ForAll @LongRange(min = 1, max = 64L << 30) long bytes) {
        assertThat(Sizes.parse(Sizes.toArgument(bytes), HEAP_MAX)).isEqualTo(bytes);
    }

    @Test
    void toArgumentUsesTheLargestExactSuffix() {
        assertThat(Sizes.toArgument(32L << 20)).isEqualTo("32m");
        assertThat(Sizes.toArgument(1536L << 10)).isEqualTo("1536k");
        assertThat(Sizes.toArgument(4097)).isEqualTo("4097");
        assertThat(Sizes.toArgument(64L << 30)).isEqualTo("64g");
    }

    @ParameterizedTest
    @CsvSource({"100,100 B", "65536,64.0 KiB", "33554432,32.0 MiB", "1610612736,1.5 GiB"})
    void formatsInBinaryUnits(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }
}
