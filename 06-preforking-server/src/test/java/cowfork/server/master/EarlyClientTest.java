// A client that connects the moment the server says where it listens is answered by a real worker, never by the warm-up.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The master prints "listening on" before it warms up, and the warm-up serves real
 * requests through the worker code inside the master. If it served them on the public
 * socket, an early client would be accepted by the warm-up: answered by the master itself
 * (its pid in {@code X-Worker}), or caught by the warm-up's 1 ms timeouts (408), or cut
 * off when the warm-up stops. The warm-up listens on a private socket, so the early
 * client waits in the public socket's backlog until a forked worker accepts it.
 */
class EarlyClientTest {

    @Test
    void aClientConnectingAsSoonAsListeningOnIsPrintedGetsAWorkersAnswer() throws Exception {
        AtomicReference<Socket> early = new AtomicReference<>();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        // Connect from the thread that reads the server's output, on the very line: the
        // warm-up (20,000 requests) has not started yet.
        try (ServerProcess server = ServerProcess.startWithoutWaiting(line -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
            if (m.find()) {
                try {
                    Socket s = new Socket("127.0.0.1", Integer.parseInt(m.group(1)));
                    s.setSoTimeout(60_000);
                    RawHttp.send(s, "GET /item/3 HTTP/1.1\r\nHost: early\r\n\r\n");
                    early.set(s);
                } catch (IOException | RuntimeException e) {
                    failed.set(new UncheckedIOException(new IOException("early client: " + e, e)));
                }
            }
        }, "--workers", "2", "--warmup", "20000")) {
            if (failed.get() != null) {
                throw failed.get();
            }
            try (Socket s = early.get()) {
                assertThat(s).as("the early client connected").isNotNull();
                RawHttp.Response r = RawHttp.read(s);
                assertThat(r.status()).as("status; body %s", r.body()).isEqualTo(200);
                int answeredBy = Integer.parseInt(r.header("x-worker"));
                assertThat(answeredBy).as("the pid that answered (the master is %d)", server.masterPid())
                        .isNotEqualTo(server.masterPid());
                server.awaitLine(l -> l.contains("ready:"), Duration.ofSeconds(60));
                assertThat(server.workerPids()).contains(answeredBy);
                // Its connection stays usable: kept alive by the same worker.
                RawHttp.Response again = RawHttp.get(s, "/health");
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.header("x-worker")).isEqualTo(Integer.toString(answeredBy));
            }
        }
    }
}
