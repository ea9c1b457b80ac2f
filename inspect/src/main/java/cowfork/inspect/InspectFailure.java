// The ways inspecting a server can fail that are not a bug: each with its message and its own exit code.
package cowfork.inspect;

/**
 * A failure the operator can act on, with the exit code {@code ./cowfork inspect} ends with:
 * <pre>
 *   2  bad flags (or --name matched several servers)      IllegalArgumentException, not this class
 *   3  no such process (or the master exited while watched)
 *   4  not allowed to read the process's memory map
 *   5  this kernel's pagemap lacks the flags a page strip needs
 * </pre>
 * A process other than the master that exits during a sample is no failure: it is left out
 * of that sample, and the sample says so.
 */
final class InspectFailure extends RuntimeException {
    static final int NO_SUCH_PROCESS = 3;
    static final int NOT_PERMITTED = 4;
    static final int NO_PAGEMAP_FLAGS = 5;

    private final int exitCode;

    private InspectFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static InspectFailure noSuchProcess(String message) {
        return new InspectFailure(NO_SUCH_PROCESS, message, null);
    }

    static InspectFailure notPermitted(String message, Throwable cause) {
        return new InspectFailure(NOT_PERMITTED, message, cause);
    }

    static InspectFailure noPagemapFlags(String message) {
        return new InspectFailure(NO_PAGEMAP_FLAGS, message, null);
    }

    /** The exit code that names this failure (see the class comment). */
    int exitCode() {
        return exitCode;
    }
}
