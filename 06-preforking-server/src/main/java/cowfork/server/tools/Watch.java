// ./cowfork watch: two servers (inline and immortal counts) on the same data set, the same load on both, one page showing both.
package cowfork.server.tools;

import com.sun.net.httpserver.HttpServer;
import cowfork.server.stats.StatsJson;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The classroom command. It starts two servers as processes of their own, one with inline
 * counts and one with immortal objects, same data set and workers; drives both with the
 * same built-in load (random {@code GET /item/KEY} at a fixed rate, loopback only); and
 * serves on 127.0.0.1 one small page that shows both side by side:
 *
 * <pre>
 *   browser ──► this process, 127.0.0.1:PORT     /                  redirect to /dashboard?servers=/inline,/immortal
 *                                                /dashboard[/...]   the page and uPlot (DashboardAssets)
 *                                                /inline/dashboard/data    ──► server A's /dashboard/data
 *                                                /immortal/dashboard/data  ──► server B's /dashboard/data
 *   load: one thread per server, RATE requests/s, a new connection every 100 requests (so it reaches every worker)
 * </pre>
 *
 * One origin for the page and both data sources, so no CORS is needed and the servers'
 * own answers stay as they are. This process never forks (the servers do), so it may use
 * threads and the JDK's HTTP server. Ctrl-C (SIGINT) or TERM: a shutdown hook stops the
 * load, quick-stops both servers (INT: the master kills and reaps its workers) and kills
 * whatever is left after 10 s, so no process stays behind.
 */
public final class Watch {
    private static final String[] STRATEGIES = {"inline", "immortal"};
    private static final int REQUESTS_PER_CONNECTION = 100;

    private final List<ServerLauncher> servers = new ArrayList<>();
    private final List<Thread> load = new ArrayList<>();
    private final PrintStream out;
    private volatile boolean stopping;
    private boolean stopped;
    private HttpServer page;

    private Watch(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line of {@code ./cowfork watch}. */
    @Command(name = "./cowfork watch", sortOptions = false,
            description = "Two servers (inline and immortal counts) on the same data set, the same load on both, one page"
                    + " on 127.0.0.1 showing both. Ctrl-C stops everything.")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--port", paramLabel = "N", defaultValue = "8100",
                description = "where the page listens, on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
        int port;

        @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
                description = "workers per server, 1 to 64 (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--data-size", paramLabel = "BYTES", defaultValue = "8m", converter = Cli.Size.class,
                description = "the data set of both servers, k/m/g suffixes (default: ${DEFAULT-VALUE})")
        long dataBytes;

        @Option(names = "--rate", paramLabel = "N", defaultValue = "200",
                description = "requests per second sent to each server, 0 = no load (default: ${DEFAULT-VALUE})")
        int rate;

        @Option(names = "--seconds", paramLabel = "N", defaultValue = "0",
                description = "stop after N seconds, 0 = run until Ctrl-C (default: ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000",
                description = "requests each master serves itself before forking (serve's --warmup; default: ${DEFAULT-VALUE})")
        int warmup;

        /** The checks picocli does not make: the ranges (serve checks the data size itself). */
        @Override
        public void check() {
            Cli.within("--port", port, 0, 65535);
            Cli.within("--workers", workers, 1, 64);
            Cli.within("--rate", rate, 0, 100_000);
            Cli.within("--seconds", seconds, 0, Integer.MAX_VALUE);
            Cli.within("--warmup", warmup, 0, Integer.MAX_VALUE);
        }
    }

    /** Runs until Ctrl-C (or --seconds); returns the exit code: 0 stopped or --help, 1 a server died, 2 bad flags. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Cli.Outcome<Options> parsed = Cli.parse(new Options(), args, "watch", out, err);
        Options o = parsed.options();
        if (o == null) {
            return parsed.exitCode(); // 0 after --help, 2 after bad flags (the message is printed)
        }
        Watch w = new Watch(out);
        Thread hook = new Thread(w::stop, "watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return w.watch(o.port, List.of("--workers", Integer.toString(o.workers), "--data-size",
                    Sizes.toArgument(o.dataBytes), "--warmup", Integer.toString(o.warmup)), o.rate, o.seconds);
        } catch (RuntimeException e) {
            err.println("watch: " + e.getMessage());
            return 1;
        } finally {
            w.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) already
            }
        }
    }

    private int watch(int port, List<String> serveArgs, int rate, long seconds) {
        page = servePage(port); // bound first: a busy port is said at once, before two servers boot for nothing
        for (String s : STRATEGIES) {
            List<String> args = new ArrayList<>(List.of("--refcounts", s));
            args.addAll(serveArgs);
            servers.add(ServerLauncher.start(line -> out.println("[" + s + "] " + line), args));
        }
        for (ServerLauncher s : servers) {
            s.awaitLine(0, l -> l.contains("ready:"), Duration.ofMinutes(2));
        }
        page.start();
        int pagePort = page.getAddress().getPort();
        if (rate > 0) {
            for (int i = 0; i < servers.size(); i++) {
                ServerLauncher s = servers.get(i);
                Thread t = new Thread(() -> drive(s.port(), rate), "load-" + STRATEGIES[i]);
                t.setDaemon(true);
                load.add(t);
                t.start();
            }
        }
        out.printf(Locale.ROOT, "watch: open http://127.0.0.1:%d/  (inline on :%d, immortal on :%d, %d requests/s"
                + " to each; Ctrl-C stops both)%n", pagePort, servers.get(0).port(), servers.get(1).port(), rate);
        out.flush();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (seconds == 0 || System.nanoTime() - deadline < 0) {
            for (int i = 0; i < servers.size(); i++) {
                try {
                    if (servers.get(i).process().waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        if (stopping) {
                            return 0; // Ctrl-C: the hook stops them
                        }
                        out.println("watch: the " + STRATEGIES[i] + " server exited (" + servers.get(i).process().exitValue()
                                + "); stopping");
                        return 1;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }
        return 0;
    }

    /**
     * The page's server, bound but not started: the page and uPlot, and one source per server,
     * under its strategy's name: a proxy to that server's own /dashboard/data.
     */
    private HttpServer servePage(int port) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, DashboardPage.Source> sources = new LinkedHashMap<>();
        for (int i = 0; i < STRATEGIES.length; i++) {
            int server = i;
            sources.put(STRATEGIES[i], () -> {
                try {
                    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + servers.get(server).port() + "/dashboard/data")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    return new DashboardPage.Reply(r.statusCode(), "application/json", r.body());
                } catch (IOException | InterruptedException | IndexOutOfBoundsException e) {
                    return DashboardPage.Reply.error(502, "the " + STRATEGIES[server] + " server did not answer: " + e);
                }
            });
        }
        try {
            return DashboardPage.bind(port, sources);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage().replace("choose another port", "choose another with --port"), e);
        }
    }

    /**
     * Sends {@code rate} random {@code GET /item/KEY} a second to the server on {@code port}
     * until stopped: the same load for both servers (same rate, keys from the same seed).
     */
    private void drive(int port, int rate) {
        SplittableRandom keys = new SplittableRandom(17);
        long items = -1;
        long period = 1_000_000_000L / rate;
        long next = System.nanoTime();
        while (!stopping) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                if (items < 0) {
                    items = StatsJson.stats(RawHttp.get(s, "/stats").body()).items();
                }
                for (int i = 0; i < REQUESTS_PER_CONNECTION && !stopping; i++) {
                    RawHttp.get(s, "/item/" + keys.nextLong(items));
                    next += period;
                    LockSupport.parkNanos(next - System.nanoTime()); // pacing the load, not waiting for an event
                }
            } catch (IOException | RuntimeException e) {
                if (!stopping) {
                    LockSupport.parkNanos(100_000_000L); // the server restarts a worker, or is stopping: try again soon
                    next = System.nanoTime();
                }
            }
        }
    }

    /** Stops the load and the page, then both servers (INT; SIGKILL to their trees after 10 s). Idempotent. */
    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopping = true;
        if (page != null) {
            page.stop(0);
        }
        for (ServerLauncher s : servers) {
            if (s.process().isAlive()) {
                try {
                    ServerLauncher.signal(s.masterPid(), "INT");
                } catch (IllegalStateException gone) {
                    // it exited already (a Ctrl-C in the terminal reaches the servers too)
                }
            }
        }
        for (ServerLauncher s : servers) {
            try {
                if (!s.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    s.watched().killTree();
                }
            } catch (InterruptedException e) {
                s.watched().killTree();
            }
        }
        stopped = true;
        if (!servers.isEmpty()) {
            out.println("watch: stopped both servers");
            out.flush();
        }
    }
}
