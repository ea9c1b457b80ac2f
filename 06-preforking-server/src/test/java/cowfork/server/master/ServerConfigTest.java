// The command line: defaults, every flag form, and an error that names the flag for every bad value.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.server.app.Endpoints;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    @Test
    void defaultsAreGunicornLike() {
        ServerConfig c = ServerConfig.parse();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8000);
        assertThat(c.workers()).isEqualTo(2);
        assertThat(c.refcounts()).isEqualTo("inline");
        assertThat(c.timeoutSeconds()).isEqualTo(30);
        assertThat(c.limitRequestLine()).isEqualTo(4094);
    }

    @Test
    void flagsTakeValuesSeparatelyOrAfterAnEqualsSign() {
        ServerConfig c = ServerConfig.parse("--bind", "127.0.0.1:0", "-w", "4", "--timeout=0.5", "--data-size", "16m",
                "--max-requests", "1_000", "--refcounts=sidetable");
        assertThat(c.port()).isZero();
        assertThat(c.workers()).isEqualTo(4);
        assertThat(c.timeoutSeconds()).isEqualTo(0.5);
        assertThat(c.dataBytes()).isEqualTo(16L << 20);
        assertThat(c.maxRequests()).isEqualTo(1000);
        assertThat(c.refcounts()).isEqualTo("sidetable");
        assertThat(c.workerConfig().heartbeatNanos()).isEqualTo(125_000_000L); // a quarter of the timeout
    }

    @Test
    void helpReturnsNullAndTheUsageIsPicocliGeneratedWithEveryFlagAndItsDefault() {
        assertThat(ServerConfig.parse("--workers", "3", "--help")).isNull();
        assertThat(ServerConfig.usage()).startsWith("Usage: ./cowfork serve [-h]")
                .contains("-b, --bind=HOST:PORT", "(default: 127.0.0.1:8000;", "-w, --workers=N", "--data-size=BYTES",
                        "worker processes, 1 to 512 (default: 2)", "--huge-pages[=yes|no]", "TTIN one worker more");
    }

    @Test
    void badValuesNameTheFlagAndWhatItTakes() {
        assertThatThrownBy(() -> ServerConfig.parse("--workers", "0")).hasMessageContaining("--workers must be between 1");
        assertThatThrownBy(() -> ServerConfig.parse("--workers", "two")).hasMessageContaining("--workers")
                .hasMessageContaining("'two' is not a whole number");
        assertThatThrownBy(() -> ServerConfig.parse("--bind", "localhost:80")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> ServerConfig.parse("--bind", "8000")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> ServerConfig.parse("--bind", "1.2.3.4:70000")).hasMessageContaining("--bind")
                .hasMessageContaining("the port '70000' is not a whole number from 0 to 65535");
        assertThatThrownBy(() -> ServerConfig.parse("--timeout", "soon")).hasMessageContaining("--timeout")
                .hasMessageContaining("'soon' is not seconds");
        assertThatThrownBy(() -> ServerConfig.parse("--timeout=0.05")).hasMessageContaining("--timeout must be between 0.1 and 86400");
        assertThatThrownBy(() -> ServerConfig.parse("--data-size", "12q")).hasMessageContaining("k, m or g");
        assertThatThrownBy(() -> ServerConfig.parse("--frobnicate", "1")).hasMessageContaining("Unknown options: '--frobnicate'")
                .hasMessageEndingWith("(./cowfork serve --help shows every option)");
        assertThatThrownBy(() -> ServerConfig.parse("--workers")).hasMessageContaining("Missing required parameter for option '--workers'");
        assertThatThrownBy(() -> ServerConfig.parse("--data-size=1k")).hasMessage("--data-size must be between 64.0 KiB and 64.0 GiB, got 1.0 KiB"
                + " (./cowfork serve --help shows every option)");
        assertThatThrownBy(() -> ServerConfig.parse("--limit-request-line", "5000", "--limit-request-head", "4000"))
                .hasMessageContaining("must be at least --limit-request-line");
    }

    @Test
    void theDebuggingAndExposureSwitchesTakeNoValue() {
        assertThatCode(() -> ServerConfig.parse("--debug-endpoints", "--expose-stats", "--debug-crash-workers", "-w", "1"))
                .doesNotThrowAnyException();
    }

    /**
     * 10,000 connections with the default 8 KiB head limit: 10,000 x (8,191 + 16,384) bytes of
     * buffers, 234 MiB, allocated in each worker after fork, more than its eden: every worker
     * would hang in its constructor. Refused at start, with the arithmetic.
     */
    @Test
    void aConnectionPoolLargerThanAWorkersHeapIsRefusedWithTheArithmetic() {
        assertThatThrownBy(() -> ServerConfig.parse("--worker-connections", "10000"))
                .hasMessageContaining("--worker-connections 10000")
                .hasMessageContaining("234.4 MiB")
                .hasMessageContaining("eden");
    }

    @Test
    void sleepIsOffAndTheStatsAreServedOnLoopbackOnlyByDefault() {
        assertThat(ServerConfig.parse().workerConfig().routes()).isEqualTo(new Endpoints.Routes(false, true));
        assertThat(ServerConfig.parse("--bind", "127.0.0.2:0").workerConfig().routes().stats()).isTrue();
        assertThat(ServerConfig.parse("--bind", "0.0.0.0:0").workerConfig().routes().stats()).isFalse();
        assertThat(ServerConfig.parse("--bind", "0.0.0.0:0", "--expose-stats").workerConfig().routes().stats()).isTrue();
        assertThat(ServerConfig.parse("--debug-endpoints").workerConfig().routes().sleep()).isTrue();
        assertThat(ServerConfig.parse("--debug-crash-workers").debugCrashWorkers()).isTrue();
        assertThat(ServerConfig.parse().debugCrashWorkers()).isFalse();
    }

    @Test
    void theArithmeticOfAWorkersHeap() {
        ServerConfig c = ServerConfig.parse("--worker-connections", "100", "--limit-request-head", "16383");
        int answer = 100_000; // the longest stats answer of some data set
        // 100 x (16,384 B in + 16,384 B out) = 3,276,800 B, plus three stats buffers and 1 MiB for the rest.
        assertThat(c.workerConfig().poolBytes()).isEqualTo(3_276_800L);
        assertThat(c.workerHeapBytes(answer)).isEqualTo(3_276_800L + 3 * 100_000 + (1 << 20));
        assertThat(c.workerHeapProblem(c.workerHeapBytes(answer), answer)).as("exactly the eden").isNull();
        assertThat(c.workerHeapProblem(-1, answer)).as("no eden to compare with").isNull();
        assertThat(c.workerHeapProblem(c.workerHeapBytes(answer) - 1, answer)).contains("--worker-connections 100", "3.1 MiB",
                "three stats buffers of 97.7 KiB", "At most 99 connections fit");
        assertThat(c.childHeapBudget(answer)).as("at least 64 MiB").isEqualTo(64L << 20);
        ServerConfig big = ServerConfig.parse("--worker-connections", "4000");
        assertThat(big.childHeapBudget(answer)).as("the pool, when it is larger").isEqualTo(big.workerHeapBytes(answer));
    }

    /** A data set whose dashboard answers alone outgrow the eden is refused with its own arithmetic, not the pool's. */
    @Test
    void statsBuffersThatOutgrowTheEdenAreRefusedWithTheirArithmetic() {
        ServerConfig c = ServerConfig.parse();
        int answer = 8 << 20;
        assertThat(c.workerHeapProblem(16L << 20, answer)).startsWith("a worker needs 24.0 MiB for three stats buffers of 8.0 MiB")
                .contains("more than the 16.0 MiB of eden", "use a smaller --data-size");
        assertThat(c.workerHeapProblem(64L << 20, answer)).isNull();
    }
}
