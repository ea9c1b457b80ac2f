// The master's log: one line per event, "[master] ...", flushed at once because the tests and the operator read it live.
package cowfork.server.master;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where the master and its helpers ({@link WorkerPool}, {@link WorkerFrames}) report what
 * they do. The master makes one and hands it to them, so they need nothing of the master
 * to write a line.
 */
final class Log {
    private final PrintStream out;

    Log(PrintStream out) {
        this.out = out;
    }

    /** Prints one line, "[master] " and {@code format} filled in, and flushes it. */
    void line(String format, Object... args) {
        out.println("[master] " + String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
