// ./cowfork scale's command line: data size, worker counts, servers, window, cap, huge pages, output files.
package cowfork.bench.scale;

import cowfork.server.app.HeapStore;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the scale benchmark, validated. A server is a refcount strategy's name
 * (a cowfork server with {@code --refcounts NAME}) or {@code gunicorn} (gunicorn
 * {@code --preload} under every Python found with gunicorn installed).
 *
 * @param dataBytes  the data set each server preloads
 * @param workers    the worker counts, each run for every server
 * @param servers    strategy names and/or "gunicorn", in the order they run
 * @param window     seconds of wrk per window (the plateau is judged per window)
 * @param cap        seconds of load per run at most, at every worker count but the largest
 * @param capLargest seconds of load per run at most at the largest worker count: those runs draw the
 *                   PSS-over-time figure, so they may run longer to show where sharing decays to
 * @param hugePageServers the strategies that run once more, at the largest worker count, with --huge-pages
 * @param out        where the Markdown goes (null: standard output)
 * @param figures    the directory the two SVG figures are written to
 */
public record ScaleOptions(long dataBytes, List<Integer> workers, List<String> servers, int window, int cap,
                           int capLargest, List<String> hugePageServers, Path out, Path figures) {
    public static final String GUNICORN = "gunicorn";
    /** The smallest data set a server accepts (its own floor is checked when it starts). */
    static final long MIN_DATA = 1L << 20;
    static final long MAX_DATA = 64L << 30;
    /**
     * The huge-page runs by default: the best and the worst case of sharing (what huge pages do
     * to fork time is the same for every strategy; what they do to decay is clearest in these two).
     */
    static final List<String> DEFAULT_HUGE_PAGES = List.of("inline", "immortal");

    /** The command line of {@code ./cowfork scale}, as picocli reads it; {@link #options} checks it. */
    @Command(name = "./cowfork scale", sortOptions = false, description = {
        "First fork() of a block of the data size in 4 KiB and in huge pages, JVM and C (./cowfork fork-latency)."
                + " Then every server with every worker count under wrk (-t2 -c32, random GET /item/K) in windows of"
                + " --window seconds until the total PSS of its processes grows less than 1%% in a window (after the"
                + " first) or --cap seconds of load (--cap-largest at the largest worker count, whose runs draw the"
                + " PSS-over-time figure); PSS sampled every second from /proc/PID/smaps_rollup. The --huge-pages"
                + " strategies run once more at the largest worker count with serve --huge-pages. Writes a Markdown"
                + " report (with one grep-able 'scale:' line per run) and two SVG figures.",
        "Needs wrk, gcc for the C fork, and gunicorn for the gunicorn rows."
                + " 06-preforking-server/bench/run.sh --scale runs it."})
    static final class Flags implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--data-size", paramLabel = "BYTES", defaultValue = "1g", converter = Cli.Size.class,
                description = "the data set each server preloads, 1m to 64g (default: ${DEFAULT-VALUE})")
        long dataBytes;

        @Option(names = "--workers", paramLabel = "N", defaultValue = "1,2,4,8", split = ",",
                description = "the worker counts, each 1 to 64, each run for every server (default: ${DEFAULT-VALUE})")
        List<Integer> workers;

        @Option(names = "--servers", paramLabel = "NAME", split = ",", completionCandidates = Servers.class,
                description = "refcount strategies and/or gunicorn, in the order they run (default: all of"
                        + " ${COMPLETION-CANDIDATES})")
        List<String> servers;

        @Option(names = "--window", paramLabel = "SECONDS", defaultValue = "10",
                description = "seconds of wrk per window, 1 to 600 (default: ${DEFAULT-VALUE})")
        int window;

        @Option(names = "--cap", paramLabel = "SECONDS", defaultValue = "30",
                description = "seconds of load per run at most, at least two windows (default: ${DEFAULT-VALUE})")
        int cap;

        @Option(names = "--cap-largest", paramLabel = "SECONDS", defaultValue = "60",
                description = "the same at the largest worker count, whose runs draw the PSS-over-time figure"
                        + " (default: ${DEFAULT-VALUE})")
        int capLargest;

        @Option(names = "--huge-pages", paramLabel = "none|all|NAME,...",
                description = "the strategies that run again with serve --huge-pages, among --servers"
                        + " (default: inline,immortal among them)")
        String huge;

        @Option(names = "--out", paramLabel = "FILE", description = "where the Markdown goes (default: standard output)")
        Path out;

        @Option(names = "--figures", paramLabel = "DIR", defaultValue = "docs/figures",
                description = "the directory the two SVG figures are written to (default: ${DEFAULT-VALUE})")
        Path figures;

        /** The ranges, and the caps against the window; Cli.parse runs it. */
        @Override
        public void check() {
            Cli.withinSize("--data-size", dataBytes, MIN_DATA, MAX_DATA);
            Cli.within("--window", window, 1, 600);
            Cli.within("--cap", cap, 1, 3600);
            Cli.within("--cap-largest", capLargest, 1, 3600);
            for (int c : new int[] {cap, capLargest}) {
                if (c < 2 * window) {
                    throw new IllegalArgumentException((c == cap ? "--cap " : "--cap-largest ") + c
                            + " is shorter than two windows of " + window + " s: a plateau is judged from the second window on");
                }
            }
        }

        /**
         * The options these (checked) flags describe, for a build whose cowfork servers have {@code strategies}.
         *
         * @throws IllegalArgumentException naming the flag and the bad value: a worker count, a server, a huge-page strategy
         */
        ScaleOptions options(List<String> strategies) {
            List<String> serverList = servers == null ? defaultServers(strategies) : serverList(servers, strategies);
            return new ScaleOptions(dataBytes, workerList(workers), serverList, window, cap, capLargest,
                    hugePageList(huge, serverList), out, figures);
        }
    }

    /** The servers a build has, for --help: every strategy on the class path, then gunicorn. */
    static final class Servers implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return defaultServers(HeapStore.strategies()).iterator();
        }
    }

    private static List<String> defaultServers(List<String> strategies) {
        List<String> servers = new ArrayList<>(strategies);
        servers.add(GUNICORN);
        return List.copyOf(servers);
    }

    /** The largest worker count: the huge-page runs and the PSS-over-time figure use it. */
    public int maxWorkers() {
        return workers.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** The seconds of load a run with {@code workers} workers gets at most. */
    public int capFor(int workers) {
        return workers == maxWorkers() ? capLargest : cap;
    }

    /** Whether any strategy runs again on huge pages. */
    public boolean hugePages() {
        return !hugePageServers.isEmpty();
    }

    /** The cowfork strategies among {@link #servers}, in order. */
    public List<String> strategies() {
        return servers.stream().filter(s -> !s.equals(GUNICORN)).toList();
    }

    /**
     * Parses {@code args}; {@code strategies} are the refcount strategies a cowfork server has
     * (the default server list is all of them, then gunicorn).
     *
     * @return the options, or null for --help (the usage is printed)
     * @throws IllegalArgumentException naming the flag and the bad value, for an unknown flag,
     *         a missing value, a bad size, a worker count outside 1..64, an unknown server, a
     *         window outside 1..600 s, a cap shorter than two windows, or a huge-page strategy
     *         that is not among the servers
     */
    public static ScaleOptions parse(String[] args, List<String> strategies) {
        return parse(args, strategies, System.out);
    }

    /** As {@link #parse(String[], List)}, printing the usage of {@code --help} on {@code helpOut}. */
    public static ScaleOptions parse(String[] args, List<String> strategies, java.io.PrintStream helpOut) {
        Flags flags = Cli.parse(new Flags(), args, helpOut);
        return flags == null ? null : flags.options(strategies);
    }

    /**
     * {@code none}, {@code all} (every strategy among the servers) or a comma list of strategies
     * among the servers; null is the default, {@link #DEFAULT_HUGE_PAGES} among the servers.
     */
    static List<String> hugePageList(String text, List<String> servers) {
        List<String> strategies = servers.stream().filter(s -> !s.equals(GUNICORN)).toList();
        if (text == null) {
            return strategies.stream().filter(DEFAULT_HUGE_PAGES::contains).toList();
        }
        if (text.equals("none")) {
            return List.of();
        }
        if (text.equals("all")) {
            return strategies;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : text.split(",", -1)) {
            String name = s.trim();
            if (!strategies.contains(name)) {
                throw new IllegalArgumentException("--huge-pages takes none, all or strategies among --servers ("
                        + String.join(", ", strategies) + "), got '" + name + "'");
            }
            if (!out.add(name)) {
                throw new IllegalArgumentException("--huge-pages lists " + name + " twice");
            }
        }
        return List.copyOf(out);
    }

    /** [1, 2, 4, 8] from "1,2,4,8": each 1..64, no duplicates. */
    static List<Integer> workerList(List<Integer> counts) {
        Set<Integer> out = new LinkedHashSet<>();
        for (int n : counts) {
            Cli.within("--workers", n, 1, 64);
            if (!out.add(n)) {
                throw new IllegalArgumentException("--workers lists " + n + " twice");
            }
        }
        return List.copyOf(out);
    }

    /** [immortal, gunicorn] from "immortal,gunicorn": each a known strategy or gunicorn. */
    static List<String> serverList(List<String> names, List<String> strategies) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : names) {
            String name = s.trim();
            if (!strategies.contains(name) && !name.equals(GUNICORN)) {
                throw new IllegalArgumentException("--servers: unknown server '" + name + "'; known: "
                        + String.join(", ", strategies) + ", " + GUNICORN);
            }
            if (!out.add(name)) {
                throw new IllegalArgumentException("--servers lists " + name + " twice");
            }
        }
        return List.copyOf(out);
    }

    /** The command line that reproduces these options (for the report and the figures' captions). */
    public String command() {
        StringBuilder sb = new StringBuilder("./cowfork scale --data-size ").append(Sizes.toArgument(dataBytes))
                .append(" --workers ").append(String.join(",", workers.stream().map(String::valueOf).toList()))
                .append(" --servers ").append(String.join(",", servers))
                .append(" --window ").append(window).append(" --cap ").append(cap).append(" --cap-largest ").append(capLargest)
                .append(" --huge-pages ").append(hugePageServers.isEmpty() ? "none" : String.join(",", hugePageServers));
        return sb.toString();
    }
}
