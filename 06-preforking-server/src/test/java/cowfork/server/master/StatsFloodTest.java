// Nothing a client does delays supervision: under a flood of /stats a killed worker is replaced, USR1 answered, no healthy worker killed.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.Interrupts;
import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Every /stats request makes the master read every process's smaps (tens of ms). When the
 * master did that synchronously per request, eight clients asking in a loop kept it busy
 * for seconds per pass: USR1 came 6.7 s late, a killed worker was replaced 6.5 s late, and
 * heartbeats stamped with the time taken before the pass made the master kill the healthy
 * worker serving the flood ("no heartbeat for 8.2 s (--timeout 3.0)").
 *
 * <p>No wall clock is asserted: the master's own events are. The flood asks for
 * /dashboard/data, whose answers carry the number of the round of measuring they come from;
 * a round starts at most every 200 ms. A signal is handled first in the master's next pass,
 * so the USR1 table must come while the flood sees at most two more rounds; a respawn
 * without backoff is forked in the same pass as the death is logged, so the replacement's
 * fork is the next thing the master says about that slot.
 */
class StatsFloodTest {
    private static final int CLIENTS = 8;

    @Test
    void aFloodOfStatsDelaysNeitherRespawnNorSignalsNorHeartbeats() throws Exception {
        AtomicInteger roundAtTable = new AtomicInteger(-1);
        AtomicReference<Flood> flooding = new AtomicReference<>();
        try (ServerProcess server = ServerProcess.startAndAwaitReady(line -> {
            Flood f = flooding.get();
            if (f != null && line.startsWith("all ") && line.contains("processes: PSS")) {
                roundAtTable.compareAndSet(-1, f.newestRound()); // as the table's last line is read
            }
        }, "--workers", "2", "--timeout", "3");
             Flood flood = new Flood(server, CLIENTS)) {
            flooding.set(flood);
            flood.awaitAnswers(3 * CLIENTS);
            long floodStart = System.nanoTime();

            int victim = server.workerPids().get(0);
            int mark = server.lineCount();
            ServerProcess.signal(victim, "KILL");
            String died = server.awaitLineAfter(mark, l -> l.contains("(pid " + victim + ") died"), Duration.ofSeconds(30));
            assertThat(died).as("a worker that served is replaced without backoff").endsWith("replacing it");
            String slot = died.substring(died.indexOf("worker "), died.indexOf(" (pid"));
            String next = server.awaitLineAfter(server.output().lines().toList().indexOf(died) + 1,
                    l -> l.contains(slot + " (pid"), Duration.ofSeconds(30));
            assertThat(next).as("the next thing said about %s, after its death", slot).contains("forked in");
            server.awaitLineAfter(mark, l -> l.contains(slot + " (pid") && l.contains("booted"), Duration.ofSeconds(30));

            int before = flood.newestRound();
            server.signal("USR1");
            server.awaitLineAfter(server.lineCount(), l -> l.startsWith("all ") && l.contains("processes: PSS"),
                    Duration.ofSeconds(30));
            int during = roundAtTable.get() - before;

            // Keep flooding past two --timeout periods: a heartbeat stamped late would show now.
            int answersBefore = flood.answers();
            int roundsBefore = flood.newestRound();
            while (flood.newestRound() - roundsBefore < 2 * 3 * 5) { // 2 x --timeout at <= 5 rounds a second
                flood.awaitAnswers(flood.answers() + 1);
            }
            System.out.printf(java.util.Locale.ROOT, "stats-flood: clients=%d rounds while USR1 waited=%d answers=%d in %.1f s%n",
                    CLIENTS, during, flood.answers(), (System.nanoTime() - floodStart) / 1e9);
            assertThat(flood.answers()).as("/dashboard/data answers during the flood").isGreaterThan(answersBefore);
            assertThat(flood.failures()).as("failed /dashboard/data requests").isZero();
            assertThat(during).as("rounds of /stats work the flood saw while USR1 waited for its table").isBetween(0, 2);
            assertThat(server.output()).as("no healthy worker killed").doesNotContain("no heartbeat");
        }
    }

    /** Clients asking for /dashboard/data in a loop, each on a kept-alive connection of its own. */
    static final class Flood implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answers = new AtomicInteger();
        private final AtomicInteger newestRound = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();

        Flood(ServerProcess server, int clients) {
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try (Socket s = server.socket()) {
                            while (running.get()) {
                                RawHttp.Response r = RawHttp.get(s, "/dashboard/data");
                                if (r.status() == 200) {
                                    int round = (int) StatsJson.dashboard(r.body()).round();
                                    newestRound.accumulateAndGet(round, Math::max);
                                    answers.incrementAndGet();
                                } else {
                                    failures.incrementAndGet();
                                }
                            }
                        } catch (IOException e) {
                            // the connection was on the worker that was killed: reconnect
                        }
                    }
                }, "dashboard-flood-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        int answers() {
            return answers.get();
        }

        /** The newest round of the master's measuring an answer came from. */
        int newestRound() {
            return newestRound.get();
        }

        int failures() {
            return failures.get();
        }

        /** Waits (at most 30 s) until {@code n} answers have come. */
        void awaitAnswers(int n) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (answers.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + answers.get() + " of " + n + " /dashboard/data answers within 30 s");
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
