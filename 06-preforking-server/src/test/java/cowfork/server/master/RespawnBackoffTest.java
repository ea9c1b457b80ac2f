// The crash-loop brake: workers dying while they boot are forked later and later; a worker that had served is replaced at once.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RespawnBackoffTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Property
    void aWorkerThatHadBootedIsReplacedAtOnceAndEndsTheStreak(@ForAll @IntRange(max = 30) int bootDeaths,
                                                             @ForAll @IntRange(max = 1_000_000) long requests) {
        RespawnBackoff b = new RespawnBackoff();
        for (int i = 0; i < bootDeaths; i++) {
            b.onDeath(false, 0);
        }
        assertThat(b.onDeath(true, requests)).isZero();
        assertThat(b.quickDeaths()).isZero();
        assertThat(b.onDeath(false, 0)).as("the first boot death after a healthy one").isZero();
    }

    @Property
    void deathsWhileBootingWaitLongerEachTimeUpToTheCap(@ForAll @IntRange(min = 2, max = 40) int n) {
        RespawnBackoff b = new RespawnBackoff();
        long previous = -1;
        for (int i = 1; i <= n; i++) {
            long d = b.onDeath(false, 0);
            assertThat(d).isBetween(0L, RespawnBackoff.MAX_DELAY_NANOS);
            assertThat(d).isGreaterThanOrEqualTo(previous);
            if (i >= 2 && previous < RespawnBackoff.MAX_DELAY_NANOS / 2) {
                assertThat(d).isGreaterThan(previous);
            }
            previous = d;
        }
        assertThat(b.quickDeaths()).isEqualTo(n);
    }

    /** 100k requests then kill -9, six times in a row: never a delay (the old rule counted any death within 5 s of birth). */
    @Property
    void killsFromOutsideOfServingWorkersNeverBackOff(@ForAll @IntRange(min = 1, max = 50) int kills) {
        RespawnBackoff b = new RespawnBackoff();
        for (int i = 0; i < kills; i++) {
            assertThat(b.onDeath(true, 100_000)).isZero();
        }
    }

    /**
     * Real workers that cannot boot: a connection pool of 10,000 x 1 MiB does not fit a
     * child's eden, and a forked child cannot collect, so each worker hangs in its
     * constructor (or dies of it) and is killed for missing its first heartbeat. The master
     * must wait longer before each new fork: the time between two deaths grows by the backoff.
     */
    @Test
    void workersThatDieWhileBootingAreForkedLaterAndLater() {
        List<Long> killedAt = new ArrayList<>();
        try (ServerProcess server = ServerProcess.startWithoutWaiting(line -> {
            if (line.contains(") died after")) { // killed for no heartbeat (it hangs), or dead of its own
                synchronized (killedAt) {
                    killedAt.add(System.nanoTime());
                }
            }
        }, "--workers", "1", "--warmup", "0", "--timeout", "0.3", "--worker-connections", "10000",
                "--limit-request-head", "1048576")) {
            int mark = 0;
            server.awaitLineAfter(mark, l -> l.contains("5 deaths before booting in a row, next fork in 800 ms"), WAIT);
            assertThat(server.output()).doesNotContain("booted");
            synchronized (killedAt) {
                // death k+1 comes a boot attempt (here a 0.3 s timeout) plus the k-th delay (0, 100, 200, 400 ms) after death k.
                double gap1 = (killedAt.get(1) - killedAt.get(0)) / 1e9;
                double gap4 = (killedAt.get(4) - killedAt.get(3)) / 1e9;
                assertThat(gap4).as("seconds between the 4th and 5th death").isGreaterThanOrEqualTo(0.4 - 0.05);
                assertThat(gap4 - gap1).as("the 4th wait minus the 1st").isGreaterThan(0.25);
            }
        }
    }

    /** Kill -9 a worker that served, five times in a row: each replacement is forked at once. */
    @Test
    void aWorkerKilledAfterServingIsReplacedAtOnceEveryTime() {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            for (int round = 0; round < 5; round++) {
                assertThat(server.get("/item/1").statusCode()).isEqualTo(200);
                int victim = server.workerPids().get(0);
                int mark = server.lineCount();
                long t0 = System.nanoTime();
                ServerProcess.signal(victim, "KILL");
                String died = server.awaitLineAfter(mark, l -> l.contains("(pid " + victim + ") died"), WAIT);
                assertThat(died).endsWith("replacing it");
                server.awaitLineAfter(mark, l -> l.contains("booted"), WAIT);
                assertThat((System.nanoTime() - t0) / 1e6).as("ms from kill to the replacement's boot, round %d", round)
                        .isLessThan(2000);
            }
            assertThat(server.output()).doesNotContain("before booting", "quick deaths");
        }
    }
}
