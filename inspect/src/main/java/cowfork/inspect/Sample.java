// One look at a server's tree: every process's memory at one moment, what it cost to read, and who was left out.
package cowfork.inspect;

import java.time.Instant;
import java.util.List;

/**
 * One sample of a tree. {@code processes} holds the master first, then workers and other
 * descendants in the order they were listed; {@code leftOut} the processes that were listed
 * but exited before their memory could be read (a worker being replaced, say).
 *
 * @param number    1 for the first sample of a run, then 2, 3...
 * @param elapsedS  seconds since the first sample of the run
 * @param costMs    wall-clock time this sample took to list and read (its own cost)
 * @param cpuMs     CPU time the reading thread spent on it, most of it in the kernel walking page tables
 */
record Sample(int number, Instant time, double elapsedS, double costMs, double cpuMs, List<ProcessMemory> processes,
              List<LeftOut> leftOut) {

    /** A process that was listed but could not be read: it exited during the sample. */
    record LeftOut(ProcessTree.Member member, String reason) {}

    ProcessMemory master() {
        return processes.get(0);
    }

    /** The sum of Pss over every process read: the memory the tree really costs (each page counted once). */
    long totalPssKb() {
        return processes.stream().mapToLong(p -> p.total().pssKb()).sum();
    }

    long totalRssKb() {
        return processes.stream().mapToLong(p -> p.total().rssKb()).sum();
    }

    /** Processes with {@code role}. */
    List<ProcessMemory> withRole(ProcessTree.Role role) {
        return processes.stream().filter(p -> p.role() == role).toList();
    }
}
