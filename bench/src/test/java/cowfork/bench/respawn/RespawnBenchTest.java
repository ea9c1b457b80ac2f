// ./cowfork respawn-bench end to end, with two kills: one timed line per kill and a consistent summary.
package cowfork.bench.respawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RespawnBenchTest {
    private static final Pattern SUMMARY = Pattern.compile(
            "respawn: kills=2 workers=2 clients=2 min_ms=([\\d.]+) median_ms=([\\d.]+) max_ms=([\\d.]+) requests=(\\d+) failed=(\\d+)");

    @Test
    void twoKillsUnderLoadAreTimedAndSummarized() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // Zero also says the master replaced each killed worker at once: the benchmark stops on a backoff.
        assertThat(RespawnBench.run(new String[] {"--kills", "2"}, out, out)).isZero();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("kill  1: worker pid", "kill  2: worker pid");
        Matcher m = SUMMARY.matcher(text);
        assertThat(m.find()).as("summary line in:\n%s", text).isTrue();
        double min = Double.parseDouble(m.group(1));
        double median = Double.parseDouble(m.group(2));
        double max = Double.parseDouble(m.group(3));
        assertThat(min).isPositive().isLessThanOrEqualTo(median);
        assertThat(median).isLessThanOrEqualTo(max);
        assertThat(Long.parseLong(m.group(4))).as("requests served under the kills").isGreaterThanOrEqualTo(1000);
    }

    @Test
    void badArgumentsAreRefusedNamingTheFlag() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(RespawnBench.run(new String[] {"--kills", "zero"}, err, err)).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("respawn-bench: Invalid value for option '--kills': 'zero' is not a whole number",
                "(./cowfork respawn-bench --help shows every option)");
    }

    @Test
    void everyFlagReadsTheSameWithASpaceOrAnEqualsSign() {
        for (String[] args : List.of(new String[] {"--kills", "3", "--workers", "4", "--clients", "5"},
                new String[] {"--kills=3", "--workers=4", "--clients=5"})) {
            RespawnBench.Options o = Cli.parse(new RespawnBench.Options(), args);
            assertThat(List.of(o.kills, o.workers, o.clients)).containsExactly(3, 4, 5);
        }
        RespawnBench.Options d = Cli.parse(new RespawnBench.Options(), new String[0]);
        assertThat(List.of(d.kills, d.workers, d.clients)).containsExactly(10, 2, 2);
        assertThatThrownBy(() -> Cli.parse(new RespawnBench.Options(), new String[] {"--clients=0"}))
                .hasMessage("--clients must be between 1 and 64, got 0 (./cowfork respawn-bench --help shows every option)");
    }
}
