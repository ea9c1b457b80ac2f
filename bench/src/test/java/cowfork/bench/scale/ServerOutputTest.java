// What the driver reads from a server and gives to one: the master's fork times, and an environment for gunicorn and wrk.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.WatchedProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerOutputTest {
    @Test
    void forkTimesAreReadFromTheMastersLinesAndAbsentOnesAreNaN() {
        List<String> lines = List.of("[master] preloaded 1441937 items, ...", "[master] worker 1 (pid 101) forked in 14.2 ms",
                "[master] worker 2 (pid 102) forked in 9 ms", "[worker 1] ready", "[master] worker 3 (pid 103) forked in 16.75 ms");
        assertThat(ScaleServer.forkMillis(lines)).containsExactly(14.2, 9.0, 16.75);
        assertThat(Plateau.median(ScaleServer.forkMillis(lines))).isEqualTo(14.2);
        assertThat(Plateau.median(ScaleServer.forkMillis(List.of("[master] ready: 8 workers")))).isNaN();
    }

    @Test
    void aStartedProcessSeesTheGivenEnvironmentOnTopOfThisOne() {
        try (WatchedProcess p = WatchedProcess.start(List.of("sh", "-c", "echo \"$ITEMS ${PATH:+path-kept}\""),
                Map.of("ITEMS", "1441937"), line -> { })) {
            assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(p.lines()).containsExactly("1441937 path-kept");
        }
    }

    @Test
    void theKernelsHugePageCountersAreReadWhereItHasThem() throws Exception {
        String vmstat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/vmstat"));
        long[] c = Scale.thpCounters();
        // a kernel built without THP has neither line; then the report prints "-"
        assertThat(c[0] >= 0).isEqualTo(vmstat.contains("\nthp_split_pmd "));
        assertThat(c[1] >= 0).isEqualTo(vmstat.contains("\nthp_collapse_alloc "));
    }
}
