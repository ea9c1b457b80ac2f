// A master whose poll(2) fails says why and exits with its workers, instead of going round deaf at full speed.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * poll(2) fails with EINVAL when it is given more descriptors than the process's
 * RLIMIT_NOFILE: here the limit of the running master is lowered to 2 with prlimit(1),
 * below the four descriptors its poll watches with one worker. The master used to ignore
 * the failure and go round again at once, forever: no signal was ever read (TERM did
 * nothing) and the loop ran at full speed.
 */
class MasterPollFailureTest {

    @Test
    void aFailingPollEndsTheMasterAndItsWorkersWithAReason() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            List<Integer> workers = server.workerPids();
            int mark = server.lineCount();
            assumeThat(prlimitNofile(server.masterPid(), 2)).as("prlimit(1) can lower the master's RLIMIT_NOFILE").isTrue();

            assertThat(server.awaitExit(Duration.ofSeconds(60))).as("the master's exit status (EX_OSERR)")
                    .isEqualTo(Master.EXIT_POLL_FAILED);
            assertThat(server.output().lines().skip(mark)).anySatisfy(l -> assertThat(l)
                    .contains("poll() over 4 descriptors failed: EINVAL").contains("killing every worker"));
            server.awaitAllGone(Duration.ofSeconds(10));
            assertThat(workers).allSatisfy(pid -> assertThat(cowfork.support.Processes.state(pid)).isEqualTo('?'));
        }
    }

    private static boolean prlimitNofile(int pid, int limit) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + limit + ":")
                    .redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return false;
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
