// A failed system call, with its errno and a sentence that says what to do about it.
package cowfork.fork;

/**
 * A system call failed. Carries the call, its errno, and a sentence that says what
 * to do about it, because "fork failed: -1" teaches nobody anything.
 */
public class ForkException extends RuntimeException {
    private final String call;
    private final int errno;

    public ForkException(String call, int errno, String advice) {
        super(call + " failed: " + Syscalls.describeErrno(errno) + (advice.isEmpty() ? "" : ". " + advice));
        this.call = call;
        this.errno = errno;
    }

    /** The system call that failed, e.g. {@code "fork()"}. */
    public String call() {
        return call;
    }

    /** errno as the kernel returned it. */
    public int errno() {
        return errno;
    }

    /** Throws unless {@code result >= 0}, reading errno from jnr-posix. */
    static int checkPosix(long result, String call, String advice) {
        if (result < 0) {
            throw new ForkException(call, Syscalls.posixErrno(), advice);
        }
        return (int) result;
    }

    /** Throws unless {@code result >= 0}, reading errno from the jnr-ffi {@link LibC} binding. */
    static int checkLibc(long result, String call, String advice) {
        if (result < 0) {
            throw new ForkException(call, Syscalls.libcErrno(), advice);
        }
        return (int) result;
    }
}
