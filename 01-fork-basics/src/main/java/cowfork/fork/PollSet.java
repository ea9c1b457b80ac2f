// poll(2) over a few descriptors, each with the events it waits for: one wait, a timeout, no threads.
package cowfork.fork;

/**
 * A {@code poll(2)} set: wait, with a timeout and without threads, until one of several
 * file descriptors is ready for what its slot asks (input, room to write). Used by the
 * parent's watchdog (a pipe and a pidfd), by the server's master (a signal pipe, and each
 * worker's pipes and pidfd) and by its workers (the master's pipe, a listening socket,
 * client connections).
 *
 * <pre>
 *   slot:     0             1              2
 *   entries:  fd | events   fd | events    fd | events      events in the low 16 bits,
 *                                                           revents (the kernel's answer) in the high 16
 * </pre>
 *
 * The array is {@code struct pollfd} as the kernel reads it (see {@link LibC#poll}). A
 * set is filled once per wait ({@link #clear}, {@link #add}) or kept and changed slot by
 * slot ({@link #watch}); waiting allocates nothing.
 *
 * <p>Not thread-safe; reuse one instance on one thread.
 */
public final class PollSet {
    /** Input, or end of file. */
    public static final int IN = LibC.POLLIN;
    /** Room to write. */
    public static final int OUT = LibC.POLLOUT;
    /** Reported whatever the events: an error, a hang-up, a descriptor that is not open. */
    public static final int TROUBLE = LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL;

    private int[] entries;
    private int size;

    /** A set over {@code fds}, each watched for input. */
    public PollSet(int... fds) {
        this.entries = new int[Math.max(1, fds.length) * 2];
        for (int fd : fds) {
            add(fd, IN);
        }
    }

    /** An empty set with room for {@code slots} descriptors (it grows if more are added). */
    public static PollSet withRoom(int slots) {
        PollSet set = new PollSet();
        set.entries = new int[Math.max(1, slots) * 2];
        return set;
    }

    /** Empties the set (keeping its room): the next {@link #add} is slot 0. */
    public void clear() {
        size = 0;
    }

    /** Adds {@code fd} (negative: a slot the kernel skips) watched for {@code events}; returns its slot. */
    public int add(int fd, int events) {
        if (2 * size == entries.length) {
            entries = java.util.Arrays.copyOf(entries, entries.length * 2);
        }
        entries[2 * size] = fd;
        entries[2 * size + 1] = events & 0xffff;
        return size++;
    }

    /** Slots in the set. */
    public int size() {
        return size;
    }

    /** Replaces the descriptor in slot {@code i}, keeping its events; a negative fd is skipped by the kernel. */
    public void set(int i, int fd) {
        entries[2 * i] = fd;
    }

    /** Replaces slot {@code i}: descriptor and events. */
    public void watch(int i, int fd, int events) {
        entries[2 * i] = fd;
        entries[2 * i + 1] = events & 0xffff;
    }

    /** The descriptor in slot {@code i}. */
    public int fd(int i) {
        return entries[2 * i];
    }

    /**
     * Waits up to {@code timeoutMillis} (0: don't wait, negative: forever) until a slot is
     * ready. Returns how many are (0 on timeout). An interrupted wait (EINTR) returns 0;
     * callers loop on their own deadline.
     *
     * @throws ForkException if poll fails for another reason: EINVAL (more slots than
     *     RLIMIT_NOFILE allows), ENOMEM, EFAULT. Retrying at once would only fail again.
     */
    public int await(long timeoutMillis) {
        for (int i = 0; i < size; i++) {
            entries[2 * i + 1] &= 0xffff; // clears the last wait's revents
        }
        int timeout = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, timeoutMillis));
        int n = Syscalls.libc().poll(entries, size, timeout);
        if (n < 0) {
            int errno = Syscalls.libcErrno();
            if (errno == Syscalls.EINTR) {
                return 0;
            }
            throw new ForkException("poll() over " + size + " descriptors", errno,
                    "EINVAL: more descriptors than RLIMIT_NOFILE allows; ENOMEM: the kernel is out of memory");
        }
        return n;
    }

    /** After {@link #await}: what the kernel reported for slot {@code i} (0: nothing). */
    public int revents(int i) {
        return entries[2 * i + 1] >>> 16;
    }

    /** After {@link #await}: did slot {@code i} report input, hang-up or an error? */
    public boolean ready(int i) {
        return (revents(i) & (IN | TROUBLE)) != 0;
    }

    /** After {@link #await}: is there room to write in slot {@code i} (or an error a write will report)? */
    public boolean writable(int i) {
        return (revents(i) & (OUT | TROUBLE)) != 0;
    }

    /** Milliseconds left until {@code deadlineNanos} (a {@link System#nanoTime()} value), never negative. */
    public static long millisUntil(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }
}
