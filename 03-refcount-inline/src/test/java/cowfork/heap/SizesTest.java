// Sizes on the command line: the accepted forms, and clear refusals.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
    @ParameterizedTest
    @CsvSource({"4096,4096", "64k,65536", "64m,67108864", "1g,1073741824", "1G,1073741824", "32MiB,33554432",
        "32mb,33554432", " 8m ,8388608", "64g,68719476736"})
    void acceptsBytesAndBinarySuffixes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "m", "-1m", "1.5g", "0", "12x", "2000g", "99999999999999", "65g", "68719476737"})
    void refusesAnythingElseSayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.trim().isEmpty() ? "size" : text)
                .hasMessageMatching("(?s).*(e\\.g\\.|out of range).*");
    }

    @org.junit.jupiter.api.Test
    void theLargestSizeIsTheLargestHeapAndTheRefusalSaysSo() {
        assertThat(Sizes.parse("64g")).isEqualTo(Heap.MAX_BYTES);
        assertThatThrownBy(() -> Sizes.parse("65g")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64.0 GiB").hasMessageContaining("largest heap");
    }

    @ParameterizedTest
    @CsvSource({"100,100 B", "65536,64.0 KiB", "33554432,32.0 MiB", "1610612736,1.5 GiB"})
    void formatsInBinaryUnits(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }
}
