// ExitStatus: decoding waitpid's status word (exit codes, signals, core dumps) without forking.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Decoding waitpid's status word, without forking: the bit layout drawn in {@link ExitStatus}. */
class ExitStatusTest {

    @Property
    void exitCodeSitsInTheSecondByte(@ForAll @IntRange(min = 0, max = 255) int code) {
        assertThat(ExitStatus.decode(code << 8)).isEqualTo(new ExitStatus.Exited(code));
    }

    @Property
    void signalSitsInTheLowSevenBits(@ForAll @IntRange(min = 1, max = 64) int signal, @ForAll boolean core) {
        ExitStatus s = ExitStatus.decode(signal | (core ? 0x80 : 0));
        assertThat(s).isEqualTo(new ExitStatus.Signaled(signal, core));
    }

    @Test
    void signalsHaveTheirConventionalNames() {
        assertThat(new ExitStatus.Signaled(9, false).signalName()).isEqualTo("SIGKILL");
        assertThat(new ExitStatus.Signaled(6, false).signalName()).isEqualTo("SIGABRT");
        assertThat(new ExitStatus.Signaled(11, true)).hasToString("killed by signal 11 (SIGSEGV), core dumped");
        assertThat(new ExitStatus.Signaled(35, false).signalName()).isEqualTo("SIGRTMIN+1");
    }

    @Test
    void onlyExitCodeZeroIsSuccess() {
        assertThat(new ExitStatus.Exited(0).isSuccess()).isTrue();
        assertThat(new ExitStatus.Exited(1).isSuccess()).isFalse();
        assertThat(new ExitStatus.Signaled(9, false).isSuccess()).isFalse();
        assertThat(new ExitStatus.TimedOut(100, true).isSuccess()).isFalse();
    }

    @Test
    void aStoppedChildIsNotAnEnding() {
        assertThatThrownBy(() -> ExitStatus.decode(0x137f)).hasMessageContaining("stopped child");
    }
}
