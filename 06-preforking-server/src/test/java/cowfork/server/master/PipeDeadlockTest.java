// Master and worker each writing to the other while neither reads: the deadlock a blocking write makes, provoked.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The master and a worker talk over two pipes, one each way. Before, both wrote with a
 * blocking write(2): while the master wrote stats answers into the worker's full pipe it
 * read nothing from that worker, and the worker, answering those same answers' clients and
 * taking their next (pipelined) /stats requests, wrote stats requests until its own pipe to
 * the master was full, and blocked too. Neither read again: a deadlock no timeout could end,
 * since the master, stuck, could not even kill the worker.
 *
 * <p>It takes about 1,700 requests in flight to fill a 64 KiB pipe with 39-byte requests:
 * 2,000 connections to one worker, each with five /stats requests pipelined. Now the master
 * never blocks, and a worker keeps at most 32 requests waiting for the master (beyond that
 * it answers 503 itself), so every request gets an answer, and the master answers USR1.
 */
class PipeDeadlockTest {
    private static final int CONNECTIONS = 2000;
    private static final int PIPELINED = 5;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void twoThousandPipelinedStatsClientsNeitherDeadlockTheMasterNorLoseARequest() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--worker-connections", "2100",
                "--limit-request-head", "1024", "--limit-request-line", "512", "--client-timeout", "80",
                "--timeout", "120")) {
            List<Socket> clients = new ArrayList<>();
            try {
                String request = "GET /stats HTTP/1.1\r\nHost: t\r\n\r\n".repeat(PIPELINED);
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket s = server.socket();
                    s.setSoTimeout((int) WAIT.toMillis());
                    RawHttp.send(s, request);
                    clients.add(s);
                }
                int mark = server.lineCount();
                server.signal("USR1");
                server.awaitLineAfter(mark, l -> l.startsWith("all ") && l.contains("processes: PSS"), WAIT);

                int ok = 0;
                int busy = 0;
                for (Socket s : clients) {
                    for (int i = 0; i < PIPELINED; i++) {
                        RawHttp.Response r = RawHttp.read(s);
                        assertThat(r).as("an answer to each of the %d requests", CONNECTIONS * PIPELINED).isNotNull();
                        assertThat(r.status()).isIn(200, 503);
                        if (r.status() == 200) {
                            ok++;
                        } else {
                            busy++;
                        }
                    }
                }
                System.out.printf("pipe-deadlock: %d answered 200, %d answered 503 (more than 32 waiting)%n", ok, busy);
                assertThat(ok).as("stats answers from the master").isPositive();
                assertThat(server.get("/health").statusCode()).isEqualTo(200);
            } finally {
                for (Socket s : clients) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing a socket the server reset
                    }
                }
            }
        }
    }
}
