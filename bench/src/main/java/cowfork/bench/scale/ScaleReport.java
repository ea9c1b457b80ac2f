// The scale benchmark's Markdown: machine line, command, one table row and one grep-able line per run, the goals, the figures.
package cowfork.bench.scale;

import cowfork.support.Sizes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders the results; computes nothing the runs did not measure. The goals are the
 * benchmark's target ratios, each printed with "met" or "not met", or "not measured" when a run it
 * needs is missing or failed.
 */
public final class ScaleReport {
    /** The figures' file names, in the figures directory. */
    public static final String PSS_OVER_TIME = "06-scale-pss-over-time.svg";
    public static final String PSS_VS_WORKERS = "06-scale-pss-vs-workers.svg";
    /** Lines of a failed run's error the report quotes. */
    static final int FAILURE_LINES = 8;

    private ScaleReport() {
    }

    /**
     * The Markdown section.
     *
     * @param machine   the machine line (cores, java, kernel, THP)
     * @param options   the options the run used (their command is printed)
     * @param results   every run, in the order they ran
     * @param forkLatency what fork-latency printed for the data set's size (its table, fork: and fork-ratio: lines)
     * @param figureDir how the Markdown file reaches the figures directory ("figures")
     */
    public static String markdown(String machine, ScaleOptions options, List<RunResult> results, List<String> forkLatency,
                                  String figureDir) {
        StringBuilder sb = new StringBuilder();
        sb.append("## The server at production size\n\n");
        sb.append("Machine: ").append(machine).append("\n");
        sb.append("Command: `").append(options.command()).append("`\n");
        sb.append("(wrk -t2 -c32 --latency in windows of ").append(options.window())
                .append(" s, GET /item/K for random K; total PSS of the master and all its descendants from")
                .append(" /proc/PID/smaps_rollup every second; a plateau is the first window after the first whose PSS grew")
                .append(" less than 1%, else the run stops after ").append(options.cap()).append(" s of load, ")
                .append(options.capLargest()).append(" s at ").append(options.maxWorkers()).append(" workers.)\n\n");
        sb.append("### Data set ").append(Sizes.format(options.dataBytes())).append("\n\n");
        sb.append("| server | workers | plateau PSS | master RSS | PSS / RSS | time to plateau | first ")
                .append(options.window()).append(" s: rps / p50 / p99 | last window (plateau or cap): rps / p50 / p99 | fork (median)")
                .append(" | requests per worker (items it touched) |\n");
        sb.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            sb.append(row(r, options.capFor(r.workers()), options.window())).append('\n');
        }
        sb.append('\n');
        List<RunResult> failed = results.stream().filter(r -> !r.ok()).toList();
        for (RunResult r : failed) {
            // the first lines say why (an exception, a rejected flag); a usage text after them adds nothing
            List<String> lines = r.error().strip().lines().toList();
            sb.append("Failed: ").append(r.server()).append(" with ").append(r.workers()).append(" workers:\n\n```\n")
                    .append(String.join("\n", lines.subList(0, Math.min(FAILURE_LINES, lines.size()))))
                    .append(lines.size() > FAILURE_LINES ? "\n..." : "").append("\n```\n\n");
        }
        sb.append("```\n");
        for (RunResult r : results) {
            sb.append(r.grepLine()).append('\n');
        }
        sb.append("```\n\n");
        sb.append("Goals, from the rows above:\n\n");
        for (String g : goals(results, options.maxWorkers())) {
            sb.append("- ").append(g).append('\n');
        }
        sb.append('\n').append(hugePages(options, results, forkLatency));
        sb.append("\n![Total PSS over time at ").append(options.maxWorkers()).append(" workers](").append(figureDir)
                .append('/').append(PSS_OVER_TIME).append(")\n\n");
        sb.append("![Total PSS at the plateau against workers](").append(figureDir).append('/').append(PSS_VS_WORKERS)
                .append(")\n");
        return sb.toString();
    }

    /**
     * The huge-page section: fork-latency's lines for a block of the data set's size, then each
     * --huge-pages strategy at the largest worker count next to its 4 KiB run, and the goal
     * (the JVM forks a huge-page block in at most a tenth of the 4 KiB time).
     */
    static String hugePages(ScaleOptions options, List<RunResult> results, List<String> forkLatency) {
        StringBuilder sb = new StringBuilder("### Huge pages\n\n");
        sb.append("fork() of a block of ").append(Sizes.format(options.dataBytes()))
                .append(" (and of a small one: the rest of the JVM's share) in 4 KiB and in 2 MiB pages, the JVM next to a C")
                .append(" program, before any server started (`./cowfork fork-latency --sizes ")
                .append(ForkLatencyRun.sizes(options.dataBytes()))
                .append(" --huge-pages both --forks 20`, in the same run):\n\n```\n");
        forkLatency.forEach(l -> sb.append(l).append('\n'));
        sb.append("```\n\n");
        int w = options.maxWorkers();
        List<String> rows = new ArrayList<>();
        for (String s : options.hugePageServers()) {
            for (String name : List.of("cowfork-" + s, "cowfork-" + s + "-hugepages")) {
                find(results, name, w).ifPresent(r -> rows.add(String.format(Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %.2f | %,.0f | %s | %s |", s,
                        name.endsWith("-hugepages") ? "2 MiB (THP)" : "4 KiB", r.heapThpKib() < 0 ? "-" : mib(r.heapThpKib()),
                        Double.isNaN(r.forkMillis()) ? "-" : String.format(Locale.ROOT, "%.1f ms", r.forkMillis()),
                        mib(r.plateauPssKb()), r.ratio(), r.last().rps(), count(r.thpSplits()), count(r.thpCollapses()))));
            }
        }
        if (!rows.isEmpty()) {
            sb.append("The same servers at ").append(w).append(" workers, the object heap in 4 KiB pages and with")
                    .append(" `serve --huge-pages`:\n\n");
            sb.append("| strategy | heap pages | heap on huge pages (master, after preload) | fork of a worker (median)")
                    .append(" | plateau PSS | PSS / RSS | last window rps | huge mappings split during the load (machine-wide)")
                    .append(" | huge pages khugepaged assembled (machine-wide) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            rows.forEach(r -> sb.append(r).append('\n'));
            sb.append('\n');
        }
        long mib = options.dataBytes() >> 20;
        double whole = ForkLatencyRun.jvmRatio(forkLatency, mib);
        double block = ForkLatencyRun.blockRatio(forkLatency, mib);
        sb.append("- Goal: the JVM forks a ").append(Sizes.format(options.dataBytes()))
                .append(" huge-page block in at most 1/10 of the 4 KiB time. The whole fork() call: ")
                .append(judged(whole)).append("; the block's own share (each time minus the ")
                .append(Sizes.format(ForkLatencyRun.FLOOR_BYTES)).append(" block's, the rest of the JVM): ")
                .append(judged(block)).append('\n');
        return sb.toString();
    }

    private static String judged(double ratio) {
        return Double.isNaN(ratio) ? "not measured"
                : String.format(Locale.ROOT, "4 KiB / 2 MiB = %.1fx, %s", ratio, ratio >= 10 ? "met" : "not met");
    }

    private static String count(long n) {
        return n < 0 ? "-" : String.format(Locale.ROOT, "%,d", n);
    }

    /** One table row; a failed run says so in the plateau column. */
    static String row(RunResult r, int cap, int window) {
        if (!r.ok()) {
            return "| " + r.server() + " | " + r.workers() + " | failed: " + r.errorSummary().replace("|", "\\|")
                    + " | | | | | | | |";
        }
        String time = r.plateau() ? r.plateauSeconds() + " s"
                : String.format(Locale.ROOT, "no plateau in %d s (%+.1f%%/window)", cap, 100 * r.lastGrowth());
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %.2f | %s | %s | %s | %s | %,.0f (%.0f%%) |", r.server(),
                r.workers(), mib(r.plateauPssKb()), mib(r.masterRssKb()), r.ratio(), time, load(r.first()), load(r.last()),
                Double.isNaN(r.forkMillis()) ? "-" : String.format(Locale.ROOT, "%.1f ms", r.forkMillis()),
                r.requestsPerWorker(window), 100 * r.itemsTouched(window));
    }

    private static String mib(long kb) {
        return String.format(Locale.ROOT, "%,.0f MiB", kb / 1024.0);
    }

    private static String load(WrkResult w) {
        return String.format(Locale.ROOT, "%,.0f / %s / %s", w.rps(), WrkResult.formatMicros(w.p50Micros()),
                WrkResult.formatMicros(w.p99Micros())) + (w.failed() > 0 ? " (" + w.failed() + " failed)" : "");
    }

    /**
     * The goals: immortal's plateau PSS / master RSS at {@code workers} (&lt;= 1.05), and
     * immortal's plateau rps over each gunicorn's at the same worker count (&gt;= 3).
     */
    static List<String> goals(List<RunResult> results, int workers) {
        List<String> out = new ArrayList<>();
        Optional<RunResult> immortal = find(results, "cowfork-immortal", workers);
        out.add(immortal.map(r -> String.format(Locale.ROOT,
                        "cowfork-immortal at %d workers: plateau PSS / master RSS = %.2f (goal <= 1.05): %s%s", workers, r.ratio(),
                        r.ratio() <= 1.05 ? "met" : "not met", atTheCap(r)))
                .orElse("cowfork-immortal at " + workers + " workers: plateau PSS / master RSS: not measured"));
        List<RunResult> gunicorns = results.stream()
                .filter(r -> r.server().startsWith("gunicorn-") && r.workers() == workers && r.ok()).toList();
        if (immortal.isEmpty() || gunicorns.isEmpty()) {
            out.add("cowfork-immortal / gunicorn requests/s at the plateau, " + workers + " workers: not measured");
        }
        for (RunResult g : gunicorns) {
            immortal.ifPresent(r -> {
                double ratio = r.last().rps() / g.last().rps();
                out.add(String.format(Locale.ROOT, "cowfork-immortal / %s requests/s at the plateau, %d workers: %.1f"
                        + " (goal >= 3): %s%s", g.server(), workers, ratio, ratio >= 3 ? "met" : "not met",
                        atTheCap(r).isEmpty() ? atTheCap(g) : atTheCap(r)));
            });
        }
        return out;
    }

    /** The run's total PSS at its last sample no later than {@code seconds} of load (its end if it has none). */
    static long pssAt(RunResult r, int seconds) {
        long pss = r.plateauPssKb();
        for (MemorySampler.Sample s : r.samples()) {
            if (s.seconds() <= seconds) {
                pss = s.pssKb();
            }
        }
        return pss;
    }

    /** What a goal judged on a run that never reached its plateau must say. */
    private static String atTheCap(RunResult r) {
        return r.plateau() ? "" : " (" + r.server() + " reached no plateau: its last window, at the cap)";
    }

    private static Optional<RunResult> find(List<RunResult> results, String server, int workers) {
        return results.stream().filter(r -> r.server().equals(server) && r.workers() == workers && r.ok()).findFirst();
    }

    /**
     * Writes both figures to {@code dir}: total PSS against seconds of load for every server at
     * {@code workers} (huge-page runs left out: the table has them), and total PSS against workers
     * after the same load time for every point: at the plateau, or after {@code cap} seconds (the
     * runs at the largest worker count load longer, for the first figure; their point is read
     * from their samples at {@code cap} seconds, so that no point has had more time to decay).
     */
    public static void writeFigures(Path dir, List<RunResult> results, int workers, int cap, String command) {
        List<LineChart.Series> overTime = new ArrayList<>();
        List<String> servers = new ArrayList<>();
        for (RunResult r : results) {
            if (!servers.contains(r.server()) && !r.server().endsWith("-hugepages")) {
                servers.add(r.server());
            }
        }
        for (String s : servers) {
            results.stream().filter(r -> r.server().equals(s) && r.workers() == workers && r.ok()).findFirst()
                    .ifPresent(r -> {
                        overTime.add(new LineChart.Series(s, r.samples().stream()
                                .map(x -> new double[] {x.seconds(), x.pssKb() / 1024.0}).toList()));
                        // the master alone: the total can come down to it, never below (PSS / RSS = 1)
                        overTime.add(new LineChart.Series("dashed: the master's RSS", r.samples().stream()
                                .map(x -> new double[] {x.seconds(), x.masterRssKb() / 1024.0}).toList(), true));
                    });
        }
        LineChart.write(dir.resolve(PSS_OVER_TIME), "Total PSS of all processes under load, " + workers + " workers",
                "seconds of load", "PSS (MiB)", overTime, "regenerate: " + command);
        List<LineChart.Series> vsWorkers = new ArrayList<>();
        for (String s : servers) {
            List<double[]> points = results.stream().filter(r -> r.server().equals(s) && r.ok())
                    .sorted((a, b) -> Integer.compare(a.workers(), b.workers()))
                    .map(r -> new double[] {r.workers(), pssAt(r, cap) / 1024.0}).toList();
            vsWorkers.add(new LineChart.Series(s, points));
        }
        LineChart.write(dir.resolve(PSS_VS_WORKERS), "Total PSS at the plateau, or after " + cap + " s of load, against workers",
                "workers", "PSS (MiB)", vsWorkers, "regenerate: " + command);
    }
}
