// The libc calls jnr-posix lacks (syscall, prctl, pidfd_open, poll), bound with jnr-ffi.
package cowfork.fork;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls that jnr-posix does not expose, bound with jnr-ffi.
 *
 * <p>Every binding here is exercised by a test ({@code LibCBindingsTest}): jnr-ffi
 * builds the call from this Java signature alone, and a wrong signature does not
 * fail to link, it passes garbage (see jnr-ffi issue #181, and the module README).
 */
public interface LibC {
    int PR_SET_PDEATHSIG = 1;
    int PR_GET_DUMPABLE = 3;

    short POLLIN = 0x001;
    short POLLOUT = 0x004;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;
    short POLLNVAL = 0x020;

    /**
     * {@code syscall(2)}: a raw system call with one argument. The child leaves through
     * {@code syscall(SYS_exit_group, code)} (what libc's {@code _exit} does) rather than a
     * binding of {@code _exit} itself: the parent can warm this very binding up with a
     * harmless call ({@code SYS_getpid}), so a child never runs jnr's glue for the first
     * time at its very last step. See {@link Syscalls#exitNow}.
     */
    long syscall(long number, long arg);

    /** {@code prctl(2)}; all five arguments are passed, as the kernel reads them. */
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** {@code pidfd_open(2)} (Linux 5.3+): a file descriptor that becomes readable when {@code pid} exits. */
    int pidfd_open(int pid, int flags);

    /**
     * {@code poll(2)} over an array of {@code struct pollfd}, packed two ints per entry:
     * {@code fds[2i]} is the descriptor and {@code fds[2i+1]} holds {@code events} in its
     * low 16 bits and the kernel's {@code revents} in its high 16 bits (x86-64 and arm64
     * are little-endian). See {@link PollSet}.
     */
    int poll(@In @Out int[] fds, long nfds, int timeoutMillis);

    /**
     * {@code open(2)} of a path given as NUL-terminated bytes: unlike jnr-posix's
     * {@code open(CharSequence, ...)}, which converts the path into a new array each call,
     * this allocates nothing, for a reader that opens {@code /proc} files over and over (the
     * server's master, measuring its workers).
     */
    int open(@In byte[] path, int flags);
}
