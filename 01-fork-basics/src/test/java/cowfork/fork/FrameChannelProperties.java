// FrameChannel: frames written to a pipe come out whole and in order, whatever their sizes.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Frames written to a pipe come out whole and in order (in one process; forks are tested elsewhere). */
class FrameChannelProperties {
    private FrameChannel channel;

    @BeforeEach
    @BeforeTry
    void openPipe() {
        int[] fds = new int[2];
        assertThat(Syscalls.posix().pipe(fds)).isZero();
        channel = new FrameChannel(fds[0], fds[1]);
    }

    @AfterEach
    @AfterTry
    void closePipe() {
        channel.close();
    }

    @Property(tries = 200)
    void framesArriveWholeAndInOrder(@ForAll @Size(max = 8) List<@Size(max = 4000) byte[]> messages) {
        // Total stays under the 64 KiB pipe buffer, so one thread can write it all first.
        for (byte[] m : messages) {
            channel.send(FrameChannel.MESSAGE, m);
        }
        for (byte[] m : messages) {
            FrameChannel.Frame f = channel.receive(System.nanoTime() + 1_000_000_000L);
            assertThat(f.type()).isEqualTo(FrameChannel.MESSAGE);
            assertThat(f.payload()).isEqualTo(m);
        }
        assertThat(channel.receive(System.nanoTime())).as("nothing more was sent").isNull();
    }

    @Test
    void aDeadlineInThePastReturnsNullAtOnce() {
        assertThat(channel.receive(System.nanoTime() - 1)).isNull();
    }

    @Test
    void aClosedWriterEndsTheChannel() {
        Syscalls.posix().close(channel.writeFd());
        FrameChannel readOnly = new FrameChannel(channel.readFd(), -1);
        assertThatThrownBy(() -> readOnly.receive(Long.MAX_VALUE))
                .isInstanceOf(FrameChannel.ClosedException.class);
        channel = new FrameChannel(readOnly.readFd(), -1);
    }

    @Test
    void tooLargeAPayloadIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> channel.send(FrameChannel.MESSAGE, new byte[FrameChannel.MAX_PAYLOAD + 1]))
                .hasMessageContaining("frame limit");
        assertThat(channel.receive(System.nanoTime())).isNull();
    }
}
