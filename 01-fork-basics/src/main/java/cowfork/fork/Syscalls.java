// The one place that loads the native bindings (jnr-posix, LibC) and reads errno; loaded before any fork.
package cowfork.fork;

import jnr.constants.platform.Errno;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * One place that loads the native bindings: jnr-posix for what it has, {@link LibC}
 * (jnr-ffi) for what it lacks, and the errno of the last call.
 *
 * <p>Both are loaded once, in the parent, before any fork: jnr generates classes on
 * first use, and a child must never need the class loader's locks or the JIT.
 */
public final class Syscalls {
    private static final POSIX POSIX_ = POSIXFactory.getNativePOSIX();
    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime LIBC_RUNTIME = Runtime.getRuntime(LIBC);

    private Syscalls() {}

    /** jnr-posix's native POSIX: fork, waitpid, kill, pipe, read, write, close, getpid... */
    public static POSIX posix() {
        return POSIX_;
    }

    /** The libc calls jnr-posix lacks: syscall (for exit_group), prctl, pidfd_open, poll. */
    public static LibC libc() {
        return LIBC;
    }

    /** errno after the last call made through {@link #libc()} on this thread. */
    public static int libcErrno() {
        return LastError.getLastError(LIBC_RUNTIME);
    }

    /** errno after the last call made through {@link #posix()} on this thread. */
    public static int posixErrno() {
        return POSIX_.errno();
    }

    /**
     * A new pipe, {@code {read end, write end}}, blocking; a fork gives the child both ends.
     *
     * @throws ForkException if pipe() fails (EMFILE: the process is out of file descriptors)
     */
    public static int[] pipe() {
        int[] fds = new int[2];
        ForkException.checkPosix(POSIX_.pipe(fds), "pipe()",
                "the process is out of file descriptors (EMFILE): check for children never awaited or closed");
        return fds;
    }

    /**
     * Sets {@code O_NONBLOCK} on {@code fd}: a read with nothing to read, or a write with no
     * room, then fails with EAGAIN instead of waiting.
     *
     * @throws ForkException if fcntl fails (EBADF: the descriptor is not open)
     */
    public static void nonBlocking(int fd) {
        int flags = POSIX_.fcntl(fd, jnr.constants.platform.Fcntl.F_GETFL);
        ForkException.checkPosix(flags, "fcntl(" + fd + ", F_GETFL)", "the descriptor is not open");
        ForkException.checkPosix(POSIX_.fcntlInt(fd, jnr.constants.platform.Fcntl.F_SETFL,
                flags | jnr.constants.platform.OpenFlags.O_NONBLOCK.intValue()), "fcntl(" + fd + ", F_SETFL, O_NONBLOCK)",
                "the descriptor is not open");
    }

    /** Closes each descriptor, ignoring errors: for cleaning up after a failed fork or at a child's exit. */
    public static void closeAll(int... fds) {
        for (int fd : fds) {
            POSIX_.close(fd);
        }
    }

    /**
     * A pidfd for {@code pid}, a child this process has just forked: the watchdog's handle,
     * readable when the child exits.
     *
     * @throws ForkException if pidfd_open() fails (before Linux 5.3); the child has then been
     *         killed and reaped, and {@code closeOnFailure} closed, so nothing is left behind
     */
    public static int pidfdOfChild(int pid, int... closeOnFailure) {
        int pidfd = LIBC.pidfd_open(pid, 0);
        if (pidfd < 0) {
            int errno = libcErrno();
            POSIX_.kill(pid, 9);
            POSIX_.waitpid(pid, new int[1], 0);
            closeAll(closeOnFailure);
            throw new ForkException("pidfd_open(" + pid + ")", errno, "cowfork needs Linux 5.3 or newer");
        }
        return pidfd;
    }

    /** "EINTR (Interrupted system call)" for 4: the symbolic name and libc's text. */
    public static String describeErrno(int errno) {
        Errno e = Errno.valueOf(errno);
        if (e == null || e == Errno.__UNKNOWN_CONSTANT__) {
            return "errno " + errno;
        }
        return e.name() + " (" + e.description() + ")";
    }

    private static final boolean ARM64 = System.getProperty("os.arch").equals("aarch64");
    /** Linux system call numbers: x86-64 and arm64 differ. */
    static final long SYS_GETPID = ARM64 ? 172 : 39;
    static final long SYS_EXIT_GROUP = ARM64 ? 94 : 231;

    /**
     * Ends this process at once with {@code code}, like libc's {@code _exit}: no shutdown
     * hooks, no VM operation, no flushing of Java streams. The only way a forked child may end.
     */
    public static void exitNow(int code) {
        LIBC.syscall(SYS_EXIT_GROUP, code);
        throw new AssertionError("exit_group returned");
    }

    /**
     * Runs the exit path's native glue once, harmlessly (returns this process's pid): call it
     * in the parent before the first fork whose child will end with {@link #exitNow}, so the
     * child does not run that glue for the first time.
     */
    public static long warmExitPath() {
        return LIBC.syscall(SYS_GETPID, 0);
    }

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
}
