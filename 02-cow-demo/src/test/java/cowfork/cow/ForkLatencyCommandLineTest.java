// ./cowfork fork-latency's command line: both spellings of a flag, the checks it made by hand, the generated --help.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import org.junit.jupiter.api.Test;

class ForkLatencyCommandLineTest {
    private static ForkLatency.Flags parse(String... args) {
        return Cli.parse(new ForkLatency.Flags(), args);
    }

    @Test
    void bothSpellingsOfAFlagMeanTheSame() {
        ForkLatency.Flags joined = parse("--sizes=64m,1g", "--forks=5", "--huge-pages=no");
        ForkLatency.Flags apart = parse("--sizes", "64m,1g", "--forks", "5", "--huge-pages", "no");
        assertThat(ForkLatency.sizes(joined.sizes)).isEqualTo(ForkLatency.sizes(apart.sizes)).containsExactly(64L << 20, 1L << 30);
        assertThat(joined.forks).isEqualTo(apart.forks).isEqualTo(5);
        assertThat(joined.hugePages).isEqualTo(apart.hugePages).isEqualTo("no");
        assertThat(ForkLatency.sizes(parse().sizes)).containsExactly(64L << 20, 1L << 30, 4L << 30);
        assertThat(ForkLatency.sizes(parse("--sizes", "1g,4g", "--sizes", "64m").sizes)).as("the last one wins").containsExactly(64L << 20);
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> parse("--sizes", "64m,512k")).hasMessageStartingWith("Invalid value for option '--sizes'")
                .hasMessageContaining("size '512k' is out of range");
        assertThatThrownBy(() -> parse("--forks", "2")).hasMessageStartingWith("--forks must be at least 3 for a median, got 2");
        assertThatThrownBy(() -> parse("--huge-pages", "maybe"))
                .hasMessageStartingWith("Invalid value for option '--huge-pages': 'maybe' is not one of no, yes, both");
        assertThatThrownBy(() -> parse("--bogus")).hasMessage("Unknown option: '--bogus' (./cowfork fork-latency --help shows every option)");
    }

    @Test
    void helpIsGenerated() {
        assertThat(Cli.usage(new ForkLatency.Flags())).startsWith("Usage: ./cowfork fork-latency")
                .contains("--sizes=LIST", "(default: 64m,1g,4g)", "--forks=N", "--huge-pages=no|yes|both", "-h, --help");
    }
}
