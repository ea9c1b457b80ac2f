// poll(2) over a few descriptors: wait for any of them with a timeout, without threads (watchdog, workers).
package cowfork.fork;

/**
 * A small {@code poll(2)} set: wait, with a timeout and without threads, until one of a
 * few file descriptors is readable (or hung up). Used by the parent's watchdog (a pipe
 * and a pidfd) and by single-threaded workers (a listening socket and a control pipe).
 *
 * <p>Not thread-safe; reuse one instance on one thread.
 */
public final class PollSet {
    private final int[] entries;
    private final int size;

    /** A set over {@code fds}, each watched for input. */
    public PollSet(int... fds) {
        this.size = fds.length;
        this.entries = new int[fds.length * 2];
        for (int i = 0; i < fds.length; i++) {
            entries[2 * i] = fds[i];
        }
    }

    /** Replaces the descriptor in slot {@code i}; a negative fd is ignored by the kernel. */
    public void set(int i, int fd) {
        entries[2 * i] = fd;
    }

    /**
     * Waits up to {@code timeoutMillis} (0: don't wait, negative: forever) for input on any
     * descriptor. Returns how many are ready (0 on timeout). An interrupted wait (EINTR)
     * returns 0; callers loop on their own deadline.
     *
     * @throws ForkException if poll fails for another reason (e.g. EBADF / EINVAL).
     */
    public int await(long timeoutMillis) {
        for (int i = 0; i < size; i++) {
            entries[2 * i + 1] = LibC.POLLIN; // events; clears revents
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        int n = Syscalls.libc().poll(entries, size, timeout);
        if (n < 0) {
            int errno = Syscalls.libcErrno();
            if (errno == Syscalls.EINTR) {
                return 0;
            }
            throw new ForkException("poll()", errno, "a descriptor in the set is not open");
        }
        return n;
    }

    /** After {@link #await}: did slot {@code i} report input, hang-up or an error? */
    public boolean ready(int i) {
        int revents = entries[2 * i + 1] >>> 16;
        return (revents & (LibC.POLLIN | LibC.POLLHUP | LibC.POLLERR | LibC.POLLNVAL)) != 0;
    }

    /** Milliseconds left until {@code deadlineNanos} (a {@link System#nanoTime()} value), never negative. */
    public static long millisUntil(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }
}
