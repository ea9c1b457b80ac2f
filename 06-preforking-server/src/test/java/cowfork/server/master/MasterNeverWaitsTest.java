// A worker busy with one slow request stops reading its pipe: the master's answers to it wait, and nothing else does.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * One worker; six clients ask {@code GET /dashboard/data} while a seventh holds the worker
 * in {@code GET /sleep?ms=20000}. The master's answer to the six is larger than a pipe
 * holds (a 128 MiB data set: two page maps of ~43,000 pages each), and the worker, asleep, does
 * not read it. The master used to write it with a blocking write(2): its only thread sat
 * in the kernel until the sleep ended, 20 s with no signals, no reaping, no heartbeats.
 *
 * <p>Nothing here races the clock: the order of events decides. The worker is stopped
 * (SIGSTOP) while the seven requests queue up, so that when it continues it takes the six
 * questions and then the sleep in one pass, before any answer can reach it. The master
 * says, from its own clock, when a worker has not read its pipe for a second; from then on
 * the USR1 table and the TERM notice must both come before the sleeping request ends.
 */
class MasterNeverWaitsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aWorkerAsleepInARequestDelaysNeitherTheMemoryTableNorAGracefulStop() throws Exception {
        // --client-timeout 60: the six questions wait out the 20 s sleep and are still answered.
        ServerProcess server = ServerProcess.start("--workers", "1", "--data-size", "128m", "--timeout", "60", "--debug-endpoints",
                "--client-timeout", "60");
        List<Socket> dashboards = new ArrayList<>();
        AtomicBoolean sleepAnswered = new AtomicBoolean();
        AtomicReference<RawHttp.Response> sleepResponse = new AtomicReference<>();
        Thread sleeper = null;
        int worker = server.workerPids().get(0);
        ServerProcess.signal(worker, "STOP");
        for (int i = 0; i < 6; i++) {
            Socket s = server.socket();
            s.setSoTimeout(60_000);
            RawHttp.send(s, "GET /dashboard/data HTTP/1.1\r\nHost: t\r\n\r\n");
            dashboards.add(s);
        }
        try (Socket sleepy = server.socket()) { // connected last: accepted (and served) after the six
            sleepy.setSoTimeout(60_000);
            RawHttp.send(sleepy, "GET /sleep?ms=20000 HTTP/1.1\r\nHost: t\r\n\r\n");
            int mark = server.lineCount();
            ServerProcess.signal(worker, "CONT");
            sleeper = new Thread(() -> {
                try {
                    sleepResponse.set(RawHttp.read(sleepy));
                } catch (IOException e) {
                    // left null: the assertion below says so
                } finally {
                    sleepAnswered.set(true);
                }
            }, "sleep-client");
            sleeper.start();

            // The master's own notice: its answer to the sleeping worker waits for room.
            String notice = lineBeforeTheSleepEnds(server, mark, l -> l.contains("(pid " + worker + ") has not read its pipe"),
                    sleepAnswered, "the master's notice that its answers wait for the sleeping worker");
            assertThat(notice).contains("bytes of answers wait for it");

            mark = server.lineCount();
            server.signal("USR1");
            lineBeforeTheSleepEnds(server, mark, l -> l.startsWith("all ") && l.contains("processes: PSS"), sleepAnswered,
                    "the USR1 memory table");

            mark = server.lineCount();
            server.signal("TERM");
            lineBeforeTheSleepEnds(server, mark, l -> l.contains("TERM: graceful stop"), sleepAnswered,
                    "the master acting on TERM");

            // Graceful: the sleeping request still gets its answer, and so does each of the six.
            sleeper.join(WAIT.toMillis());
            assertThat(sleepResponse.get()).isNotNull();
            assertThat(sleepResponse.get().status()).isEqualTo(200);
            for (Socket s : dashboards) {
                RawHttp.Response r = RawHttp.read(s);
                assertThat(r).as("an answer to every /dashboard/data").isNotNull();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).startsWith("{\"refcounts\":");
            }
            assertThat(server.awaitExit(WAIT)).isZero();
        } finally {
            for (Socket s : dashboards) {
                s.close();
            }
            if (sleeper != null) {
                sleeper.interrupt();
            }
            server.close();
        }
    }

    /**
     * Waits for the server's first line from {@code mark} on that matches {@code p}, and fails
     * if the sleeping request is answered first: the order of the two events is the assertion.
     */
    private static String lineBeforeTheSleepEnds(ServerProcess server, int mark, Predicate<String> p,
                                                 AtomicBoolean sleepAnswered, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean sleepEnded = sleepAnswered.get(); // read before the lines: a line seen after it came first
            List<String> lines = server.output().lines().skip(mark).toList();
            for (String l : lines) {
                if (p.test(l)) {
                    return l;
                }
            }
            assertThat(sleepEnded).as("the sleeping request ended before " + what + "; the server said:%n%s",
                    server.output()).isFalse();
            LockSupport.parkNanos(10_000_000); // polling the output, bounded by the deadline
        }
        throw new AssertionError("no " + what + " within " + WAIT + "; the server said:\n" + server.output());
    }
}
