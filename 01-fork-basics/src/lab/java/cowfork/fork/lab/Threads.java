// Lab 01's warm-up, your file: count a process's threads, to see that a forked JVM child has exactly one.
package cowfork.fork.lab;

/**
 * YOUR THREAD COUNTER (lab 01's warm-up; 01-fork-basics/LAB.md). A JVM runs a dozen threads
 * or more; {@code fork()} copies only the one that called it. Count a process's threads from
 * {@code /proc}, and the grader shows you the child's count next to its parent's.
 */
public final class Threads {
    private Threads() {
    }

    /**
     * The number of threads process {@code pid} has now.
     *
     * @throws IllegalStateException if the process does not exist (or /proc cannot be read)
     */
    public static int count(int pid) {
        throw new UnsupportedOperationException("lab 01 warm-up: Threads.count is not written: nothing counts the threads of process " + pid);
    }
}
