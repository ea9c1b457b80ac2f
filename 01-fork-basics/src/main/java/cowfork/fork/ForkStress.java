// ./cowfork fork-stress: fork N children in a row with the whole recipe and count the ones that hang.
package cowfork.fork;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * The reliability benchmark: fork N children in a row with the whole recipe. Each child
 * allocates at least 1 MiB and runs code the parent never ran ({@link ColdPaths}), then
 * exits; the parent waits with a deadline, and the watchdog kills any child that hangs.
 *
 * <p>Run: {@code ./cowfork fork-stress --forks 10000}. The last line is always
 * <pre>fork-stress: forks=N completed=C hung=H unrecovered=U median_fork_us=M p99_fork_us=P restarts=R</pre>
 * H counts children the watchdog had to kill; U those it could not kill or reap; R children
 * that never came back from fork() into Java and were killed and forked again before their
 * task started ({@link Forker#MAX_FORK_ATTEMPTS}). For each
 * hang the pid and its state are printed (and a gdb backtrace with {@code --gdb}).
 */
public final class ForkStress {
    private ForkStress() {}

    public static void main(String[] args) {
        int forks = 10_000;
        long deadlineMillis = 10_000;
        boolean gdb = false;
        java.util.List<ForkRecipe.Precaution> without = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--forks" -> forks = positive(args, ++i, "--forks");
                case "--deadline-ms" -> deadlineMillis = positive(args, ++i, "--deadline-ms");
                case "--gdb" -> gdb = true;
                case "--without" -> without.add(precaution(args, ++i));
                case "--help", "-h" -> {
                    System.out.println("usage: fork-stress [--forks N (10000)] [--deadline-ms MS (10000)] [--gdb]"
                            + " [--without FLUSH_STDIO|COLLECT_GARBAGE|QUIET_JIT]...\n"
                            + "  --without leaves a step of the recipe out, to measure what it prevents");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; try --help");
            }
        }
        run(forks, deadlineMillis, gdb, without.toArray(new ForkRecipe.Precaution[0]));
    }

    private static ForkRecipe.Precaution precaution(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("--without needs a step: FLUSH_STDIO, COLLECT_GARBAGE or QUIET_JIT");
        }
        try {
            return ForkRecipe.Precaution.valueOf(args[i].toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--without takes FLUSH_STDIO, COLLECT_GARBAGE or QUIET_JIT, got '" + args[i] + "'");
        }
    }

    private static int positive(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        try {
            int v = Integer.parseInt(args[i].replace("_", ""));
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " takes a positive whole number, got '" + args[i] + "'");
    }

    static void run(int forks, long deadlineMillis, boolean gdb, ForkRecipe.Precaution... without) {
        if (gdb) {
            System.setProperty(ChildHandle.GDB_ON_HANG, "true"); // the watchdog backtraces a hung child before the kill
        }
        Forker forker = Forker.builder().deadline(Duration.ofMillis(deadlineMillis)).without(without).build();
        if (without.length > 0) {
            System.out.println("fork-stress: recipe WITHOUT " + Arrays.toString(without) + ": expect hangs");
        }
        long[] forkNanos = new long[forks];
        long[] roundTripNanos = new long[forks];
        long[] recipeNanos = new long[forks];
        int completed = 0;
        int hung = 0;
        int unrecovered = 0;
        int collections = 0;
        int restarts = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < forks; i++) {
            final int which = i;
            long start = System.nanoTime();
            ChildResult r;
            try (ChildHandle child = forker.start(c -> {
                byte[] block = new byte[1 << 20];
                Arrays.fill(block, (byte) which);
                block[which % block.length] = 1;
                return Long.toString(ColdPaths.run(which, block)).getBytes(StandardCharsets.US_ASCII);
            })) {
                Forker.ForkTimings t = forker.lastTimings();
                forkNanos[i] = t.forkNanos();
                recipeNanos[i] = t.gcNanos() + t.quietNanos();
                collections += t.collected() ? 1 : 0;
                restarts += t.restarts();
                r = child.await();
            }
            roundTripNanos[i] = System.nanoTime() - start;
            if (r.status() instanceof ExitStatus.TimedOut t) {
                hung++;
                unrecovered += t.reaped() ? 0 : 1;
                System.out.println("fork-stress: child " + r.pid() + " (fork " + i + ", cold path " + (i % ColdPaths.COUNT)
                        + ") hung: " + r.status() + "; when the watchdog killed it: " + r.lastSeen());
            } else if (r.succeeded()) {
                completed++;
            } else {
                System.out.println("fork-stress: child " + r.pid() + " failed: " + r);
            }
            if ((i + 1) % 1000 == 0) {
                System.err.printf("fork-stress: %d/%d forks, %d hung, %.1f s%n", i + 1, forks, hung,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        Arrays.sort(forkNanos);
        Arrays.sort(roundTripNanos);
        Arrays.sort(recipeNanos);
        System.out.printf("fork-stress: recipe median_us=%d p99_us=%d full_gcs=%d; round trip (recipe+fork+child+reap)"
                        + " median_us=%d p99_us=%d; total %.1f s; java %s%n",
                pct(recipeNanos, 50), pct(recipeNanos, 99), collections, pct(roundTripNanos, 50), pct(roundTripNanos, 99),
                (System.nanoTime() - t0) / 1e9, System.getProperty("java.version"));
        System.out.printf("fork-stress: forks=%d completed=%d hung=%d unrecovered=%d median_fork_us=%d p99_fork_us=%d"
                        + " restarts=%d%n",
                forks, completed, hung, unrecovered, pct(forkNanos, 50), pct(forkNanos, 99), restarts);
    }

    /** The p-th percentile of sorted nanoseconds, in microseconds. */
    static long pct(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int idx = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, idx)] / 1000;
    }
}
