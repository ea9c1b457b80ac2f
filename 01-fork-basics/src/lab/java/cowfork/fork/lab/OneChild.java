// Lab 01, your file: fork this JVM, compute something in the child, get the answer back over a pipe, reap the child, kill it at a deadline.
package cowfork.fork.lab;

import cowfork.fork.ExitStatus;
import java.time.Duration;

/**
 * YOUR FORK (lab 01; the handout is 01-fork-basics/LAB.md, the grader {@code ./cowfork lab 01}).
 *
 * <p>Chapter 01's {@code Forker} does this, and much more. Write the core of it yourself, with
 * the chapter's building blocks: the recipe ({@code Forker.safe().recipe()}: quiet the JVM
 * around {@code fork()}), {@code Syscalls} (pipe, pidfdOfChild, the child's only way out:
 * exitNow, and warmExitPath), {@code Syscalls.posix()} (jnr-posix: fork, read, write, close,
 * kill, waitpid), {@code PollSet} (wait on descriptors with a timeout) and {@code ExitStatus}
 * (decode what waitpid says).
 */
public final class OneChild {
    private OneChild() {
    }

    /** What the child computes, on its only thread, in its copy of the parent's memory. */
    @FunctionalInterface
    public interface Computation {
        byte[] compute() throws Exception;
    }

    /**
     * What the parent learned.
     *
     * @param pid     the child's process id (it is gone by the time you return this)
     * @param status  how it ended: exited with a code, killed by a signal, or timed out (and killed)
     * @param payload every byte the child sent before it ended (empty if none)
     */
    public record Outcome(int pid, ExitStatus status, byte[] payload) {
    }

    /**
     * Forks this JVM; the child runs {@code computation}, sends its bytes to the parent over a
     * pipe and exits with {@code exitCode} (with 70 and no bytes if the computation threw).
     * The parent reads every byte, reaps the child and returns what happened. A child still
     * running {@code deadline} after the fork is killed with SIGKILL, reaped, and reported as
     * {@link ExitStatus.TimedOut} carrying {@code deadline} in milliseconds, as requested (not
     * the time that passed). When this returns, the child is gone (no zombie) and no
     * descriptor this call opened is still open.
     */
    public static Outcome run(Computation computation, int exitCode, Duration deadline) {
        throw new UnsupportedOperationException("lab 01: OneChild.run is not written: no child is forked, nothing comes back");
    }
}
