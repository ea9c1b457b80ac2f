// Reading a dead worker's last frames must neither reap it nor close its descriptors: only the master's reap releases them.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildHandle;
import cowfork.fork.ChildResult;
import cowfork.fork.ExitStatus;
import cowfork.fork.Forker;
import cowfork.fork.PollSet;
import cowfork.support.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The race behind it: a worker's last frame and the end of its pipe can reach the master
 * before its pidfd is readable. The master used {@code receive()}, which at the end of the
 * pipe reaped the child and closed its descriptors as a side effect, while the handle
 * stayed in the master's list: a worker forked in the same pass got the same descriptor
 * numbers, and the stale handle's polls and reads then stood for the new worker's pipes.
 * Now the master reads with {@link ChildHandle#receiveNow()}, which never reaps and never
 * closes; the master's reap (on the pidfd) releases the descriptors and drops the handle
 * at the same moment.
 *
 * <p>This test forks a bare child in the test JVM (01's {@link Forker}, with its watchdog):
 * it sends one frame and exits. Once it is a zombie, reading its frames to the end must
 * leave it unreaped and its descriptors open.
 */
class WorkerExitOwnershipTest {

    @Test
    void readingADeadWorkersLastFramesLeavesReapingToTheOwner() throws IOException {
        Forker forker = Forker.builder().deadline(Duration.ofSeconds(30)).build();
        ChildHandle p = forker.start(child -> {
            child.send("last words".getBytes(StandardCharsets.UTF_8));
            return new byte[0];
        });
        try {
            assertThat(new PollSet(p.exitFd()).await(30_000)).as("the child exited within 30 s").isPositive();
            String pipe = Files.readSymbolicLink(fd(p.messageFd())).toString();
            String pidfd = Files.readSymbolicLink(fd(p.exitFd())).toString();

            assertThat(p.receiveNow()).asString(StandardCharsets.UTF_8).isEqualTo("last words");
            assertThat(p.receiveNow()).as("nothing after the last frame").isNull();
            assertThat(p.endOfMessages()).isTrue();

            assertThat(Processes.state(p.pid())).as("still a zombie: reading did not reap it").isEqualTo('Z');
            assertThat(Files.readSymbolicLink(fd(p.messageFd())).toString()).as("its pipe, still open").isEqualTo(pipe);
            assertThat(Files.readSymbolicLink(fd(p.exitFd())).toString()).as("its pidfd, still open").isEqualTo(pidfd);
            assertThat(p.receiveNow()).as("reading again at the end: still nothing, still no side effect").isNull();
            assertThat(Processes.state(p.pid())).isEqualTo('Z');

            ChildResult r = p.await(Duration.ofSeconds(10)); // the owner releases
            assertThat(r.status()).isInstanceOf(ExitStatus.Exited.class);
            assertThat(Processes.state(p.pid())).as("reaped by the owner").isEqualTo('?');
            assertThat(p.receiveNow()).as("after the reap the numbers are not read again").isNull();
        } finally {
            p.close();
        }
    }

    private static Path fd(int n) {
        return Path.of("/proc/self/fd", Integer.toString(n));
    }
}
