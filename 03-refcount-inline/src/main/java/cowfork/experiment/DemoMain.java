// The skeleton every demo's main shares: a bad argument gets its reason, naming the flag (exit 2), --help the generated usage (exit 0).
package cowfork.experiment;

import cowfork.support.Cli;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Runs a demo from its command line with the exit codes every chapter uses: 0 when it
 * ran (or printed its help), 2 when an argument was wrong, 1 when the figures it was
 * asked to write ({@code --svg DIR}) could not be written.
 */
public final class DemoMain {
    /** A demo's work on its parsed options. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the demo.
         *
         * @throws IOException (or {@link UncheckedIOException}) only if the figures for
         *         {@link DemoOptions#svgDir()} could not be written
         */
        void run(DemoOptions options) throws IOException;
    }

    private DemoMain() {
    }

    /**
     * Parses {@code args} into {@code command}, the demo's options type; if an argument is
     * wrong prints {@code demo: MESSAGE} (it names the flag and points at {@code --help}) to
     * {@code err} and returns 2; if help was asked for prints the generated usage to
     * {@code out} and returns 0; otherwise runs {@code body} and returns 0, or, if it could
     * not write its figures, says so on {@code err} (with what to check) and returns 1. Any
     * other exception thrown by {@code body} propagates unchanged.
     */
    public static int run(String[] args, DemoOptions.Command command, Body body, PrintStream out, PrintStream err) {
        DemoOptions options;
        try {
            if (Cli.parse(command, args, out) == null) {
                return 0;
            }
            options = command.options();
        } catch (IllegalArgumentException e) {
            err.println("demo: " + e.getMessage());
            return 2;
        }
        try {
            body.run(options);
            return 0;
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            err.println("demo: could not write the figures to " + options.svgDir() + ": " + cause.getMessage()
                    + ". Check that the directory exists and is writable.");
            return 1;
        }
    }

    /**
     * Ends the JVM with {@code code} if it is not 0. A 0 returns normally, so a launcher
     * that calls a demo's {@code main} in-process goes on with the next one.
     */
    public static void exit(int code) {
        if (code != 0) {
            System.exit(code);
        }
    }
}
