// ./cowfork scale: every server at every worker count on a production-size data set, under load until its memory stops growing.
package cowfork.bench.scale;

import cowfork.cow.KernelProbe;
import cowfork.server.app.HeapStore;
import cowfork.support.Sizes;
import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The driver of the benchmark at production size. For each server (every refcount strategy as
 * {@code ./cowfork serve}, then gunicorn {@code --preload} under every Python that has it)
 * and each worker count:
 * <ol>
 *   <li>start it and wait until every worker is up ({@link ScaleServer});</li>
 *   <li>sample the PSS of its whole process tree every second ({@link MemorySampler});</li>
 *   <li>run wrk in windows of {@code --window} s until a window after the first grows PSS by
 *       less than 1% ({@link Plateau}), or {@code --cap} s of load;</li>
 *   <li>stop it (TERM, then kill its tree), also when anything failed.</li>
 * </ol>
 * A run that fails is a row with its error; the others go on. Then the Markdown
 * ({@link ScaleReport}) and the two figures. Progress goes to stderr once a second.
 */
public final class Scale {
    /** Processes to stop if the JVM is stopped (Ctrl-C) in the middle of a run. */
    private static final Set<AutoCloseable> LIVE = ConcurrentHashMap.newKeySet();
    /** Set by the shutdown hook: no run starts after it. */
    private static volatile boolean stopping;

    /** The budget for the whole default run on a 2-core machine. */
    static final int BUDGET_SECONDS = 20 * 60;

    private Scale() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmark; returns the exit code (0 done, even with failed rows; 2 bad options or missing tools). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> strategies = HeapStore.strategies();
        ScaleOptions o;
        try {
            o = ScaleOptions.parse(args, strategies, out);
        } catch (IllegalArgumentException e) { // the message names the flag and points at --help
            err.println("scale: " + e.getMessage());
            return 2;
        }
        if (o == null) { // --help: the usage is printed
            return 0;
        }
        Path bench = Path.of("06-preforking-server", "bench");
        if (!Files.isRegularFile(bench.resolve("items.lua")) || !Files.isRegularFile(bench.resolve("app.py"))) {
            err.println("scale: no " + bench + "/items.lua and app.py here: run it from the repository root");
            return 2;
        }
        if (!onPath("wrk")) {
            err.println("scale: wrk is missing (Debian: apt-get install -y wrk)");
            return 2;
        }
        List<Pythons.Python> pythons = o.servers().contains(ScaleOptions.GUNICORN) ? Pythons.withGunicorn() : List.of();
        if (o.servers().contains(ScaleOptions.GUNICORN)) {
            err.println("scale: Pythons with gunicorn: " + (pythons.isEmpty() ? "none (no gunicorn rows)"
                    : String.join(", ", pythons.stream().map(p -> p.executable() + " (" + p.version() + ")").toList())));
        }
        int[] estimate = estimateSeconds(o, pythons.size());
        err.printf(Locale.ROOT, "scale: %d runs; estimate %.1f to %.1f min (every run plateaus after two windows .. every"
                + " run reaches its cap, %d s or %d s)%n", runCount(o, pythons.size()), estimate[0] / 60.0, estimate[1] / 60.0,
                o.cap(), o.capLargest());
        if (estimate[1] > BUDGET_SECONDS) {
            err.printf(Locale.ROOT, "scale: at worst longer than the %d min budget: a shorter --cap or --cap-largest, or"
                    + " fewer --workers or --servers, shortens it%n", BUDGET_SECONDS / 60);
        }
        stopping = false;
        Thread hook = new Thread(Scale::onShutdown, "scale-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        List<RunResult> results = new ArrayList<>();
        List<String> forkLatency;
        try {
            forkLatency = ForkLatencyRun.run(o.dataBytes(), err, LIVE);
            for (String s : o.strategies()) {
                for (int w : o.workers()) {
                    cowfork(o, s, w, List.of(), results, bench, err, out);
                }
            }
            for (String s : o.hugePageServers()) {
                cowfork(o, s, o.maxWorkers(), List.of("--huge-pages"), results, bench, err, out);
            }
            // gunicorn serves the same catalogue as the cowfork servers (same data size, same seed)
            long items = results.stream().filter(r -> r.ok()).mapToLong(RunResult::items).findFirst().orElse(-1);
            if (!pythons.isEmpty() && items < 0) {
                try {
                    items = itemCount(o, strategies.get(0), err);
                } catch (RuntimeException e) { // no item count: every gunicorn row fails, the report is still written
                    err.println("scale: cannot learn the item count for gunicorn: " + e.getMessage());
                }
            }
            long itemCount = items; // final, for the starter below
            for (Pythons.Python p : pythons) {
                for (int w : o.workers()) {
                    if (itemCount < 0) {
                        report(RunResult.failed(p.serverName(), w, o.dataBytes(), "no item count: no cowfork server"
                                + " started to say how many items the data set holds"), results, out);
                        continue;
                    }
                    RunResult r = once(p.serverName(), w, o, err,
                            () -> ScaleServer.gunicorn(p.executable(), w, itemCount, bench, line -> { }), bench);
                    report(r, results, out);
                }
            }
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        String command = o.command();
        ScaleReport.writeFigures(o.figures(), results, o.maxWorkers(), o.cap(), command);
        String figureDir = o.out() == null || o.out().toAbsolutePath().getParent() == null ? o.figures().toString()
                : o.out().toAbsolutePath().getParent().relativize(o.figures().toAbsolutePath()).toString();
        String md = ScaleReport.markdown(machineLine(), o, results, forkLatency, figureDir);
        if (o.out() == null) {
            out.print(md);
        } else {
            try {
                Files.writeString(o.out(), md);
            } catch (IOException e) {
                err.println("scale: cannot write " + o.out() + ": " + e.getMessage() + "; the report:\n" + md);
                return 1;
            }
            err.println("scale: wrote " + o.out() + " and " + o.figures().resolve(ScaleReport.PSS_OVER_TIME) + ", "
                    + o.figures().resolve(ScaleReport.PSS_VS_WORKERS));
        }
        return 0;
    }


    /** One cowfork run, added to {@code results} and printed as its grep-able line. */
    private static void cowfork(ScaleOptions o, String strategy, int workers, List<String> extra, List<RunResult> results,
                                Path bench, PrintStream err, PrintStream out) {
        String name = "cowfork-" + strategy + (extra.contains("--huge-pages") ? "-hugepages" : "");
        RunResult r = once(name, workers, o, err, () -> ScaleServer.cowfork(strategy, workers, o.dataBytes(), extra,
                line -> { }), bench);
        report(r, results, out);
    }

    /** Only for gunicorn with no cowfork run before it: how many items a cowfork server preloads from this data size. */
    private static long itemCount(ScaleOptions o, String strategy, PrintStream err) {
        err.println("scale: starting one cowfork server to learn the item count for gunicorn's ITEMS");
        try (ScaleServer s = ScaleServer.cowfork(strategy, 1, o.dataBytes(), List.of(), line -> { })) {
            return s.items();
        }
    }

    private static void report(RunResult r, List<RunResult> results, PrintStream out) {
        results.add(r);
        out.println(r.grepLine());
        out.flush();
    }

    /** Something that starts a server and returns it ready. */
    @FunctionalInterface
    interface Starter {
        ScaleServer start();
    }

    /** Starts, measures and stops one server; any failure becomes a failed row. */
    static RunResult once(String name, int workers, ScaleOptions o, PrintStream err, Starter starter, Path bench) {
        if (stopping) {
            return RunResult.failed(name, workers, o.dataBytes(), "not run: the benchmark was stopped");
        }
        err.printf(Locale.ROOT, "scale: %s, %d workers, data %s: starting%n", name, workers, Sizes.format(o.dataBytes()));
        long t0 = System.nanoTime();
        ScaleServer server = null;
        try {
            server = starter.start();
            LIVE.add(server);
            err.printf(Locale.ROOT, "scale: %s ready after %.1f s, %,d items%n", name, (System.nanoTime() - t0) / 1e9,
                    server.items());
            return measure(name, workers, o, server, bench.resolve("items.lua"), err);
        } catch (RuntimeException e) {
            RunResult failed = RunResult.failed(name, workers, o.dataBytes(), String.valueOf(e.getMessage()));
            err.println("scale: " + name + " with " + workers + " workers failed: " + failed.errorSummary()
                    + " (the report quotes its last lines)");
            return failed;
        } finally {
            if (server != null) {
                server.close();
                LIVE.remove(server);
            }
        }
    }

    /** The windows of load on a ready server, until the plateau or the cap. */
    static RunResult measure(String name, int workers, ScaleOptions o, ScaleServer server, Path script, PrintStream err) {
        Progress progress = new Progress(name, workers, err);
        long[] thpBefore = thpCounters();
        try (MemorySampler sampler = MemorySampler.start(server.masterPid(), progress)) {
            List<MemorySampler.Sample> bounds = new ArrayList<>(List.of(sampler.sampleNow()));
            List<WrkResult> windows = new ArrayList<>();
            List<Double> growths = new ArrayList<>();
            OptionalInt plateau = OptionalInt.empty();
            for (int k = 0; k < o.capFor(workers) / o.window() && plateau.isEmpty(); k++) {
                // every window draws new keys (a seed of its own), reproducibly: the same run, the same keys
                long seed = (name + "/" + workers + "/" + k).hashCode() & 0x7fffffffL;
                WrkResult w = WrkResult.run(script, server.url(), server.items(), o.window(), seed, LIVE::add, LIVE::remove);
                windows.add(w);
                progress.lastRps = w.rps();
                bounds.add(sampler.sampleNow());
                growths.add(Plateau.growth(bounds.get(k).pssKb(), bounds.get(k + 1).pssKb()));
                plateau = Plateau.plateauWindow(growths, Plateau.THRESHOLD);
            }
            MemorySampler.Sample end = bounds.get(bounds.size() - 1);
            List<MemorySampler.Sample> series = new ArrayList<>(sampler.samples());
            series.removeIf(s -> s.seconds() > end.seconds());
            series.add(end);
            int i = Plateau.timeToPlateau(series.stream().map(MemorySampler.Sample::pssKb).toList());
            long[] thpAfter = thpCounters();
            return new RunResult(name, workers, o.dataBytes(), server.items(), List.copyOf(series), windows, growths, end.pssKb(),
                    end.masterRssKb(), plateau.isPresent(), (int) Math.round(series.get(i).seconds()),
                    Plateau.median(server.forkMillis()), sampler.medianReadMillis(), server.heapThpKib(), delta(thpBefore[0], thpAfter[0]),
                    delta(thpBefore[1], thpAfter[1]), null);
        }
    }

    /**
     * {thp_split_pmd, thp_collapse_alloc} from /proc/vmstat ({-1, -1} if unreadable): how often the
     * kernel split a huge page's mapping (a copy-on-write in one) and how often khugepaged assembled one.
     */
    static long[] thpCounters() {
        long[] out = {-1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/vmstat"))) {
                if (line.startsWith("thp_split_pmd ")) {
                    out[0] = Long.parseLong(line.substring(14).strip());
                } else if (line.startsWith("thp_collapse_alloc ")) {
                    out[1] = Long.parseLong(line.substring(19).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no counters: the report prints "-"
        }
        return out;
    }

    private static long delta(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    /** One line a second on stderr: server, workers, elapsed, PSS, growth over the last 10 s, last window's rps. */
    static final class Progress implements Consumer<MemorySampler.Sample> {
        private final String name;
        private final int workers;
        private final PrintStream err;
        private final Deque<Long> last = new ArrayDeque<>();
        volatile double lastRps = Double.NaN;

        Progress(String name, int workers, PrintStream err) {
            this.name = name;
            this.workers = workers;
            this.err = err;
        }

        @Override
        public void accept(MemorySampler.Sample s) {
            last.addLast(s.pssKb());
            if (last.size() > 11) {
                last.removeFirst();
            }
            String growth = last.size() == 11 ? String.format(Locale.ROOT, "%+.2f%%/10 s",
                    100 * Plateau.growth(last.peekFirst(), s.pssKb())) : "(< 10 s)";
            err.printf(Locale.ROOT, "scale: %-28s %d workers %4.0f s  PSS %,10.1f MiB  %-13s last window %s%n", name,
                    workers, s.seconds(), s.pssKb() / 1024.0, growth,
                    Double.isNaN(lastRps) ? "-" : String.format(Locale.ROOT, "%,.0f rps", lastRps));
        }
    }

    /** How many runs the options ask for, with {@code pythons} gunicorn Pythons. */
    static int runCount(ScaleOptions o, int pythons) {
        int cowforks = o.strategies().size();
        return cowforks * o.workers().size() + o.hugePageServers().size() + pythons * o.workers().size();
    }

    /**
     * The run's length in seconds, {best, worst}: best when every run plateaus after two windows,
     * worst when every run reaches the cap. Startup from measurements on this 2-core machine:
     * cowfork about 4 s + 2 s per GiB (preload) + warm-up, gunicorn about 13 s per 1.44 M items
     * (1 GiB) in CPython; 3 s per run to stop and for wrk to start and stop; 30 s for the fork latency.
     */
    static int[] estimateSeconds(ScaleOptions o, int pythons) {
        double gib = o.dataBytes() / (double) (1L << 30);
        int cowforkRuns = runCount(o, 0);
        int gunicornRuns = pythons * o.workers().size();
        double startup = 30 + cowforkRuns * (4 + 2 * gib) + gunicornRuns * (2 + 13 * gib);
        int runs = cowforkRuns + gunicornRuns;
        // runs at the largest worker count: one per strategy and Python, and every huge-page run
        int largest = o.strategies().size() + pythons + o.hugePageServers().size();
        double window = o.window() + 0.5;
        double best = startup + runs * (2 * window + 3);
        double worst = startup + runs * 3 + (runs - largest) * (o.cap() / o.window()) * window
                + largest * (o.capLargest() / o.window()) * window;
        return new int[] {(int) Math.ceil(best), (int) Math.ceil(worst)};
    }

    /** Cores, java -version, kernel release, 02's kernel: line, THP mode. */
    static String machineLine() {
        String java = firstLine(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"));
        String release = read("/proc/sys/kernel/osrelease");
        String thp = read("/sys/kernel/mm/transparent_hugepage/enabled");
        String kernel;
        try {
            kernel = KernelProbe.probe().line();
        } catch (RuntimeException | LinkageError e) {
            kernel = "kernel: (probe failed: " + e.getMessage() + ")";
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + java + ", " + release + ", THP " + thp
                + "; `" + kernel + "`";
    }

    private static String firstLine(List<String> command) {
        try (WatchedProcess p = WatchedProcess.start(command, line -> { })) {
            p.awaitExit(Duration.ofSeconds(20));
            List<String> lines = p.lines();
            return lines.isEmpty() ? "?" : lines.get(0);
        } catch (IllegalStateException e) {
            return "?";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ctrl-C or TERM: no further run starts; every server and wrk is stopped, gracefully first;
     * then whatever this JVM started and is still there (a server caught in its startup, whose
     * handle the driver does not have yet) is killed, with its workers.
     */
    private static void onShutdown() {
        stopping = true;
        stopAll();
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** Stops every server and wrk still running (the end of a run, or Ctrl-C). */
    private static void stopAll() {
        for (AutoCloseable c : LIVE) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the next one must still be stopped
            }
            LIVE.remove(c);
        }
    }
}
