// Proves each jnr-ffi binding in LibC reaches the kernel with the arguments we meant (jnr-ffi issue #181).
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Processes;
import org.junit.jupiter.api.Test;

/**
 * Each jnr-ffi binding in {@link LibC} does what libc documents. A wrong Java signature
 * links fine and passes garbage (jnr-ffi #181), so every binding is called for real.
 * ({@code exit_group} is proved by every exit code that round-trips in {@link ForkProperties}.)
 */
class LibCBindingsTest {

    @Test
    void prctlReadsAProcessAttribute() {
        // PR_GET_DUMPABLE returns 1 for an ordinary process: arguments reached the kernel intact.
        assertThat(Syscalls.libc().prctl(LibC.PR_GET_DUMPABLE, 0, 0, 0, 0)).isEqualTo(1);
    }

    @Test
    void prctlReportsErrnoForAnUnknownOption() {
        assertThat(Syscalls.libc().prctl(-1, 0, 0, 0, 0)).isEqualTo(-1);
        assertThat(Syscalls.libcErrno()).isEqualTo(22); // EINVAL
        assertThat(Syscalls.describeErrno(22)).isEqualTo("EINVAL (Invalid argument)");
    }

    @Test
    void theRawSyscallBindingPassesItsNumberIntact() {
        // The child's exit goes through this binding; the parent warms it with getpid.
        assertThat(Syscalls.warmExitPath()).isEqualTo(Processes.self());
    }

    @Test
    void pidfdOfALiveProcessIsNotReadable() {
        int pidfd = Syscalls.libc().pidfd_open(Processes.self(), 0);
        try {
            assertThat(pidfd).isGreaterThanOrEqualTo(0);
            assertThat(new PollSet(pidfd).await(0)).isZero();
        } finally {
            Syscalls.posix().close(pidfd);
        }
    }

    @Test
    void pollSeesInputOnAPipeOnlyAfterAWrite() {
        int[] fds = new int[2];
        assertThat(Syscalls.posix().pipe(fds)).isZero();
        try {
            PollSet set = new PollSet(fds[0]);
            assertThat(set.await(0)).isZero();
            Syscalls.posix().write(fds[1], new byte[] {42}, 1L);
            assertThat(set.await(0)).isEqualTo(1);
            assertThat(set.ready(0)).isTrue();
        } finally {
            Syscalls.posix().close(fds[0]);
            Syscalls.posix().close(fds[1]);
        }
    }

    @Test
    void openTakesANulTerminatedPathAndAllocatesNothing() {
        byte[] path = "/proc/self/stat\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int fd = Syscalls.libc().open(path, 0);
        assertThat(fd).as("a descriptor for /proc/self/stat").isGreaterThanOrEqualTo(0);
        Syscalls.posix().close(fd);
        assertThat(Syscalls.libc().open("/no/such/file\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0))
                .isEqualTo(-1);
        assertThat(Syscalls.libcErrno()).as("ENOENT").isEqualTo(2);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2000; i++) { // warm: compiled, the binding's glue generated
            Syscalls.posix().close(Syscalls.libc().open(path, 0));
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100; i++) {
            Syscalls.posix().close(Syscalls.libc().open(path, 0));
        }
        assertThat((threads.getCurrentThreadAllocatedBytes() - before) / 100).as("bytes allocated per open").isLessThan(16);
    }

    @Test
    void pollOnAClosedDescriptorReportsIt() {
        PollSet set = new PollSet(1_000_000);
        assertThat(set.await(0)).isEqualTo(1);
        assertThat(set.ready(0)).isTrue(); // POLLNVAL
    }

    @Test
    void aFailedCallBecomesAnExceptionThatNamesTheCallAndTheErrno() {
        assertThatThrownBy(() -> ForkException.checkPosix(Syscalls.posix().close(1_000_000), "close(1000000)", "it was never open"))
                .isInstanceOf(ForkException.class)
                .hasMessage("close(1000000) failed: EBADF (Bad file descriptor). it was never open")
                .satisfies(e -> assertThat(((ForkException) e).errno()).isEqualTo(9));
    }
}
