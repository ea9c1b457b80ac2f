// The command line: defaults, every flag form, and an error that names the flag for every bad value.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void helpReturnsNull() {
        assertThat(ServerConfig.parse("--workers", "3", "--help")).isNull();
    }

    @Test
    void badValuesNameTheFlagAndWhatItTakes() {
        assertThatThrownBy(() -> ServerConfig.parse("--workers", "0")).hasMessageContaining("--workers must be between 1");
        assertThatThrownBy(() -> ServerConfig.parse("--workers", "two")).hasMessageContaining("--workers takes a whole number");
        assertThatThrownBy(() -> ServerConfig.parse("--bind", "localhost:80")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> ServerConfig.parse("--bind", "8000")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> ServerConfig.parse("--bind", "1.2.3.4:70000")).hasMessageContaining("0 and 65535");
        assertThatThrownBy(() -> ServerConfig.parse("--timeout", "soon")).hasMessageContaining("takes seconds");
        assertThatThrownBy(() -> ServerConfig.parse("--data-size", "12q")).hasMessageContaining("k, m or g");
        assertThatThrownBy(() -> ServerConfig.parse("--frobnicate", "1")).hasMessageContaining("unknown flag '--frobnicate'");
        assertThatThrownBy(() -> ServerConfig.parse("--workers")).hasMessageContaining("--workers needs a value");
        assertThatThrownBy(() -> ServerConfig.parse("--limit-request-line", "5000", "--limit-request-head", "4000"))
                .hasMessageContaining("must be at least --limit-request-line");
    }
}
