// The respawn policy's contract: the table of delays, and a real server whose master runs the policy (the master's own, and chapter 06's lab).
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RespawnPolicy} must do, as properties of the policy alone and as tests of a
 * real server whose master runs it. {@link RespawnBackoffTest} runs it against the master's
 * own policy; chapter 06's lab grader against a student's, registered for the server it starts
 * ({@link #startServer}).
 *
 * <pre>
 *   died before booting, n-th time in a row:  1      2       3       4    ...  9+
 *   next fork after:                          0      100 ms  200 ms  400 ms  ...  10 s (cap)
 *   a fork that failed, n-th in the streak:          100 ms  200 ms  ...  (it counts in the streak)
 *   a worker that had booted, or served, dies: 0, and the streak starts again
 * </pre>
 */
public abstract class RespawnPolicyContract {
    /** The first wait after a death while booting, and the cap. */
    public static final long FIRST_DELAY_NANOS = 100_000_000L;
    public static final long MAX_DELAY_NANOS = 10_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A new policy under test. */
    protected abstract RespawnPolicy newPolicy();

    /** Starts a real server whose master uses the policy under test, with {@code args}; returns once it listens. */
    protected abstract ServerProcess startServer(Consumer<String> echo, String... args);

    @Property(tries = 50)
    void aWorkerThatHadBootedIsReplacedAtOnceAndEndsTheStreak(@ForAll @IntRange(max = 30) int bootDeaths,
                                                             @ForAll @LongRange(max = 1_000_000) long requests) {
        RespawnPolicy b = newPolicy();
        for (int i = 0; i < bootDeaths; i++) {
            b.onDeath(false, 0);
        }
        assertThat(b.onDeath(true, requests)).as("the wait after a booted worker died, %d boot deaths before it", bootDeaths).isZero();
        assertThat(b.quickDeaths()).as("the streak after a booted worker died").isZero();
        assertThat(b.onDeath(false, 0)).as("the first boot death after a healthy one").isZero();
    }

    @Property(tries = 50)
    void aWorkerThatServedIsReplacedAtOnceEvenIfItNeverSaidItBooted(@ForAll @LongRange(min = 1, max = 1_000_000) long requests) {
        RespawnPolicy b = newPolicy();
        b.onDeath(false, 0);
        b.onDeath(false, 0);
        assertThat(b.onDeath(false, requests)).as("the wait after a worker that had served %d requests died", requests).isZero();
        assertThat(b.quickDeaths()).isZero();
    }

    @Property(tries = 40)
    void deathsWhileBootingFollowTheTable(@ForAll @IntRange(min = 1, max = 40) int n) {
        RespawnPolicy b = newPolicy();
        for (int i = 1; i <= n; i++) {
            long expected = i == 1 ? 0 : Math.min(MAX_DELAY_NANOS, FIRST_DELAY_NANOS << Math.min(20, i - 2));
            assertThat(b.onDeath(false, 0)).as("the wait after the %d-th death before booting in a row, in ns", i).isEqualTo(expected);
            assertThat(b.quickDeaths()).as("the streak after %d deaths before booting", i).isEqualTo(i);
        }
    }

    @Test
    void aForkThatFailsWaitsAndCountsInTheStreak() {
        RespawnPolicy b = newPolicy();
        assertThat(b.onForkFailure()).as("the wait after the first failed fork").isEqualTo(FIRST_DELAY_NANOS);
        assertThat(b.onForkFailure()).as("after the second in a row").isEqualTo(2 * FIRST_DELAY_NANOS);
        assertThat(b.quickDeaths()).isEqualTo(2);
        assertThat(b.onDeath(true, 5)).isZero();
        assertThat(b.quickDeaths()).as("a booted worker's death ends the streak").isZero();
    }

    /** 100k requests then kill -9, many times in a row: never a delay (an old rule counted any death within 5 s of birth). */
    @Property(tries = 20)
    void killsFromOutsideOfServingWorkersNeverBackOff(@ForAll @IntRange(min = 1, max = 50) int kills) {
        RespawnPolicy b = newPolicy();
        for (int i = 0; i < kills; i++) {
            assertThat(b.onDeath(true, 100_000)).isZero();
        }
    }

    /**
     * Real workers that cannot boot: with --debug-crash-workers each forked worker exits
     * (status 70) before its first heartbeat, as a worker with a broken configuration would.
     * The master must wait longer before each new fork: what it decides, it says (the delay it
     * will wait before the next fork), and this test reads it there, not from a stopwatch.
     */
    @Test
    void workersThatDieWhileBootingAreForkedLaterAndLater() {
        try (ServerProcess server = startServer(line -> { },
                "--workers", "1", "--warmup", "0", "--timeout", "0.3", "--debug-crash-workers")) {
            server.awaitLineAfter(0, l -> l.contains("5 deaths before booting in a row, next fork in 800 ms"), WAIT);
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
        try (ServerProcess server = startServer(line -> { }, "--workers", "1")) {
            server.awaitLine(l -> l.contains("ready:"), Duration.ofSeconds(60));
            for (int round = 0; round < 5; round++) {
                assertThat(server.get("/item/1").statusCode()).isEqualTo(200);
                int victim = server.workerPids().get(0);
                int mark = server.lineCount();
                ServerProcess.signal(victim, "KILL");
                String died = server.awaitLineAfter(mark, l -> l.contains("(pid " + victim + ") died"), WAIT);
                assertThat(died).as("the master's line for the %d-th killed worker", round + 1).endsWith("replacing it");
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
