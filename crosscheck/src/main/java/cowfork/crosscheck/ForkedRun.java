// One measured run: the script builds the catalogue and forks; the child runs a workload and waits; we read both processes' smaps through chapter 02's Smaps.
package cowfork.crosscheck;

import cowfork.cow.Smaps;
import cowfork.support.WatchedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a script (Python or Ruby, same protocol) once and measures its forked child:
 *
 * <pre>
 *   script (parent)                    child                       this JVM
 *   build N items, prepare heap
 *   "built items=N served=M"  ------------------------------------&gt; check N, M
 *   fork() ---------------------------&gt; run the workload
 *   waitpid(child)                     "ready pid=P served=.." ---&gt; check P is the script's child
 *                                      read stdin (blocks)          read /proc/P/smaps_rollup,
 *                                                                   /proc/script/smaps_rollup
 *                                      &lt;------------------------- "release"
 *                                      _exit(0)
 *   "exit status=0" ----------------------------------------------&gt; check, await exit 0
 * </pre>
 *
 * Both processes are quiet while they are read (the parent in waitpid, the child in a
 * read), so every private page of the child is one it wrote or allocated before "ready".
 *
 * <p>The script runs as a {@link WatchedProcess} (stdout and stderr merged, stdin open for
 * "release") with one deadline for the whole run: every wait counts against it, and a
 * failure kills the script, every process it forked and the child it named, and quotes
 * its last lines.
 */
final class ForkedRun {
    /** What the script builds and serves: the same for every interpreter of one check. */
    record Plan(int items, long seed, Path servedFile, int served) {
    }

    /** Every script runs with it: the same dict layouts on every run. */
    static final Map<String, String> ENVIRONMENT = Map.of("PYTHONHASHSEED", "0");

    private ForkedRun() {
    }

    /**
     * Runs {@code workload} in a child of {@code interpreter} running {@code script}, its
     * parent having prepared the heap with {@code prep} (one of {@link #preps(String)}),
     * and measures it.
     *
     * @param deadline for the whole run; past it, everything it started is killed
     * @throws IllegalStateException if the script fails, breaks the protocol or misses the
     *         deadline (the message quotes its stderr); nothing it started is left running
     */
    static ResultLine measure(Interpreter interpreter, Path script, Plan plan, String workload, String prep,
                              Duration deadline) {
        List<String> command = List.of(interpreter.executable().toString(), script.toString(),
                String.valueOf(plan.items()), String.valueOf(plan.seed()), plan.servedFile().toString(), workload,
                prep);
        long end = System.nanoTime() + deadline.toNanos();
        try (WatchedProcess p = WatchedProcess.start(command, ENVIRONMENT, WatchedProcess.Input.OPEN, line -> { })) {
            Map<String, String> built = ResultLine.fields(expect(p, "built ", end));
            if (!String.valueOf(plan.items()).equals(built.get("items"))
                    || !String.valueOf(plan.served()).equals(built.get("served"))) {
                throw p.failure("built " + built + ", but the plan was items=" + plan.items() + " served=" + plan.served());
            }
            Map<String, String> ready = ResultLine.fields(expect(p, "ready ", end));
            long expectServed = workload.equals("serve") || workload.equals("iterate") ? plan.served() : 0;
            if (!String.valueOf(expectServed).equals(ready.get("served"))) {
                throw p.failure("the child served " + ready.get("served") + " items, expected " + expectServed);
            }
            int child = parsePid(p, ready.get("pid"));
            adoptChild(p, child);
            Smaps.Fields childMemory = Smaps.rollup(child);
            Smaps.Fields parentMemory = Smaps.rollup(p.pid());
            p.sendAndClose("release");
            Map<String, String> exit = ResultLine.fields(expect(p, "exit ", end));
            if (!"0".equals(exit.get("status"))) {
                throw p.failure("the child exited with status " + exit.get("status"));
            }
            awaitSuccess(p, end);
            return new ResultLine(interpreter.language(), interpreter.version(), workload,
                    setting(interpreter, prep), childMemory.privateCleanKb() + childMemory.privateDirtyKb(),
                    parentMemory.rssKb());
        }
    }

    /**
     * The rest of the script's line that starts with {@code prefix}, waited for until
     * {@code end} (a {@link System#nanoTime} deadline).
     *
     * @throws IllegalStateException if the deadline passes or the output ends first (the
     *         script's tree is then killed, and the message quotes its last lines)
     */
    static String expect(WatchedProcess p, String prefix, long end) {
        return p.awaitLine(0, "a \"" + prefix + "...\" line", l -> l.startsWith(prefix), left(end))
                .substring(prefix.length());
    }

    /**
     * Waits until {@code end} for the script to exit, and checks it exited with 0.
     *
     * @throws IllegalStateException if it is still running at the deadline or exited with another status
     */
    static void awaitSuccess(WatchedProcess p, long end) {
        int status = p.awaitExit(left(end));
        if (status != 0) {
            throw p.failure("exited with status " + status);
        }
    }

    /** The time left until {@code end}, never negative. */
    private static Duration left(long end) {
        return Duration.ofNanos(Math.max(0, end - System.nanoTime()));
    }

    /**
     * Counts {@code pid}, which the script said it forked, as part of its tree, so that it is
     * killed even if the script itself is gone by then.
     *
     * @throws IllegalStateException if {@code pid} is not a live child of the script
     */
    private static void adoptChild(WatchedProcess p, long pid) {
        Optional<ProcessHandle> child = ProcessHandle.of(pid);
        long parent = child.flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        if (parent != p.pid()) {
            throw p.failure("the script named pid " + pid + " as its child, but that process "
                    + (child.isPresent() ? "has parent " + parent : "does not exist"));
        }
        p.adopt(child.get());
    }

    /**
     * How a language's parent may prepare its heap before fork, as the script's argument; the
     * first is "nothing". CPython: "no", "yes" ({@code gc.freeze()}). Ruby: "none",
     * "compact" ({@code GC.compact}, or {@code Process.warmup} on 3.3+), "freeze" (every
     * item Hash frozen).
     */
    static List<String> preps(String language) {
        return language.equals("cpython") ? List.of("no", "yes") : List.of("none", "compact", "freeze");
    }

    /** Why {@code interpreter} cannot prepare its heap with {@code prep}, or null if it can. */
    static String unavailable(Interpreter interpreter, String prep) {
        if (prep.equals("yes") && !interpreter.tools().contains("freeze")) {
            return "gc.freeze() is new in 3.7";
        }
        if (prep.equals("compact") && !interpreter.tools().contains("compact") && !interpreter.tools().contains("warmup")) {
            return "no GC.compact in this Ruby";
        }
        return null;
    }

    /** The setting words of a result line for {@code prep}. */
    static String setting(Interpreter interpreter, String prep) {
        return switch (prep) {
            case "no", "yes" -> "freeze=" + prep;
            case "none" -> "compact=no";
            // Process.warmup (3.3+) compacts as part of its work; the script uses it instead of GC.compact there
            case "compact" -> "compact=yes" + (interpreter.tools().contains("warmup") ? " warmup=yes" : "");
            case "freeze" -> "compact=no frozen=yes";
            default -> throw new IllegalArgumentException("unknown preparation \"" + prep + "\"");
        };
    }

    private static int parsePid(WatchedProcess p, String pid) {
        try {
            return Integer.parseInt(pid);
        } catch (NumberFormatException e) {
            throw p.failure("the ready line names no pid: pid=" + pid);
        }
    }
}
