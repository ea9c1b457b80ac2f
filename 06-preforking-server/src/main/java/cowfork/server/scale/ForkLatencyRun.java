// The scale benchmark's first step: chapter 01's fork-latency at the data set's size, 4 KiB against huge pages, JVM next to C.
package cowfork.server.scale;

import cowfork.cow.ForkLatencyBlocks;
import cowfork.fork.Sizes;
import cowfork.server.ServerLauncher;
import cowfork.server.WatchedProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code ./cowfork fork-latency --sizes SIZE --huge-pages both} in a JVM of its own
 * (this one has threads, and must not fork; and the numbers must not include the servers,
 * so it runs before any of them) and keeps what it printed: the Markdown table, one
 * {@code fork:} line per row and one {@code fork-ratio:} line. A failure (no gcc, a kernel
 * without huge pages) is kept as lines too: the servers still run.
 */
final class ForkLatencyRun {
    /** fork-ratio: touched_mib=1024 jvm_4k_over_2m=5.0 c_4k_over_2m=4.1 */
    private static final Pattern RATIO = Pattern.compile("^fork-ratio: .*jvm_4k_over_2m=([0-9.]+)");
    /** 20 forks of each kind of block, 4k and 2m, JVM and C, plus touching the blocks: well under a minute per GiB. */
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    private ForkLatencyRun() {
    }

    /** The lines fork-latency printed for {@code dataBytes}, or one line saying why there are none. */
    static List<String> run(long dataBytes, PrintStream err, Set<AutoCloseable> live) {
        List<String> cmd = ServerLauncher.javaCommand(ForkLatencyBlocks.class.getName());
        cmd.addAll(List.of("--sizes", Sizes.toArgument(dataBytes), "--huge-pages", "both", "--forks", "20"));
        err.println("scale: fork() of " + Sizes.format(dataBytes) + " in 4 KiB and in huge pages, JVM and C"
                + " (./cowfork fork-latency), before any server starts");
        try (WatchedProcess p = WatchedProcess.start(cmd, line -> { })) {
            live.add(p);
            int code = p.awaitExit(DEADLINE);
            if (code != 0) {
                return List.of("fork-latency failed (exit " + code + "): "
                        + String.join(" / ", p.tail(5)));
            }
            return p.lines();
        } catch (IllegalStateException e) {
            return List.of("fork-latency failed: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The JVM's 4 KiB fork time over its huge-page one, from the fork-ratio: line; NaN if there is none. */
    static double jvmRatio(List<String> lines) {
        for (String l : lines) {
            Matcher m = RATIO.matcher(l);
            if (m.find()) {
                return Double.parseDouble(m.group(1));
            }
        }
        return Double.NaN;
    }
}
