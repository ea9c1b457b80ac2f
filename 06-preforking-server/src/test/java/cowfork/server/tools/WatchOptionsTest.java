// ./cowfork watch's flags: both spellings, the defaults its help states, and ranges that name the flag.
package cowfork.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchOptionsTest {
    @Test
    void everyFlagReadsTheSameWithASpaceOrAnEqualsSign() {
        String[] spaced = {"--port", "0", "--workers", "1", "--data-size", "4m", "--rate", "300", "--seconds", "8",
            "--warmup", "2000"};
        String[] joined = {"--port=0", "--workers=1", "--data-size=4m", "--rate=300", "--seconds=8", "--warmup=2000"};
        for (String[] args : List.of(spaced, joined)) {
            Watch.Options o = Cli.parse(new Watch.Options(), args);
            assertThat(List.of(o.port, o.workers, o.dataBytes, o.rate, o.seconds, o.warmup))
                    .containsExactly(0, 1, 4L << 20, 300, 8, 2000);
        }
        Watch.Options d = Cli.parse(new Watch.Options(), new String[0]);
        assertThat(List.of(d.port, d.workers, d.dataBytes, d.rate, d.seconds, d.warmup))
                .containsExactly(8100, 2, 8L << 20, 200, 0, 20_000);
    }

    @Test
    void aValueOutOfRangeNamesTheFlag() {
        assertThatThrownBy(() -> Cli.parse(new Watch.Options(), new String[] {"--port=70000"}))
                .hasMessage("--port must be between 0 and 65535, got 70000 (./cowfork watch --help shows every option)");
        assertThatThrownBy(() -> Cli.parse(new Watch.Options(), new String[] {"--workers", "0"}))
                .hasMessageStartingWith("--workers must be between 1 and 64, got 0");
        assertThatThrownBy(() -> Cli.parse(new Watch.Options(), new String[] {"--rate", "fast"}))
                .hasMessageContaining("--rate").hasMessageContaining("'fast' is not a whole number");
    }
}
