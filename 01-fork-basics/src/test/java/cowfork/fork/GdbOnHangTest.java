// -Dcowfork.gdbOnHang=true: the watchdog backtraces a hung child with gdb before it kills it, and says so in the result.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The diagnostic hook for rare hangs: with the system property {@link ChildHandle#GDB_ON_HANG}
 * set, a child that misses its deadline is backtraced (every thread) before the kill, so a hang
 * caught once in thousands of forks says in which frame it waited. Off, the watchdog only reads
 * /proc (it costs nothing while no child hangs, and gdb takes seconds).
 */
class GdbOnHangTest {

    /** The property as the build set it (a loop hunting hangs may set it for the whole suite). */
    private final String before = System.getProperty(ChildHandle.GDB_ON_HANG);

    @AfterEach
    void restoreAndCheck() {
        if (before == null) {
            System.clearProperty(ChildHandle.GDB_ON_HANG);
        } else {
            System.setProperty(ChildHandle.GDB_ON_HANG, before);
        }
        NoChildLeftBehind.check(); // neither the child nor gdb is left
    }

    @Test
    void aHungChildIsBacktracedBeforeTheKillWhenAskedTo() {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/gdb"))).as("gdb installed").isTrue();
        System.setProperty(ChildHandle.GDB_ON_HANG, "true");
        ChildResult r = Forker.builder().deadline(Duration.ofMillis(300)).build().run(child -> {
            child.receive(); // blocks in poll(2) on the pipe: the parent never sends
            return new byte[0];
        });
        assertThat(r.status()).isEqualTo(new ExitStatus.TimedOut(300, true));
        assumeThat(r.lastSeen()).as("gdb may attach (ptrace allowed)").doesNotContain("ptrace: Operation not permitted");
        // One thread only (a forked child has no other), stopped in the poll on the pipe, under our Java code.
        assertThat(r.lastSeen()).contains("gdb backtrace:").contains("#0 ").contains("poll")
                .doesNotContain("Thread 2 ");
    }

    @Test
    void withoutThePropertyTheWatchdogOnlyReadsProc() {
        System.clearProperty(ChildHandle.GDB_ON_HANG);
        ChildResult r = Forker.builder().deadline(Duration.ofMillis(100)).build().run(child -> {
            child.receive();
            return new byte[0];
        });
        assertThat(r.status()).isEqualTo(new ExitStatus.TimedOut(100, true));
        assertThat(r.lastSeen()).contains("pid " + r.pid()).doesNotContain("gdb");
    }
}
