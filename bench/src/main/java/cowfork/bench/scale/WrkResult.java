// One window of load: runs wrk against a server for N seconds and reads requests/s and the latency percentiles it printed.
package cowfork.bench.scale;

import cowfork.support.WatchedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of {@code wrk -t2 -c32 -dNs --latency -s items.lua URL} reports: requests
 * per second and the 50/90/99% latencies (from its "Latency Distribution" block), plus the
 * requests that failed (socket errors and non-2xx/3xx answers), so that a server that
 * refuses work cannot look fast.
 *
 * @param rps       "Requests/sec:"
 * @param p50Micros median latency, in microseconds
 * @param p90Micros 90th percentile, in microseconds
 * @param p99Micros 99th percentile, in microseconds
 * @param failed    socket errors (connect, read, write, timeout) plus non-2xx/3xx responses
 */
public record WrkResult(double rps, double p50Micros, double p90Micros, double p99Micros, long failed) {
    private static final Pattern RPS = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern ERRORS = Pattern.compile(
            "(?m)^\\s*Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s*Non-2xx or 3xx responses: (\\d+)");

    /**
     * Reads wrk's report.
     *
     * @throws IllegalArgumentException if it has no "Requests/sec:" line or lacks a 50%, 90%
     *         or 99% latency line (wrk was run without --latency, or failed); the message quotes it
     */
    public static WrkResult parse(String output) {
        Matcher rps = RPS.matcher(output);
        if (!rps.find()) {
            throw new IllegalArgumentException("no 'Requests/sec:' in wrk's output:\n" + output);
        }
        long failed = 0;
        Matcher e = ERRORS.matcher(output);
        if (e.find()) {
            for (int g = 1; g <= 4; g++) {
                failed += Long.parseLong(e.group(g));
            }
        }
        Matcher n = NON_2XX.matcher(output);
        if (n.find()) {
            failed += Long.parseLong(n.group(1));
        }
        return new WrkResult(Double.parseDouble(rps.group(1)), percentile(output, 50), percentile(output, 90),
                percentile(output, 99), failed);
    }

    /** The {@code pct}% line of the latency distribution ("     99%   4.24ms"), in microseconds. */
    private static double percentile(String output, int pct) {
        Matcher m = Pattern.compile("(?m)^\\s+" + pct + "%\\s+([0-9.]+)(us|ms|s|m)\\s*$").matcher(output);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + pct + "% latency line in wrk's output (run it with --latency):\n"
                    + output);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            default -> v * 60e6; // "m": wrk prints minutes for very slow requests
        };
    }

    /** A latency for a table: "566 us", "4.24 ms", "1.20 s". */
    public static String formatMicros(double micros) {
        if (micros < 1000) {
            return String.format(Locale.ROOT, "%.0f us", micros);
        }
        if (micros < 1e6) {
            return String.format(Locale.ROOT, "%.2f ms", micros / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f s", micros / 1e6);
    }

    /**
     * Runs wrk for {@code seconds} against {@code url}, GET /item/K for random K below {@code items}
     * ({@code script} is bench/items.lua, its keys drawn from {@code seed}: give every window its own,
     * or each window requests the keys the one before did), and parses its report. {@code started}
     * sees the wrk process as soon as it runs and {@code ended} when it is gone (the driver kills
     * what is running on Ctrl-C).
     *
     * @throws IllegalStateException if wrk cannot be started, does not exit within the window
     *         plus 30 s (it is then killed), exits with an error, or prints no report
     */
    public static WrkResult run(Path script, String url, long items, int seconds, long seed, Consumer<WatchedProcess> started,
                                Consumer<WatchedProcess> ended) {
        WatchedProcess wrk = WatchedProcess.start(List.of("wrk", "-t2", "-c32", "-d" + seconds + "s", "--latency", "-s",
                script.toString(), url), Map.of("ITEMS", Long.toString(items), "SEED", Long.toString(seed)), line -> { });
        started.accept(wrk);
        try (wrk) {
            int code = wrk.awaitExit(Duration.ofSeconds(seconds + 30L));
            if (code != 0) {
                throw new IllegalStateException("wrk exited with " + code + ":\n" + wrk.output());
            }
            return parse(wrk.output());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            ended.accept(wrk);
        }
    }
}
