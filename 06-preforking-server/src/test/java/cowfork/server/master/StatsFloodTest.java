// Nothing a client does delays supervision: under a flood of /stats a killed worker is replaced, USR1 answered, no healthy worker killed.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.stats.StatsJson;
import cowfork.server.tools.ClientLoad;
import cowfork.server.tools.ServerProcess;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

    @Test
    void aFloodOfStatsDelaysNeitherRespawnNorSignalsNorHeartbeats() throws Exception {
        AtomicInteger roundAtTable = new AtomicInteger(-1);
        AtomicBoolean flooding = new AtomicBoolean();
        AtomicInteger newestRound = new AtomicInteger(); // of the master's measuring, among the answers so far
        try (ServerProcess server = ServerProcess.startAndAwaitReady(line -> {
            if (flooding.get() && line.startsWith("all ") && line.contains("processes: PSS")) {
                roundAtTable.compareAndSet(-1, newestRound.get()); // as the table's last line is read
            }
        }, "--workers", "2", "--timeout", "3");
             ClientLoad flood = new ClientLoad("dashboard-flood", server.port(), CLIENTS, k -> "/dashboard/data",
                     r -> newestRound.accumulateAndGet((int) StatsJson.dashboard(r.body()).round(), Math::max))) {
            flooding.set(true);
            flood.awaitAnswered(3 * CLIENTS, ANSWER_WAIT);
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

            int before = newestRound.get();
            server.signal("USR1");
            server.awaitLineAfter(server.lineCount(), l -> l.startsWith("all ") && l.contains("processes: PSS"),
                    Duration.ofSeconds(30));
            int during = roundAtTable.get() - before;

            // Keep flooding past two --timeout periods: a heartbeat stamped late would show now.
            long answersBefore = flood.answered();
            int roundsBefore = newestRound.get();
            while (newestRound.get() - roundsBefore < 2 * 3 * 5) { // 2 x --timeout at <= 5 rounds a second
                flood.awaitAnswered(flood.answered() + 1, ANSWER_WAIT);
            }
            System.out.printf(java.util.Locale.ROOT, "stats-flood: clients=%d rounds while USR1 waited=%d answers=%d in %.1f s%n",
                    CLIENTS, during, flood.answered(), (System.nanoTime() - floodStart) / 1e9);
            assertThat(flood.answered()).as("/dashboard/data answers during the flood").isGreaterThan(answersBefore);
            assertThat(flood.refused()).as("/dashboard/data requests answered with another status than 200").isZero();
            assertThat(during).as("rounds of /stats work the flood saw while USR1 waited for its table").isBetween(0, 2);
            assertThat(server.output()).as("no healthy worker killed").doesNotContain("no heartbeat");
        }
    }
}
