// A process the master cannot measure: left out of the report, and said in the log unless it has simply exited.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.Processes;
import cowfork.server.protocol.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading a process's smaps fails with IllegalArgumentException when the process has
 * exited; but a parse error (a NumberFormatException is one) is an IllegalArgumentException
 * too, and so the master used to take any such failure for "it exited" and say nothing, and
 * let every other exception (an unreadable file) end its only thread. Now the state of the
 * process decides: gone, it is left out quietly; alive, the failure is logged. Either way the
 * round completes.
 */
class StatsRefreshTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Log log = new Log(new PrintStream(out, true, StandardCharsets.UTF_8));

    private boolean oneRound(StatsRefresh.Reader measure, int pid) {
        StatsRefresh stats = new StatsRefresh(measure, List.of(), pid, null, Protocol.answerLimit(0), "test", 0, log);
        long now = System.nanoTime() + StatsRefresh.MIN_INTERVAL_NANOS;
        stats.forceRound(now);
        for (int i = 0; i < 10; i++) {
            if (stats.step(now, List.of(), 0, List.of(0))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aLiveProcessThatCannotBeReadIsLoggedAndLeftOut() {
        int self = Processes.self();
        boolean done = oneRound((sums, pid) -> {
            throw new NumberFormatException("For input string: \"12x\"");
        }, self);
        assertThat(done).as("the round completes").isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("could not measure pid " + self + " (").contains("NumberFormatException");
    }

    @Test
    void aProcessThatHasExitedIsLeftOutQuietly() {
        int gone = Integer.MAX_VALUE - 7; // no such process
        boolean done = oneRound((sums, pid) -> {
            throw new IllegalArgumentException("no process " + pid);
        }, gone);
        assertThat(done).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anUnreadableFileOfALiveProcessDoesNotEndTheRound() {
        boolean done = oneRound((sums, pid) -> {
            throw new IllegalStateException("the kernel refused to show /proc/" + pid + "/smaps");
        }, Processes.self());
        assertThat(done).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("the kernel refused to show");
    }
}
