// A child that outlives its SIGKILL's grace is reported, and reaped later: never left a zombie with its descriptors open.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.support.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL cannot be caught, but a process can outlive it for a while: one stuck in the
 * kernel (state D) dies only when it leaves it, and any process needs a moment to be torn
 * down. The watchdog waits a grace period (5 s by default) and then reports the child as
 * timed out and not reaped. It used to stop there: the child was never reaped (a zombie
 * for the parent's lifetime), its descriptors never closed, and close() did nothing more.
 *
 * <p>Here the grace is zero, so the watchdog looks once, right after the kill, before the
 * kernel has torn the child down: the case a stuck child makes, without needing one.
 */
class KillGraceTest {

    @Test
    void aChildNotGoneWithinTheGraceIsReapedWhenItsHandleCloses() throws IOException {
        Forker forker = Forker.builder().deadline(Duration.ofMillis(200)).killGrace(Duration.ZERO).build();
        ChildHandle child = forker.start(c -> {
            c.receive(); // waits for a message that never comes: the watchdog kills it
            return new byte[0];
        });
        Path pipe = Path.of("/proc/self/fd", Integer.toString(child.messageFd()));
        String pipeInode = Files.readSymbolicLink(pipe).toString();
        try {
            ChildResult r = child.await();
            assumeThat(r.status()).as("the child was still being torn down when the watchdog looked (it was already gone)")
                    .isEqualTo(new ExitStatus.TimedOut(200, false));
            assertThat(isOpenAs(pipe, pipeInode)).as("its pipe is closed: nothing more will be read from it").isFalse();
        } finally {
            child.close();
        }
        assertThat(Processes.state(child.pid())).as("reaped when the handle closed").isEqualTo('?');
        assertThat(child.result().status()).isEqualTo(new ExitStatus.TimedOut(200, true));
    }

    private static boolean isOpenAs(Path fd, String target) {
        try {
            return Files.readSymbolicLink(fd).toString().equals(target);
        } catch (IOException closed) {
            return false;
        }
    }
}
