// What a subcommand printed on standard output, where Cli prints --help, and the exit code it returned.
package cowfork.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** Standard output while {@code run} ran (tests run one at a time: nothing else prints meanwhile), and its result. */
public record StandardOutput(int code, String text) {
    public static StandardOutput of(Callable<Integer> run) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int code = run.call();
            return new StandardOutput(code, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }
}
