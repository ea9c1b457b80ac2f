// The crash-loop brake: workers dying while they boot are forked later and later; a worker that had served is replaced at once.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
     * must wait longer before each new fork: what it decides, it says (the delay it will wait
     * before the next fork), and this test reads it there, not from a stopwatch.
     */
    @Test
    void workersThatDieWhileBootingAreForkedLaterAndLater() {
        try (ServerProcess server = ServerProcess.startWithoutWaiting("--workers", "1", "--warmup", "0", "--timeout", "0.3",
                "--worker-connections", "10000", "--limit-request-head", "1048576")) {
            server.awaitLine(l -> l.contains("5 deaths before booting in a row, next fork in 800 ms"), WAIT);
            assertThat(server.output()).doesNotContain("booted");
            List<Long> delays = new ArrayList<>();
            Matcher m = NEXT_FORK.matcher(server.output());
            while (m.find()) {
                delays.add(Long.parseLong(m.group(1)));
            }
            assertThat(delays).as("the delay announced after each death before booting").startsWith(100L, 200L, 400L, 800L);
            // Each death's next fork comes after it in the log: the master never forks while it backs off.
            List<String> lines = server.output().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("next fork in")) {
                    for (int j = i + 1; j < lines.size() && !lines.get(j).contains("forked in"); j++) {
                        assertThat(lines.get(j)).as("between a death and the next fork").doesNotContain("died after");
                    }
                }
            }
        }
    }

    /**
     * Kill -9 a worker that served, five times in a row: each replacement is forked at once,
     * in the very pass that reaped the dead one: its fork is the next thing the master says.
     */
    @Test
    void aWorkerKilledAfterServingIsReplacedAtOnceEveryTime() {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            for (int round = 0; round < 5; round++) {
                assertThat(server.get("/item/1").statusCode()).isEqualTo(200);
                int victim = server.workerPids().get(0);
                int mark = server.lineCount();
                ServerProcess.signal(victim, "KILL");
                String died = server.awaitLineAfter(mark, l -> l.contains("(pid " + victim + ") died"), WAIT);
                assertThat(died).endsWith("replacing it");
                int diedAt = server.output().lines().toList().lastIndexOf(died);
                String next = server.awaitLineAfter(diedAt + 1, l -> l.startsWith("[master]"), WAIT);
                assertThat(next).as("round %d: the line after the death", round).contains("worker 1 (pid").contains("forked in");
                server.awaitLineAfter(mark, l -> l.contains("booted"), WAIT);
            }
            assertThat(server.output()).doesNotContain("before booting", "quick deaths");
        }
    }

    private static final Pattern NEXT_FORK = Pattern.compile("deaths before booting in a row, next fork in (\\d+) ms");
}
