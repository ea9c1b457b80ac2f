// The master's self-pipe: nothing waits on it, and once closed nothing writes to its old descriptor numbers.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * In this test JVM, SIGTTIN is given a harmless handler of the test's own first (its
 * default would stop the process), so that raising it after {@link Signals#close()} shows
 * whose handler runs.
 */
class SignalsTest {

    @Test
    void afterCloseTheOldHandlerIsBackAndNothingWritesToTheClosedPipesNumbers() throws Exception {
        CountDownLatch own = new CountDownLatch(1);
        SignalHandler before = Signal.handle(new Signal("TTIN"), sig -> own.countDown());
        int[] reused = new int[2];
        try {
            Signals signals = Signals.install();
            int[] old = signals.descriptors();
            signals.close();
            // The lowest free numbers: the pipe's, just closed.
            assertThat(Syscalls.posix().pipe(reused)).isZero();
            assertThat(reused).as("the new pipe got the closed pipe's descriptor numbers").containsExactlyInAnyOrder(old);

            Signal.raise(new Signal("TTIN"));
            assertThat(own.await(30, TimeUnit.SECONDS)).as("the handler from before install() ran").isTrue();
            assertThat(new PollSet(reused[0]).await(0)).as("no byte written into the pipe that reuses the numbers").isZero();
        } finally {
            Signal.handle(new Signal("TTIN"), before);
            Syscalls.closeAll(reused[0], reused[1]);
        }
    }

    @Test
    void drainWithNothingArrivedReturnsAtOnce() {
        Signals signals = Signals.install();
        try {
            List<String> none = assertTimeoutPreemptively(Duration.ofSeconds(10), signals::drain,
                    "drain() waited on an empty pipe");
            assertThat(none).isEmpty();
        } finally {
            signals.close();
        }
    }

    @Test
    void signalsArriveInOrderAndEachOnce() throws Exception {
        SignalHandler before = Signal.handle(new Signal("TTIN"), SignalHandler.SIG_IGN);
        Signals signals = Signals.install();
        try {
            Signal.raise(new Signal("TTIN"));
            assertThat(new PollSet(signals.fd()).await(30_000)).as("the pipe woke the poll").isPositive();
            signals.quiesce();
            assertThat(signals.drain()).containsExactly("TTIN");
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), signals::drain, "drain() waited")).isEmpty();
            assertThat(new PollSet(signals.fd()).await(0)).as("drained: the poll sleeps again").isZero();
        } finally {
            signals.close();
            Signal.handle(new Signal("TTIN"), before);
        }
    }
}
