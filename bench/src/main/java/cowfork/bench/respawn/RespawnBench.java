// ./cowfork respawn-bench: kill -9 a serving worker under load, again and again, and time until its replacement has booted.
package cowfork.bench.respawn;

import cowfork.server.tools.ClientLoad;
import cowfork.server.tools.ServerLauncher;
import cowfork.support.Cli;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long a pre-forked server runs one worker short when a worker dies. It starts
 * {@code ./cowfork serve} as a process of its own, keeps a client loop on {@code /item/KEY}
 * running (kept-alive connections, reconnecting when the worker under one dies), and then,
 * {@code --kills} times, SIGKILLs a worker that has served and measures, from this process:
 * <pre>
 *   kill(2) ──► master logs "died ... replacing it" (detected) ──► replacement logs "booted" (respawned)
 * </pre>
 * A worker that has served is replaced at once (no crash-loop backoff); if the master says
 * otherwise, the benchmark stops with its line rather than time a backoff.
 * It prints one line per kill and a grep-able summary:
 * {@code respawn: kills=10 workers=2 min_ms=... median_ms=... max_ms=... requests=... failed=...}.
 */
public final class RespawnBench {
    private RespawnBench() {}

    /** The command line of {@code ./cowfork respawn-bench}. */
    @Command(name = "./cowfork respawn-bench", sortOptions = false,
            description = "Times from kill -9 of a serving worker to its replacement's boot, under load.")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--kills", paramLabel = "N", defaultValue = "10",
                description = "workers to kill, one after another, 1 to 1000 (default: ${DEFAULT-VALUE})")
        int kills;

        @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
                description = "the server's workers, 1 to 64 (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--clients", paramLabel = "N", defaultValue = "2",
                description = "client threads hitting /item, 1 to 64 (default: ${DEFAULT-VALUE})")
        int clients;

        /** The checks picocli does not make: the ranges. */
        @Override
        public void check() {
            Cli.within("--kills", kills, 1, 1000);
            Cli.within("--workers", workers, 1, 64);
            Cli.within("--clients", clients, 1, 64);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmark; returns the exit code (0 ok or --help, 2 bad arguments). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Cli.Outcome<Options> parsed = Cli.parse(new Options(), args, "respawn-bench", out, err);
        Options o = parsed.options();
        if (o == null) {
            return parsed.exitCode(); // 0 after --help, 2 after bad flags (the message is printed)
        }
        int kills = o.kills;
        int workers = o.workers;
        int clients = o.clients;
        List<String> serverArgs = List.of("--workers", Integer.toString(workers), "--data-size", "16m");
        AtomicInteger lastWorker = new AtomicInteger(); // the x-worker pid of an answer, the latest one
        try (ServerLauncher server = ServerLauncher.start(line -> { }, serverArgs);
             ClientLoad load = new ClientLoad("respawn-bench-load", server.port(), clients, k -> "/item/" + (k % 1000),
                     r -> lastWorker.set(Integer.parseInt(r.header("x-worker"))))) {
            server.awaitLine(0, l -> l.contains("ready:"), Duration.ofMinutes(2));
            List<Double> respawnMs = new ArrayList<>();
            for (int k = 1; k <= kills; k++) {
                load.awaitAnswered(load.answered() + 500, Duration.ofSeconds(60)); // the victim has served: no crash-loop backoff applies
                int victim = lastWorker.get(); // the worker that answered the latest request: one that serves
                int mark = server.lineCount();
                long t0 = System.nanoTime();
                // SIGKILL from this thread (destroyForcibly is kill(pid, SIGKILL)): no kill(1) process to start in the timing.
                if (!ProcessHandle.of(victim).map(ProcessHandle::destroyForcibly).orElse(false)) {
                    throw new IllegalStateException("worker pid " + victim + " is gone before the kill");
                }
                String died = server.awaitLine(mark, l -> l.contains("(pid " + victim + ") died"), Duration.ofSeconds(30));
                double detected = (System.nanoTime() - t0) / 1e6;
                if (!died.contains("replacing it")) {
                    // the time below would include a backoff delay, not a respawn
                    throw new IllegalStateException("the master did not replace a worker that had served at once: " + died);
                }
                server.awaitLine(mark, l -> l.contains(") booted"), Duration.ofSeconds(30));
                double booted = (System.nanoTime() - t0) / 1e6;
                respawnMs.add(booted);
                out.printf(Locale.ROOT, "kill %2d: worker pid %d; master saw it die after %.1f ms; replacement booted after"
                        + " %.1f ms%n", k, victim, detected, booted);
            }
            Collections.sort(respawnMs);
            int n = respawnMs.size();
            double median = n % 2 == 1 ? respawnMs.get(n / 2) : (respawnMs.get(n / 2 - 1) + respawnMs.get(n / 2)) / 2;
            out.printf(Locale.ROOT, "respawn: kills=%d workers=%d clients=%d min_ms=%.1f median_ms=%.1f max_ms=%.1f"
                    + " requests=%d failed=%d%n", n, workers, clients, respawnMs.get(0), median, respawnMs.get(n - 1),
                    load.answered(), load.refused() + load.broken());
            return 0;
        }
    }

}
