// wrk's report, as wrk 4 printed it against ./cowfork serve (captured once into test resources): rps, percentiles, failures.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WrkResultTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = WrkResultTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void requestsPerSecondAndPercentilesInMicroseconds() throws IOException {
        WrkResult r = WrkResult.parse(resource("wrk-latency.txt"));
        assertThat(r.rps()).isEqualTo(90995.20);
        assertThat(r.p50Micros()).isEqualTo(337.0);
        assertThat(r.p90Micros()).isEqualTo(527.0);
        assertThat(r.p99Micros()).isEqualTo(2680.0); // "2.68ms"
        assertThat(r.failed()).isZero();
    }

    @Test
    void nonSuccessAnswersAreCountedAsFailed() throws IOException {
        // ITEMS twice the catalogue: half the keys do not exist and are answered 404
        WrkResult r = WrkResult.parse(resource("wrk-non2xx.txt"));
        assertThat(r.failed()).isEqualTo(56424);
        assertThat(r.p90Micros()).isEqualTo(1020.0);
    }

    @Test
    void socketErrorsAreCountedAsFailed() throws IOException {
        String text = resource("wrk-latency.txt").replace("Requests/sec:",
                "  Socket errors: connect 3, read 4, write 0, timeout 5\nRequests/sec:");
        assertThat(WrkResult.parse(text).failed()).isEqualTo(12);
    }

    @Test
    void aReportWithoutTheLatencyDistributionIsRefusedWithTheReport() throws IOException {
        String text = resource("wrk-latency.txt").replaceAll("(?m)^\\s+99%.*\\n", "");
        assertThatThrownBy(() -> WrkResult.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 99% latency line").hasMessageContaining("Requests/sec:  90995.20");
        assertThatThrownBy(() -> WrkResult.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .hasMessageContaining("no 'Requests/sec:'");
    }

    @Test
    void latenciesArePrintedInTheirUnit() {
        assertThat(WrkResult.formatMicros(566)).isEqualTo("566 us");
        assertThat(WrkResult.formatMicros(4240)).isEqualTo("4.24 ms");
        assertThat(WrkResult.formatMicros(1_200_000)).isEqualTo("1.20 s");
    }
}
