// One measured run: the script builds the catalogue and forks; the child runs a workload and waits; we read both processes' smaps through chapter 02's Smaps.
package cowfork.crosscheck;

import cowfork.cow.Smaps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 */
final class ForkedRun {
    /** What the script builds and serves: the same for every interpreter of one check. */
    record Plan(int items, long seed, Path servedFile, int served) {
    }

    private ForkedRun() {
    }

    /**
     * Runs {@code workload} in a child of {@code interpreter} running {@code script}, with
     * the pre-fork tool ({@code gc.freeze()} for CPython, {@code GC.compact} or
     * {@code Process.warmup} for Ruby) used or not, and measures it.
     *
     * @param deadline for the whole run; past it, everything it started is killed
     * @throws IllegalStateException if the script fails, breaks the protocol or misses the
     *         deadline (the message quotes its stderr); nothing it started is left running
     */
    static ResultLine measure(Interpreter interpreter, Path script, Plan plan, String workload, boolean tool,
                              Duration deadline) {
        List<String> command = List.of(interpreter.executable().toString(), script.toString(),
                String.valueOf(plan.items()), String.valueOf(plan.seed()), plan.servedFile().toString(), workload,
                tool ? "yes" : "no");
        try (ScriptProcess p = new ScriptProcess(command, deadline)) {
            Map<String, String> built = ResultLine.fields(p.expect("built "));
            if (!String.valueOf(plan.items()).equals(built.get("items"))
                    || !String.valueOf(plan.served()).equals(built.get("served"))) {
                throw p.failure("built " + built + ", but the plan was items=" + plan.items() + " served=" + plan.served());
            }
            Map<String, String> ready = ResultLine.fields(p.expect("ready "));
            long expectServed = workload.equals("serve") || workload.equals("iterate") ? plan.served() : 0;
            if (!String.valueOf(expectServed).equals(ready.get("served"))) {
                throw p.failure("the child served " + ready.get("served") + " items, expected " + expectServed);
            }
            int child = parsePid(p, ready.get("pid"));
            p.adoptChild(child);
            Smaps.Fields childMemory = Smaps.rollup(child);
            Smaps.Fields parentMemory = Smaps.rollup((int) p.pid());
            p.sendAndClose("release");
            Map<String, String> exit = ResultLine.fields(p.expect("exit "));
            if (!"0".equals(exit.get("status"))) {
                throw p.failure("the child exited with status " + exit.get("status"));
            }
            p.awaitSuccess();
            return new ResultLine(interpreter.language(), interpreter.version(), workload,
                    setting(interpreter, tool), childMemory.privateCleanKb() + childMemory.privateDirtyKb(),
                    parentMemory.rssKb());
        }
    }

    /** The setting words of a result line: which pre-fork tool was used. */
    static String setting(Interpreter interpreter, boolean tool) {
        if (interpreter.language().equals("cpython")) {
            return "freeze=" + (tool ? "yes" : "no");
        }
        // Process.warmup (3.3+) compacts as part of its work; the script uses it instead of GC.compact there
        return "compact=" + (tool ? "yes" : "no") + (tool && interpreter.tools().contains("warmup") ? " warmup=yes" : "");
    }

    private static int parsePid(ScriptProcess p, String pid) {
        try {
            return Integer.parseInt(pid);
        } catch (NumberFormatException e) {
            throw p.failure("the ready line names no pid: pid=" + pid);
        }
    }
}
