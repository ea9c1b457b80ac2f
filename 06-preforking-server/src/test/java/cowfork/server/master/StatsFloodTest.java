// Nothing a client does delays supervision: under a flood of /stats a killed worker is replaced, USR1 answered, no healthy worker killed.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.Interrupts;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every /stats request makes the master read every process's smaps (tens of ms). When the
 * master did that synchronously per request, eight clients asking in a loop kept it busy
 * for seconds per pass: USR1 came 6.7 s late, a killed worker was replaced 6.5 s late, and
 * heartbeats stamped with the time taken before the pass made the master kill the healthy
 * worker serving the flood ("no heartbeat for 8.2 s (--timeout 3.0)").
 */
class StatsFloodTest {
    private static final int CLIENTS = 8;

    @Test
    void aFloodOfStatsDelaysNeitherRespawnNorSignalsNorHeartbeats() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--timeout", "3");
             Flood flood = new Flood(server, CLIENTS)) {
            flood.awaitAnswers(3 * CLIENTS);
            long floodStart = System.nanoTime();

            int victim = server.workerPids().get(0);
            int mark = server.lineCount();
            long killed = System.nanoTime();
            ServerProcess.signal(victim, "KILL");
            server.awaitLineAfter(mark, l -> l.contains("booted"), Duration.ofSeconds(30));
            double respawnMs = (System.nanoTime() - killed) / 1e6;

            mark = server.lineCount();
            long asked = System.nanoTime();
            server.signal("USR1");
            server.awaitLineAfter(mark, l -> l.startsWith("all ") && l.contains("processes: PSS"), Duration.ofSeconds(30));
            double usr1Ms = (System.nanoTime() - asked) / 1e6;

            // Keep flooding past two --timeout periods: a heartbeat stamped late would show now.
            int before = flood.answers();
            while (System.nanoTime() - floodStart < 7_000_000_000L) {
                flood.awaitAnswers(flood.answers() + 1);
            }
            System.out.printf(java.util.Locale.ROOT, "stats-flood: clients=%d respawn_ms=%.0f usr1_ms=%.0f answers=%d in %.1f s%n",
                    CLIENTS, respawnMs, usr1Ms, flood.answers(), (System.nanoTime() - floodStart) / 1e9);
            assertThat(flood.answers()).as("/stats answers during the flood").isGreaterThan(before);
            assertThat(flood.failures()).as("failed /stats requests").isZero();
            assertThat(respawnMs).as("ms from kill -9 to the replacement's boot, under the flood").isLessThan(2000);
            assertThat(usr1Ms).as("ms from USR1 to the memory table, under the flood").isLessThan(2000);
            assertThat(server.output()).as("no healthy worker killed").doesNotContain("no heartbeat");
        }
    }

    /** Clients asking for /stats in a loop, each on a kept-alive connection of its own. */
    static final class Flood implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answers = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();

        Flood(ServerProcess server, int clients) {
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try (Socket s = server.socket()) {
                            while (running.get()) {
                                RawHttp.Response r = RawHttp.get(s, "/stats");
                                (r.status() == 200 ? answers : failures).incrementAndGet();
                            }
                        } catch (IOException e) {
                            // the connection was on the worker that was killed: reconnect
                        }
                    }
                }, "stats-flood-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        int answers() {
            return answers.get();
        }

        int failures() {
            return failures.get();
        }

        /** Waits (at most 30 s) until {@code n} answers have come. */
        void awaitAnswers(int n) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (answers.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + answers.get() + " of " + n + " /stats answers within 30 s");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // polling a counter, bounded by the deadline
            }
        }

        /** {@link #stop}, keeping an interrupt ({@link Interrupts}). */
        @Override
        public void close() {
            Interrupts.keep("stopping the flood", this::stop);
        }

        private void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000); // a request in flight ends within the socket timeout
            }
        }
    }
}
