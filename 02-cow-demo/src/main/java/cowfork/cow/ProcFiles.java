// One explanation, shared by PageMap and Smaps, of why a /proc/PID file could not be read.
package cowfork.cow;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Turns a failed read of {@code /proc/PID/...} into an exception that says what to do. */
final class ProcFiles {
    private ProcFiles() {}

    /**
     * The exception to throw for {@code failure} while reading {@code file} of process
     * {@code pid}: IllegalArgumentException when the process is gone (a wrong pid, or a
     * child measured after it was released), IllegalStateException otherwise.
     */
    static RuntimeException readFailed(int pid, Path file, IOException failure) {
        if (failure instanceof NoSuchFileException) {
            return new IllegalArgumentException("no process " + pid + " to read " + file + " from: it has exited"
                    + " (measure a child while it waits, before releasing it)", failure);
        }
        if (failure instanceof AccessDeniedException) {
            return new IllegalStateException("the kernel refused to show " + file + ": only the process itself, its"
                    + " parent (ptrace read access) or root may read it", failure);
        }
        return new IllegalStateException("cannot read " + file + ": " + failure, failure);
    }
}
