// What the server does not do unless asked: serve its process details to the network, or hold a worker in /sleep.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.ServerProcess;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafeDefaultsTest {
    /**
     * On an address other clients can reach, the pids and memory layout of /stats and the
     * dashboard (and the work a /stats request makes the master do) are not served unless
     * --expose-stats says so. The server binds 0.0.0.0 here; the test reaches it on 127.0.0.1.
     */
    @Test
    void processDetailsAreNotServedOnANonLoopbackBindUnlessExposed() {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--bind", "0.0.0.0:0")) {
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            for (String path : List.of("/stats", "/stats?format=text", "/dashboard", "/dashboard/data")) {
                HttpResponse<String> r = server.get(path);
                assertThat(r.statusCode()).as(path).isEqualTo(404);
                assertThat(r.body()).as(path).contains("--expose-stats");
            }
            assertThat(server.get("/sleep?ms=0").statusCode()).as("/sleep, without --debug-endpoints").isEqualTo(404);
        }
    }
}
