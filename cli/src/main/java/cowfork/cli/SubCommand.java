// ./cowfork ARGS in a new JVM with this JVM's flags, watched: its output is streamed, its run has a deadline.
package cowfork.cli;

import cowfork.support.WatchedProcess;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs {@code ./cowfork ARGS} in a new JVM with this JVM's flags and classpath (what
 * {@code ./cowfork} itself would start), handing each line of its output to a consumer.
 * Used by the tour and by the results generator, which never fork themselves.
 */
final class SubCommand {
    private SubCommand() {}

    /**
     * Runs it, passes every output line (stdout and stderr merged) to {@code lines}, returns
     * the exit code.
     *
     * @throws IllegalStateException if it has not exited within {@code deadline}: it is then
     *         killed with every process it started, and the message quotes its last lines
     */
    static int run(List<String> args, Consumer<String> lines, Duration deadline) {
        return WatchedProcess.start(command(args), lines).awaitExit(deadline);
    }

    /** The java command line that runs {@code ./cowfork args} with this JVM's flags and class path. */
    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return cmd;
    }
}
