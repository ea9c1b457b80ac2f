// ./cowfork respawn-bench: kill -9 a serving worker under load, again and again, and time until its replacement has booted.
package cowfork.bench.respawn;

import cowfork.server.tools.ClientLoad;
import cowfork.server.tools.ServerLauncher;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

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

    static final String USAGE = """
            usage: ./cowfork respawn-bench [--kills N] [--workers N] [--clients N]
              --kills N    workers to kill, one after another (default 10)
              --workers N  the server's workers (default 2)
              --clients N  client threads hitting /item (default 2)
            Times from kill -9 of a serving worker to its replacement's boot, under load.""";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmark; returns the exit code (0 ok, 2 bad arguments). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        int kills = 10;
        int workers = 2;
        int clients = 2;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    case "--kills" -> kills = number(args, ++i, "--kills", 1, 1000);
                    case "--workers" -> workers = number(args, ++i, "--workers", 1, 64);
                    case "--clients" -> clients = number(args, ++i, "--clients", 1, 64);
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("respawn-bench: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
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

    private static int number(String[] args, int i, String flag, int min, int max) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        try {
            int v = Integer.parseInt(args[i]);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " takes " + min + " to " + max + ", got '" + args[i] + "'");
    }
}
