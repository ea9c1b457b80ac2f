// ./cowfork demo 06: run the pre-forked server once per refcount strategy, serve the same requests, print each worker's memory.
package cowfork.server;

import cowfork.server.app.Endpoints;
import cowfork.server.app.HeapStore;
import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerLauncher;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The chapter's demo. For each refcount strategy on the class path it starts
 * {@code ./cowfork serve} as a process of its own (two workers), pins one kept-alive
 * connection to each worker, has each worker serve the same requests (items as JSON, then
 * a query over every item), and prints the master's memory table: what each worker had to
 * copy, by region, read from {@code /proc/PID/smaps}. Then it stops the server with TERM
 * and prints one summary line per strategy:
 * {@code server: strategy=S workers=N object_heap_private_kb=... refcount_table_private_kb=... total_pss_kb=...}.
 *
 * <p>This JVM never forks: the servers do.
 */
public final class Demo {
    private Demo() {}

    /** The command line of {@code ./cowfork demo 06}. */
    @Command(name = "./cowfork demo 06", sortOptions = false,
            description = "Starts ./cowfork serve once per refcount strategy and prints each worker's memory by region.")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--quick", description = "a small data set (4m) and fewer requests, for the tour and CI")
        boolean quick;

        @Option(names = "--data-size", paramLabel = "BYTES", converter = Cli.Size.class,
                description = "the server's data set, 64k to 64g, k/m/g suffixes (default: 16m; 4m with --quick)")
        Long dataBytes;

        @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
                description = "workers per server, 1 to 16 (default: ${DEFAULT-VALUE})")
        int workers;

        /** The checks picocli does not make: the ranges. */
        @Override
        public void check() {
            if (dataBytes != null) {
                Cli.withinSize("--data-size", dataBytes, 64 << 10, 64L << 30);
            }
            Cli.within("--workers", workers, 1, 16);
        }

        boolean quick() {
            return quick;
        }

        /** The data size as serve's --data-size reads it. */
        String dataSize() {
            return dataBytes != null ? Sizes.toArgument(dataBytes) : quick ? "4m" : "16m";
        }

        int workers() {
            return workers;
        }

        /** How many items each worker serves as JSON. */
        int items() {
            return quick ? 500 : 5000;
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the demo; returns the exit code (0 ok or --help, 2 bad arguments). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Cli.Outcome<Options> parsed = Cli.parse(new Options(), args, "demo 06", out, err);
        Options o = parsed.options();
        if (o == null) {
            return parsed.exitCode(); // 0 after --help, 2 after bad flags (the message is printed)
        }
        out.println("06 · a pre-forked HTTP server whose memory you can watch");
        out.println("Each server preloads the same data set, forks " + o.workers() + " workers, and each worker serves the"
                + " same requests: " + o.items() + " items as JSON, then one query over every item.");
        Map<String, String> summary = new LinkedHashMap<>();
        for (String strategy : HeapStore.strategies()) {
            summary.put(strategy, runOne(strategy, o, out));
        }
        out.println();
        out.println("summary (KiB per worker, from /proc/PID/smaps; PSS summed over the master and every worker):");
        summary.values().forEach(out::println);
        return 0;
    }

    /** One server: start, load every worker equally, print the table, stop. Returns the summary line. */
    private static String runOne(String strategy, Options o, PrintStream out) {
        out.println();
        out.println("=== refcounts=" + strategy + " ===");
        List<String> args = List.of("--workers", String.valueOf(o.workers()), "--refcounts", strategy,
                "--data-size", o.dataSize(), "--warmup", o.quick() ? "5000" : "20000",
                "--debug-endpoints", // for /sleep, which onePerWorker uses
                "--keep-alive", "300"); // each worker's connection waits while the others' are served, however slowly
        try (ServerLauncher server = ServerLauncher.start(line -> out.println("  | " + line), args)) {
            server.awaitLine(0, l -> l.contains("ready:"), Duration.ofMinutes(2));
            List<Socket> connections = onePerWorker(server, o.workers());
            try {
                String idle = stats(connections.get(0), false);
                long items = StatsJson.stats(idle).items();
                for (Socket s : connections) {
                    serveTheSameRequests(s, Math.min(items, o.items()), items);
                }
                out.println();
                out.println("after the same requests in every worker:");
                out.print(stats(connections.get(0), true));
                String json = stats(connections.get(0), false);
                return summaryLine(strategy, o.workers(), json);
            } finally {
                for (Socket s : connections) {
                    s.close();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("talking to the " + strategy + " server failed: " + e, e);
        }
    }

    private static void serveTheSameRequests(Socket s, long itemsToServe, long items) throws IOException {
        for (long k = 0; k < itemsToServe; k++) {
            expect200(RawHttp.get(s, "/item/" + k), "/item/" + k);
        }
        for (long from = 0; from < items; from += Endpoints.MAX_QUERY_COUNT) {
            String path = "/query?from=" + from + "&count=" + Math.min(Endpoints.MAX_QUERY_COUNT, items - from);
            expect200(RawHttp.get(s, path), path);
        }
    }

    private static String stats(Socket s, boolean text) throws IOException {
        RawHttp.Response r = RawHttp.get(s, text ? "/stats?format=text" : "/stats");
        expect200(r, "/stats");
        return r.body();
    }

    private static void expect200(RawHttp.Response r, String what) throws IOException {
        if (r.status() != 200) {
            throw new IOException(what + " answered " + r.status() + ": " + r.body());
        }
    }

    /** How long each worker found so far is kept busy while the next connection looks for another. */
    private static final int HOLD_MS = 1000;

    /**
     * Connects until every worker holds one connection. The kernel decides which worker
     * accepts, and an idle worker that has just served tends to win accept(2) again (the last
     * poller is woken first), so every worker found so far is kept busy with a
     * {@code /sleep} while the next connection is made: only another worker can take it.
     *
     * @throws IOException if {@code 100 * workers} connections did not reach every worker
     */
    static List<Socket> onePerWorker(ServerLauncher server, int workers) throws IOException {
        Map<String, Socket> byWorker = new LinkedHashMap<>();
        List<Socket> spare = new ArrayList<>();
        try {
            for (int i = 0; i < 100 * workers && byWorker.size() < workers; i++) {
                for (Socket busy : byWorker.values()) {
                    RawHttp.send(busy, "GET /sleep?ms=" + HOLD_MS + " HTTP/1.1\r\nHost: demo\r\n\r\n");
                }
                Socket s = new Socket("127.0.0.1", server.port());
                s.setSoTimeout(30_000);
                String pid = RawHttp.get(s, "/health").header("x-worker");
                for (Socket busy : byWorker.values()) {
                    expect200(RawHttp.read(busy), "/sleep");
                }
                if (byWorker.putIfAbsent(pid, s) != null) {
                    spare.add(s);
                }
            }
        } finally {
            for (Socket s : spare) {
                s.close();
            }
        }
        if (byWorker.size() < workers) {
            throw new IOException("reached only " + byWorker.size() + " of " + workers + " workers in " + 100 * workers
                    + " connections");
        }
        return new ArrayList<>(byWorker.values());
    }

    private static String summaryLine(String strategy, int workers, String json) {
        StatsJson.Stats stats = StatsJson.stats(json);
        long heap = 0;
        long table = 0;
        for (int w = 1; w <= workers; w++) {
            heap += stats.process("worker " + w).region("object_heap").privateKb();
            table += stats.process("worker " + w).region("refcount_table").privateKb();
        }
        long heapRss = stats.process("master").region("object_heap").rssKb();
        return String.format(Locale.ROOT, "server: strategy=%s workers=%d object_heap_kb=%d object_heap_private_kb=%d"
                + " refcount_table_private_kb=%d total_pss_kb=%d master_rss_kb=%d", strategy, workers, heapRss,
                heap / workers, table / workers, stats.totalPssKb(), stats.masterRssKb());
    }
}
