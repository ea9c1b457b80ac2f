// The scale benchmark's first step: chapter 02's fork-latency at the data set's size, 4 KiB against huge pages, JVM next to C.
package cowfork.bench.scale;

import cowfork.cow.ForkLatency;
import cowfork.fork.ForkRecipe;
import cowfork.support.Sizes;
import cowfork.support.WatchedProcess;
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
    private static final Pattern RATIO = Pattern.compile("^fork-ratio: touched_mib=(\\d+) jvm_4k_over_2m=([0-9.]+)");
    /** fork: runtime=jvm pages=4k touched_mib=1024 thp_mib=0 rss_mib=1129 median_us=6869 ms_per_gb=6.2 */
    private static final Pattern ROW = Pattern.compile(
            "^fork: runtime=jvm pages=(4k|2m) touched_mib=(\\d+) .*median_us=(\\d+)");
    /** The small block whose fork times are the rest of the JVM's share (its Java heap, code, libraries). */
    static final long FLOOR_BYTES = 64L << 20;
    /** 20 forks of each kind of block, 4k and 2m, JVM and C, plus touching the blocks: well under a minute per GiB. */
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    private ForkLatencyRun() {
    }

    /** The lines fork-latency printed for {@code dataBytes}, or one line saying why there are none. */
    static List<String> run(long dataBytes, PrintStream err, Set<AutoCloseable> live) {
        List<String> cmd = ForkRecipe.javaCommand(ForkLatency.class.getName());
        cmd.addAll(List.of("--sizes", sizes(dataBytes), "--huge-pages", "both", "--forks", "20"));
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

    /** fork-latency's --sizes: the floor block, then the data set's size ("64m,1g"). */
    static String sizes(long dataBytes) {
        return dataBytes > FLOOR_BYTES ? Sizes.toArgument(FLOOR_BYTES) + "," + Sizes.toArgument(dataBytes)
                : Sizes.toArgument(dataBytes);
    }

    /** The JVM's 4 KiB fork time over its huge-page one for a block of {@code mib}, from its fork-ratio: line; NaN if none. */
    static double jvmRatio(List<String> lines, long mib) {
        for (String l : lines) {
            Matcher m = RATIO.matcher(l);
            if (m.find() && Long.parseLong(m.group(1)) == mib) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    /**
     * The block's own share of the JVM's fork time, 4 KiB over huge pages: each fork time of the
     * {@code mib} block minus that of the {@link #FLOOR_BYTES} block (the rest of the JVM, in 4 KiB
     * pages either way). NaN when a row is missing or the difference is not positive (too small to tell).
     */
    static double blockRatio(List<String> lines, long mib) {
        long floorMib = FLOOR_BYTES >> 20;
        double own4k = median(lines, "4k", mib) - median(lines, "4k", floorMib); // NaN if a row is missing
        double own2m = median(lines, "2m", mib) - median(lines, "2m", floorMib);
        return own4k > 0 && own2m > 0 ? own4k / own2m : Double.NaN;
    }

    private static double median(List<String> lines, String pages, long mib) {
        for (String l : lines) {
            Matcher m = ROW.matcher(l);
            if (m.find() && m.group(1).equals(pages) && Long.parseLong(m.group(2)) == mib) {
                return Double.parseDouble(m.group(3));
            }
        }
        return Double.NaN;
    }
}
