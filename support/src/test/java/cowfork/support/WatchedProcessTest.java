// A hung process cannot hang its caller: at the deadline its whole tree is killed and the failure quotes its last lines.
package cowfork.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchedProcessTest {
    /**
     * A shell that prints two lines, starts a child that sleeps forever and waits for it:
     * the hang under test (it is the thing watched, not a way to wait).
     */
    private static final List<String> HANGS = List.of("sh", "-c",
            "echo first line; sleep 100000 & echo \"sleeper $!\"; wait");

    @Test
    void aProcessThatNeverExitsIsKilledAtTheDeadlineWithItsChildren() {
        WatchedProcess p = WatchedProcess.start(HANGS, line -> { });
        int sleeper = Integer.parseInt(p.awaitLine(0, l -> l.startsWith("sleeper "), Duration.ofSeconds(30))
                .substring("sleeper ".length()));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.awaitExit(Duration.ofMillis(500)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not exit within PT0.5S")
                .hasMessageContaining("first line")
                .hasMessageContaining("sleeper " + sleeper);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds until the failure").isLessThan(15);
        assertThat(p.process().isAlive()).isFalse();
        assertThat(Processes.state(sleeper)).as("the shell's sleeping child").isIn('?', 'Z');
    }

    @Test
    void aLineThatNeverComesFailsAtTheDeadlineAndKillsTheTree() {
        WatchedProcess p = WatchedProcess.start(HANGS, line -> { });
        int sleeper = Integer.parseInt(p.awaitLine(0, l -> l.startsWith("sleeper "), Duration.ofSeconds(30))
                .substring("sleeper ".length()));
        assertThatThrownBy(() -> p.awaitLine(0, l -> l.contains("ready"), Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not print the expected line")
                .hasMessageContaining("first line");
        assertThat(p.process().isAlive()).isFalse();
        assertThat(Processes.state(sleeper)).isIn('?', 'Z');
    }

    @Test
    void aProcessThatDiesBeforeItsLineSaysHow() {
        WatchedProcess p = WatchedProcess.start(List.of("sh", "-c", "kill -9 $$"), line -> { });
        assertThatThrownBy(() -> p.awaitLine(0, l -> l.contains("ready"), Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended its output before printing the expected line")
                .hasMessageContaining("exited with status 137 (128 + 9: killed by signal 9 (SIGKILL))")
                .hasMessageContaining("it printed nothing");
    }

    @Test
    void aProcessThatExitsGivesItsCodeAndEveryLine() {
        WatchedProcess p = WatchedProcess.start(List.of("sh", "-c", "echo one; echo two; exit 3"), line -> { });
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(p.lines()).containsExactly("one", "two");
    }

    @Test
    void theTailIsTheLastLines() {
        WatchedProcess p = WatchedProcess.start(List.of("sh", "-c", "for i in $(seq 1 100); do echo line$i; done"),
                line -> { });
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(p.tail(WatchedProcess.TAIL_LINES)).hasSize(WatchedProcess.TAIL_LINES).startsWith("line61").endsWith("line100");
    }

    @Test
    void anOpenInputGetsTheLineSentAndThenItsEnd() {
        WatchedProcess p = WatchedProcess.start(List.of("sh", "-c", "read line; echo \"got $line\"; cat; echo end"),
                Map.of(), WatchedProcess.Input.OPEN, line -> { });
        p.sendAndClose("release");
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(p.lines()).containsExactly("got release", "end");
    }

    @Test
    void anAdoptedProcessDiesWithTheTreeEvenOnceItsParentIsGone() {
        // The shell starts a sleeper in a subshell that exits at once: the sleeper is re-parented, no descendant any more.
        WatchedProcess p = WatchedProcess.start(List.of("sh", "-c", "(sleep 100000 & echo \"sleeper $!\"); read line"),
                Map.of(), WatchedProcess.Input.OPEN, line -> { });
        int sleeper = Integer.parseInt(p.awaitLine(0, l -> l.startsWith("sleeper "), Duration.ofSeconds(30))
                .substring("sleeper ".length()));
        ProcessHandle handle = ProcessHandle.of(sleeper).orElseThrow();
        // The subshell printed the line before it exited: wait (bounded) until it is gone and the sleeper re-parented.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (p.process().descendants().anyMatch(handle::equals)) {
            assertThat(deadline - System.nanoTime()).as("the subshell exits within 30 s").isPositive();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(p.process().descendants()).as("descendants of the shell").doesNotContain(handle);
        p.adopt(handle);
        p.close();
        assertThat(p.process().isAlive()).isFalse();
        assertThat(Processes.state(sleeper)).as("the adopted sleeper").isIn('?', 'Z');
    }

    @Test
    void aFailureKillsTheTreeAndQuotesTheLastLines() {
        WatchedProcess p = WatchedProcess.start(HANGS, line -> { });
        p.awaitLine(0, l -> l.startsWith("sleeper "), Duration.ofSeconds(30));
        IllegalStateException e = p.failure("the sleeper's line was wrong");
        assertThat(e).hasMessageContaining("the sleeper's line was wrong").hasMessageContaining("first line");
        assertThat(p.process().isAlive()).isFalse();
    }
}
