// A killed worker's old deadlines do not wake the master: it sleeps in poll while the kernel tears the worker down.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.server.protocol.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The master kills a worker whose heartbeat is older than --timeout, then waits for its
 * pidfd. It used to count the killed worker's heartbeat deadline, long past, when it chose
 * how long to sleep: its poll timeout was 0 until the worker was reaped, a busy loop, and
 * a worker stuck in the kernel (state D, which SIGKILL cannot end) kept it spinning
 * forever, its slot empty of a replacement.
 *
 * <p>The worker is a bare child forked in the test JVM; the clock is the test's, passed in
 * as the master's loop passes it.
 */
class KilledWorkerTest {
    private static final int LIMIT = Protocol.answerLimit(0);

    @Test
    void aKilledWorkersPastDeadlinesDoNotMakeTheMasterSpin() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Log log = new Log(new PrintStream(out, true, StandardCharsets.UTF_8));
        WorkerPool pool = new WorkerPool(ServerConfig.defaults(), null, -1, Forker.safe(), log, LIMIT);
        try (ChildHandle child = Forker.builder().deadline(Duration.ofSeconds(60)).build().start(c -> {
            c.receive(); // until killed
            return new byte[0];
        })) {
            long now = System.nanoTime();
            WorkerHandle w = new WorkerHandle(1, 1, child, now, LIMIT);
            w.lastBeatNanos = now - 60_000_000_000L; // silent for 60 s, --timeout is 30
            pool.adopt(w);

            pool.killOverdue(now, Long.MAX_VALUE);
            assertThat(w.state).isEqualTo(WorkerHandle.State.KILLED);
            long next = pool.nextDeadline(now, now + 1_000_000_000L);
            assertThat(next - now).as("ns the master may sleep in poll while the killed worker is torn down").isPositive();

            // Not reaped 5 s after SIGKILL (here: the clock says so; the child is a zombie nobody reaped yet).
            long later = w.killedNanos + WorkerPool.KILL_GRACE_NANOS;
            pool.killOverdue(later, Long.MAX_VALUE);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("still exists 5.0 s after SIGKILL");
            assertThat(w.holdsSlot()).as("its slot goes to a new worker").isFalse();
            assertThat(pool.nextDeadline(later, later + 1_000_000_000L) - later)
                    .as("and it no longer wakes the master at all").isEqualTo(1_000_000_000L);
            pool.reap(w, later, false); // whenever its pidfd fires, it is reaped as any other
            assertThat(pool.workers()).isEmpty();
        }
    }
}
