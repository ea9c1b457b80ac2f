// How a child ended, decoded from waitpid's status word: exited, killed by a signal, or timed out.
package cowfork.fork;

import cowfork.support.Processes;

/**
 * How a child ended, decoded from the {@code int} that {@code waitpid(2)} fills in.
 *
 * <pre>
 *   raw status (16 bits that matter)
 *   +----------------+----------------+
 *   | exit code 0-255|  0             |   exited normally: WIFEXITED
 *   +----------------+-+--------------+
 *   | 0              |c| signal 1-127 |   killed by a signal: WIFSIGNALED (c = core dumped)
 *   +----------------+-+--------------+
 * </pre>
 */
public sealed interface ExitStatus {

    /** The child exited with {@code code} ({@code _exit} / {@code exit_group}). */
    record Exited(int code) implements ExitStatus {
        @Override
        public String toString() {
            return "exited with code " + code;
        }
    }

    /** A signal ended the child. */
    record Signaled(int signal, boolean coreDumped) implements ExitStatus {
        /** "SIGKILL" for 9. */
        public String signalName() {
            return Processes.signalName(signal);
        }

        @Override
        public String toString() {
            return "killed by signal " + signal + " (" + signalName() + ")" + (coreDumped ? ", core dumped" : "");
        }
    }

    /**
     * The child missed its deadline; the watchdog sent SIGKILL. {@code reaped} is false only
     * when the kernel would not let the child die in time (e.g. stuck in uninterruptible
     * sleep): then the pid is still there and the caller must report it.
     */
    record TimedOut(long deadlineMillis, boolean reaped) implements ExitStatus {
        @Override
        public String toString() {
            return "timed out after " + deadlineMillis + " ms; killed with SIGKILL"
                    + (reaped ? " and reaped" : " but NOT reaped (still present)");
        }
    }

    /** True only for {@code Exited(0)}. */
    default boolean isSuccess() {
        return this instanceof Exited e && e.code() == 0;
    }

    /** Decodes a raw {@code waitpid} status as the WIFEXITED / WIFSIGNALED macros do. */
    static ExitStatus decode(int raw) {
        int termSignal = raw & 0x7f;
        if (termSignal == 0) {
            return new Exited((raw >> 8) & 0xff);
        }
        if (termSignal != 0x7f) {
            return new Signaled(termSignal, (raw & 0x80) != 0);
        }
        // 0x7f is "stopped" (WIFSTOPPED); we never ask waitpid for stopped children.
        throw new IllegalArgumentException("waitpid status 0x" + Integer.toHexString(raw)
                + " is a stopped child; cowfork waits only for children that ended");
    }
}
