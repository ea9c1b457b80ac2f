// One server at one worker count under load until its memory stopped growing: the figures the report prints, or why it failed.
package cowfork.bench.scale;

import cowfork.support.Sizes;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one run of the scale benchmark. A failed run (the server did not start,
 * wrk failed) keeps its error and the server's last lines, and is reported as a row like
 * the others, so that one bad server never loses the rest of a long run.
 *
 * @param server       "cowfork-inline", "cowfork-immortal-hugepages", "gunicorn-py3.11"...
 * @param workers      worker processes
 * @param dataBytes    the data set's size, as given on the command line
 * @param items        how many items the data set holds (the keys wrk draws from); 0 for a failed run
 * @param samples      the sampler's readings during the load, one a second (empty for a failed run)
 * @param windows      wrk's report for each window, in order
 * @param growths      the PSS growth over each window
 * @param plateauPssKb total PSS at the end of the last window (kB)
 * @param masterRssKb  the master's RSS at the same moment (kB)
 * @param plateau      whether a window after the first grew less than {@link Plateau#THRESHOLD}
 * @param plateauSeconds seconds of load until PSS first reached 99% of its final value
 * @param forkMillis   the median fork time the master logged for its workers; NaN if it logged none
 * @param sampleMillis the median time one memory sample took to read (the sampler's own cost: smaps_rollup
 *                     walks every page table of every process); NaN for a failed run
 * @param heapThpKib   how much of the object heap the kernel backed with huge pages in the master after
 *                     its preload (its {@code heap_thp_kib=}); -1 if it did not say (gunicorn)
 * @param thpSplits    how many 2 MiB mappings the kernel split into 4 KiB ones during the load
 *                     ({@code thp_split_pmd} in /proc/vmstat, machine-wide); -1 if unreadable
 * @param thpCollapses how many huge pages khugepaged assembled during the load ({@code thp_collapse_alloc})
 * @param error        null, or why the run failed (with the server's last lines)
 */
public record RunResult(String server, int workers, long dataBytes, long items, List<MemorySampler.Sample> samples,
                        List<WrkResult> windows, List<Double> growths, long plateauPssKb, long masterRssKb,
                        boolean plateau, int plateauSeconds, double forkMillis, double sampleMillis, long heapThpKib,
                        long thpSplits, long thpCollapses, String error) {

    /** A run that produced no figures. */
    public static RunResult failed(String server, int workers, long dataBytes, String error) {
        return new RunResult(server, workers, dataBytes, 0, List.of(), List.of(), List.of(), 0, 0, false, 0, Double.NaN,
                Double.NaN, -1, -1, -1, error);
    }

    public boolean ok() {
        return error == null;
    }

    /**
     * The error in one line: its first line, and the next one when there is one (for a server
     * that exited during startup, the first line it printed: "serve: unknown flag ...").
     */
    public String errorSummary() {
        List<String> lines = error == null ? List.of() : error.lines().filter(l -> !l.isBlank()).limit(2).toList();
        return String.join(" ", lines);
    }

    /** Requests each worker served on average over the whole load (wrk's rate times {@code windowSeconds}, per window). */
    public double requestsPerWorker(int windowSeconds) {
        return windows.stream().mapToDouble(w -> w.rps() * windowSeconds).sum() / workers;
    }

    /**
     * The share of the items one worker has touched at least once, expected from uniform random
     * keys: 1 - e^(-requests per worker / items). It is how far sharing could have decayed: a
     * worker that has not reached an item has not written to its pages.
     */
    public double itemsTouched(int windowSeconds) {
        return items == 0 ? Double.NaN : 1 - Math.exp(-requestsPerWorker(windowSeconds) / items);
    }

    /** Total PSS over the master's RSS: 1.0 is perfect sharing. */
    public double ratio() {
        return Plateau.ratio(plateauPssKb, masterRssKb);
    }

    /** wrk's report of the first window ("first 10 s"). */
    public WrkResult first() {
        return windows.get(0);
    }

    /** wrk's report of the last window ("at the plateau", or at the cap). */
    public WrkResult last() {
        return windows.get(windows.size() - 1);
    }

    /** The growth of the last window (the one the plateau was judged on, or the cap's). */
    public double lastGrowth() {
        return growths.get(growths.size() - 1);
    }

    /**
     * The grep-able line, its first keys fixed (scripts grep them):
     * {@code scale: server=NAME workers=W data=SIZE plateau_pss_kb=P master_rss_kb=M ratio=R first10s_rps=X plateau_rps=Y}
     * then {@code plateau_s}, {@code growth_pct}, {@code fork_ms}, {@code sample_ms}, {@code heap_thp_kib}, {@code thp_split_pmd},
     * {@code thp_collapse}. A failed run prints "-" for every
     * figure and ends in {@code error="..."} ({@link #errorSummary}).
     */
    public String grepLine() {
        String head = "scale: server=" + server + " workers=" + workers + " data=" + Sizes.toArgument(dataBytes);
        if (!ok()) {
            return head + " plateau_pss_kb=- master_rss_kb=- ratio=- first10s_rps=- plateau_rps=- error=\""
                    + errorSummary().replace('"', '\'') + "\"";
        }
        return head + String.format(Locale.ROOT, " plateau_pss_kb=%d master_rss_kb=%d ratio=%.2f first10s_rps=%.0f"
                        + " plateau_rps=%.0f plateau_s=%s growth_pct=%.2f fork_ms=%s sample_ms=%s heap_thp_kib=%s thp_split_pmd=%s"
                        + " thp_collapse=%s", plateauPssKb,
                masterRssKb, ratio(), first().rps(), last().rps(), plateau ? Integer.toString(plateauSeconds) : "-",
                100 * lastGrowth(), Double.isNaN(forkMillis) ? "-" : String.format(Locale.ROOT, "%.1f", forkMillis),
                Double.isNaN(sampleMillis) ? "-" : String.format(Locale.ROOT, "%.0f", sampleMillis),
                orDash(heapThpKib), orDash(thpSplits), orDash(thpCollapses));
    }

    private static String orDash(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }
}
