// Lab 01, reference answer: the recipe around fork(), a pipe read to its end within the deadline, a pidfd to wait on, SIGKILL and waitpid when it passes.
package cowfork.fork.lab;

import cowfork.fork.ExitStatus;
import cowfork.fork.ForkException;
import cowfork.fork.ForkRecipe;
import cowfork.fork.Forker;
import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;

/** Reference answer for lab 01 (graded by {@code Lab01Grader}). */
public final class OneChild {
    private OneChild() {
    }

    @FunctionalInterface
    public interface Computation {
        byte[] compute() throws Exception;
    }

    public record Outcome(int pid, ExitStatus status, byte[] payload) {
    }

    /** The chapter's recipe: quiet the JIT and the other threads, flush stdio, make room in eden. */
    private static final ForkRecipe RECIPE = Forker.safe().recipe();
    /** The exit code of a child whose computation threw (BSD's EX_SOFTWARE). */
    private static final int EXIT_THREW = 70;
    private static final int CHUNK = 64 * 1024;
    private static boolean warm;

    @SuppressWarnings("try") // the quiet state is held across fork(), never referenced inside
    public static Outcome run(Computation computation, int exitCode, Duration deadline) {
        warmUp();
        int[] pipe = Syscalls.pipe();
        long start;
        int pid;
        try (ForkRecipe.Quiet quiet = RECIPE.quiet()) {
            start = System.nanoTime();
            pid = Syscalls.posix().fork();
            if (pid == 0) {
                child(computation, exitCode, pipe); // never returns
            }
        }
        if (pid < 0) {
            int errno = Syscalls.posixErrno();
            Syscalls.closeAll(pipe[0], pipe[1]);
            throw new ForkException("fork()", errno, "the kernel refused a new process");
        }
        // The parent's copy of the write end must go, or the read below never sees the end of the pipe.
        Syscalls.posix().close(pipe[1]);
        int pidfd = Syscalls.pidfdOfChild(pid, pipe[0]); // readable once the child has exited
        long deadlineNanos = start + deadline.toNanos();
        try {
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            byte[] chunk = new byte[CHUNK];
            PollSet readable = new PollSet(pipe[0]);
            while (true) {
                long left = PollSet.millisUntil(deadlineNanos);
                if (left == 0 || readable.await(left) == 0) {
                    return killAndReap(pid, deadline, payload);
                }
                long n = Syscalls.posix().read(pipe[0], chunk, (long) chunk.length);
                if (n == 0) {
                    break; // end of the pipe: the child has closed it, by exiting
                }
                if (n > 0) {
                    payload.write(chunk, 0, (int) n);
                } // n < 0: EINTR; the loop asks poll again
            }
            // The child is exiting (it closed its end when it exited): wait for it, within what is left.
            long left = PollSet.millisUntil(deadlineNanos);
            if (left == 0 || new PollSet(pidfd).await(left) == 0) {
                return killAndReap(pid, deadline, payload);
            }
            return new Outcome(pid, reap(pid), payload.toByteArray());
        } finally {
            Syscalls.closeAll(pipe[0], pidfd);
        }
    }

    /** The child's whole life, on its only thread: compute, send, exit. Never returns. */
    private static void child(Computation computation, int exitCode, int[] pipe) {
        int code = exitCode;
        try {
            Syscalls.posix().close(pipe[0]);
            byte[] answer = computation.compute();
            writeAll(pipe[1], answer == null ? new byte[0] : answer);
        } catch (Throwable t) {
            code = EXIT_THREW; // no stdout here: a lock on System.out may have been held by a thread that is gone
        }
        Syscalls.exitNow(code); // exit_group: no shutdown hooks, no VM thread needed
    }

    /** write(2) until every byte is out: a pipe takes 64 KiB at a time, then blocks until the parent reads. */
    private static void writeAll(int fd, byte[] bytes) {
        byte[] chunk = new byte[CHUNK];
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(CHUNK, bytes.length - off);
            System.arraycopy(bytes, off, chunk, 0, n); // write(2) through jnr starts at the array's index 0
            long written = Syscalls.posix().write(fd, chunk, (long) n);
            if (written < 0) {
                if (Syscalls.posixErrno() == Syscalls.EINTR) {
                    continue;
                }
                throw new IllegalStateException("write to the parent failed: errno " + Syscalls.posixErrno());
            }
            off += (int) written;
        }
    }

    private static Outcome killAndReap(int pid, Duration deadline, ByteArrayOutputStream payload) {
        Syscalls.posix().kill(pid, 9); // SIGKILL cannot be caught: waitpid returns promptly
        reap(pid);
        return new Outcome(pid, new ExitStatus.TimedOut(deadline.toMillis(), true), payload.toByteArray());
    }

    private static ExitStatus reap(int pid) {
        int[] status = new int[1];
        while (Syscalls.posix().waitpid(pid, status, 0) != pid) {
            if (Syscalls.posixErrno() != Syscalls.EINTR) {
                throw new ForkException("waitpid(" + pid + ")", Syscalls.posixErrno(), "someone else reaped this child");
            }
        }
        return ExitStatus.decode(status[0]);
    }

    /**
     * Runs, once, in the parent, what the child will run for the first time otherwise: the
     * native glue of write and of the exit path, and the arraycopy. A forked child must not
     * load or link a class: a lock it needs may belong to a thread that does not exist there.
     */
    private static synchronized void warmUp() {
        if (warm) {
            return;
        }
        int[] p = Syscalls.pipe();
        writeAll(p[1], Arrays.copyOf(new byte[] {1}, 1));
        Syscalls.posix().read(p[0], new byte[1], 1L);
        Syscalls.closeAll(p[0], p[1]);
        Syscalls.warmExitPath();
        warm = true;
    }
}
