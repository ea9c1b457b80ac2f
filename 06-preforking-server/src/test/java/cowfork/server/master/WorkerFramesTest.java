// A frame that breaks the protocol costs the worker that sent it, never the master's only thread.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import cowfork.fork.ChildHandle;
import cowfork.fork.ChildResult;
import cowfork.fork.ExitStatus;
import cowfork.fork.Forker;
import cowfork.server.protocol.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The master reads every worker's frames on its one thread. A frame shorter than its kind
 * used to be indexed past its end there ({@code msg[1 + COUNTERS]} of a 1-byte "retiring"):
 * the exception ended the master, and with it every worker. Now the frame's length is
 * checked against its kind, and a worker that breaks the protocol is killed and logged.
 *
 * <p>The worker here is a bare child forked in the test JVM (01's {@link Forker}) that sends
 * what a broken worker would and then waits to be killed.
 */
class WorkerFramesTest {
    private static final int LIMIT = Protocol.answerLimit(0);

    @Test
    void aRetiringFrameWithoutItsCountersKillsTheWorkerNotTheMaster() {
        Harness h = new Harness();
        try (ChildHandle child = brokenWorker(new byte[] {Protocol.RETIRING})) {
            WorkerHandle w = new WorkerHandle(1, 1, child, System.nanoTime(), LIMIT);
            assertThatCode(() -> readAsTheMasterDoes(h, w)).as("the master's thread goes on").doesNotThrowAnyException();
            assertThat(w.state).isEqualTo(WorkerHandle.State.KILLED);
            assertThat(h.log()).contains("worker 1 (pid " + child.pid() + "): it broke the protocol (a 'R' message of 1 bytes (it has 30))");
            ChildResult r = child.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(new ExitStatus.Signaled(9, false));
        }
    }

    /** Any length but the right one, for any kind: never an exception, always the worker killed. */
    @Property(tries = 12)
    void aFrameOfTheWrongLengthForItsKindNeverThrows(@ForAll("kinds") byte kind, @ForAll @IntRange(max = 64) int length) {
        if (length == Protocol.workerMessageLength(kind)) {
            return; // the one right length: a real message, not the property's case
        }
        Harness h = new Harness();
        byte[] msg = new byte[length];
        if (length > 0) {
            msg[0] = kind;
        }
        try (ChildHandle child = brokenWorker(msg)) {
            WorkerHandle w = new WorkerHandle(1, 1, child, System.nanoTime(), LIMIT);
            assertThatCode(() -> readAsTheMasterDoes(h, w)).doesNotThrowAnyException();
            assertThat(w.state).isEqualTo(WorkerHandle.State.KILLED);
            assertThat(h.log()).contains("it broke the protocol");
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Byte> kinds() {
        return net.jqwik.api.Arbitraries.of(Protocol.HEARTBEAT, Protocol.RETIRING, Protocol.STATS, (byte) 'x');
    }

    /** A child that sends {@code message} and then waits until it is killed (or its parent closes the pipe). */
    private static ChildHandle brokenWorker(byte[] message) {
        return Forker.builder().deadline(Duration.ofSeconds(60)).build().start(child -> {
            child.send(message);
            child.receive();
            return new byte[0];
        });
    }

    /**
     * The master's loop for one worker: poll its pipe, read its frames, until it is killed or
     * its messages end (30 s at most). A frame can arrive in two writes (header, then payload).
     */
    private static void readAsTheMasterDoes(Harness h, WorkerHandle w) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        cowfork.fork.PollSet poll = new cowfork.fork.PollSet(w.process.messageFd());
        while (w.state != WorkerHandle.State.KILLED && !w.process.endOfMessages() && System.nanoTime() < deadline) {
            poll.await(cowfork.fork.PollSet.millisUntil(deadline));
            h.frames.read(w, 64);
        }
    }

    /** The master's frame reader with what it needs around it; nothing forked by the pool. */
    private static final class Harness {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Log log = new Log(new PrintStream(out, true, StandardCharsets.UTF_8));
        final ServerConfig config = ServerConfig.defaults();
        final WorkerPool pool = new WorkerPool(config, null, -1, Forker.safe(), log, LIMIT);
        final StatsRefresh stats = new StatsRefresh((sums, pid) -> false, java.util.List.of(), 0, null, LIMIT, "test", 0, log);
        final WorkerFrames frames = new WorkerFrames(config, pool, stats, log);

        String log() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
