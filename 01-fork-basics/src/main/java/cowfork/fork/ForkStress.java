// ./cowfork fork-stress: fork N children in a row with the whole recipe and count the ones that hang.
package cowfork.fork;

import cowfork.support.Cli;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    /** The command line of {@code ./cowfork fork-stress}. */
    @Command(name = "./cowfork fork-stress", sortOptions = false, sortSynopsis = false,
            description = "Forks N children in a row with the whole recipe and counts the ones that hang.")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--forks", paramLabel = "N", order = 1, description = "children to fork (default: ${DEFAULT-VALUE})")
        int forks = 10_000;

        @Option(names = "--deadline-ms", paramLabel = "MS", order = 2,
                description = "how long a child may take before the watchdog kills it (default: ${DEFAULT-VALUE})")
        long deadlineMillis = 10_000;

        @Option(names = "--gdb", order = 3, description = "a gdb backtrace of each hung child, before the kill")
        boolean gdb;

        @Option(names = "--without", paramLabel = "STEP", order = 4, converter = Step.class,
                description = "leave a step of the recipe out, to measure what it prevents: FLUSH_STDIO, COLLECT_GARBAGE or"
                        + " QUIET_JIT (repeatable)")
        List<ForkRecipe.Precaution> without = new ArrayList<>();

        @Override
        public void check() {
            Cli.within("--forks", forks, 1, Integer.MAX_VALUE);
            Cli.within("--deadline-ms", deadlineMillis, 1, Long.MAX_VALUE);
        }
    }

    /** {@code --without}: a step of the recipe, in any case. */
    static final class Step implements Cli.Converter<ForkRecipe.Precaution> {
        @Override
        public ForkRecipe.Precaution parse(String text) {
            try {
                return ForkRecipe.Precaution.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not a step: FLUSH_STDIO, COLLECT_GARBAGE or QUIET_JIT");
            }
        }
    }

    public static void main(String[] args) {
        Options o = Cli.parse(new Options(), args);
        if (o == null) {
            return;
        }
        run(o.forks, o.deadlineMillis, o.gdb, o.without.toArray(new ForkRecipe.Precaution[0]));
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
