// Parent side and child side of a forked child that only holds the parent's pages: it signals, blocks on a pipe, and leaves.
package cowfork.jvmgc;

import cowfork.fork.ExitStatus;
import cowfork.fork.ForkException;
import cowfork.fork.ForkRecipe;
import cowfork.fork.Forker;
import cowfork.fork.LibC;
import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import java.time.Duration;

/**
 * A forked child whose only job is to exist: while it lives, every page of the parent it
 * has not written is shared with it, so the parent's page map shows which of its pages a
 * garbage collection in the parent un-shares.
 *
 * <p>It is forked from JVMs running collectors module 01's recipe forbids (G1, ZGC,
 * Shenandoah have GC worker threads that may hold locks at fork time), so it does not use
 * {@code Forker}'s child: it runs only this class's {@link #childSide} path, which the
 * parent runs once before the first fork ({@link #warmUp}), so the child loads no class
 * and allocates next to nothing. Before the fork the parent applies the recipe's quieting
 * ({@link ForkRecipe#quiet}: flush stdio, no JIT compile in flight or to come, other Java
 * threads idle) without its garbage collection, which would change the heap being measured;
 * a JVM without an eden pool (Shenandoah) cannot use the recipe and forks without it.
 * In the child:
 * <pre>
 *   prctl(PR_SET_PDEATHSIG, SIGKILL); getppid() check   the parent dies: the kernel kills us
 *   write(ready, 1 byte)                                 the parent may now take its snapshot
 *   read(release, 1 byte)                                blocks until the parent writes or closes
 *   syscall(SYS_exit_group, 0)                           no shutdown hooks, no VM operation
 * </pre>
 * If anything in that path hangs anyway (a safepoint armed at fork time, a lock a GC thread
 * held), the watchdog in {@link #close} kills it: the measurement only needs it alive.
 */
public final class ParkedChild implements AutoCloseable {
    private static final byte[] ONE_BYTE = {1};
    private static final byte[] READ_BUFFER = new byte[1];
    private static boolean warm;
    private static ForkRecipe recipe;

    private final int pid;
    private final int pidfd;
    private final int readyFd;
    private int releaseFd;
    private ExitStatus status;

    private ParkedChild(int pid, int pidfd, int readyFd, int releaseFd) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.readyFd = readyFd;
        this.releaseFd = releaseFd;
    }

    /**
     * Forks a parked child and returns once it has signalled that it waits (its own few
     * writes are done), at most {@code deadline} after the fork.
     *
     * @throws ForkException if pipe(), fork() or pidfd_open() fail; nothing is left behind
     * @throws IllegalStateException if the JVM did not get quiet before the fork (the recipe's
     *         message says which step; nothing was forked), or the child did not signal in
     *         time (it was killed and reaped)
     */
    @SuppressWarnings("try") // the quiet state is held across fork(), never referenced inside
    public static ParkedChild fork(Duration deadline) {
        warmUp();
        int parentPid = Syscalls.posix().getpid();
        int[] ready = Syscalls.pipe();
        int[] release = Syscalls.pipe();
        int pid;
        try (ForkRecipe.Quiet quiet = recipe == null ? null : recipe.quiet()) {
            pid = Syscalls.posix().fork();
            if (pid == 0) {
                int code = 0;
                try {
                    childSide(parentPid, ready, release);
                } catch (Throwable t) {
                    code = 70; // nowhere to report it; the parent sees the exit code
                }
                Syscalls.exitNow(code); // the child never leaves this block
            }
        } catch (RuntimeException notQuiet) {
            Syscalls.closeAll(ready[0], ready[1], release[0], release[1]);
            throw notQuiet;
        }
        Syscalls.posix().close(ready[1]);
        Syscalls.posix().close(release[0]);
        if (pid < 0) {
            int errno = Syscalls.posixErrno();
            Syscalls.closeAll(ready[0], release[1]);
            throw new ForkException("fork()", errno, "the kernel refused a new process (process limit or memory)");
        }
        int pidfd = Syscalls.pidfdOfChild(pid, ready[0], release[1]);
        ParkedChild child = new ParkedChild(pid, pidfd, ready[0], release[1]);
        long end = System.nanoTime() + deadline.toNanos();
        PollSet poll = new PollSet(ready[0]);
        while (!poll.ready(0)) {
            long left = PollSet.millisUntil(end);
            if (left == 0) {
                child.close(Duration.ZERO);
                throw new IllegalStateException("forked child " + pid + " did not reach its wait within " + deadline
                        + "; it was killed (gdb -p on a rerun shows where it hangs)");
            }
            poll.await(left);
        }
        return child;
    }

    /** The child's process id. */
    public int pid() {
        return pid;
    }

    /** Whether the child left through its own exit with code 0; false before {@link #close}. */
    public boolean exitedByItself() {
        return status != null && status.isSuccess();
    }

    /**
     * How the child ended, after {@link #close} or {@link #kill}: {@code Exited(0)} normally;
     * {@code Signaled} if it crashed (a child of a ZGC JVM whose parent moved objects under it
     * can) or was killed;
     * {@code TimedOut} if the watchdog had to kill it. Null before close.
     */
    public ExitStatus status() {
        return status;
    }

    /**
     * Releases the child and reaps it; a child still alive 5 s later is killed with SIGKILL
     * ({@link #exitedByItself} then says false). Never throws for the child's sake.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * Kills the child with SIGKILL where it waits, without letting it run another
     * instruction, and reaps it ({@link #status} then says SIGKILL). For a child whose heap
     * the parent may have changed under it: a ZGC heap is a shared mapping, not copied on
     * write, and a released child would read and write the parent's moved objects.
     */
    public void kill() {
        if (releaseFd < 0) {
            return;
        }
        Syscalls.posix().kill(pid, 9);
        int[] raw = new int[1];
        Syscalls.posix().waitpid(pid, raw, 0);
        status = ExitStatus.decode(raw[0]);
        Syscalls.closeAll(releaseFd, pidfd, readyFd);
        releaseFd = -1;
    }

    private void close(Duration grace) {
        if (releaseFd < 0) {
            return;
        }
        Syscalls.posix().write(releaseFd, ONE_BYTE, 1L); // the child's read returns
        Syscalls.posix().close(releaseFd);
        releaseFd = -1;
        long end = System.nanoTime() + grace.toNanos();
        PollSet exit = new PollSet(pidfd);
        while (!exit.ready(0) && PollSet.millisUntil(end) > 0) {
            exit.await(PollSet.millisUntil(end));
        }
        boolean ended = exit.ready(0);
        if (!ended) {
            Syscalls.posix().kill(pid, 9);
        }
        int[] raw = new int[1];
        Syscalls.posix().waitpid(pid, raw, 0);
        status = ended ? ExitStatus.decode(raw[0]) : new ExitStatus.TimedOut(grace.toMillis(), true);
        Syscalls.closeAll(pidfd, readyFd);
    }

    /** The child's whole path up to its exit; the parent runs the same calls in {@link #warmUp}. */
    private static void childSide(int parentPid, int[] ready, int[] release) {
        // If the parent dies from now on the kernel kills us; if it died before this line,
        // getppid() already names a reaper.
        Syscalls.libc().prctl(LibC.PR_SET_PDEATHSIG, 9, 0, 0, 0);
        if (Syscalls.posix().getppid() != parentPid) {
            Syscalls.exitNow(75);
        }
        Syscalls.closeAll(ready[0], release[1]); // the parent's ends: a parent that dies closes the pipe for good
        signalAndWait(ready[1], release[0]);
    }

    private static void signalAndWait(int readyFd, int releaseFd) {
        Syscalls.posix().write(readyFd, ONE_BYTE, 1L);
        Syscalls.posix().read(releaseFd, READ_BUFFER, 1L);
    }

    /**
     * Runs the child's path in this process once: jnr-posix and jnr-ffi generate their glue
     * classes on first use, and a child must never load a class.
     */
    static synchronized void warmUp() {
        if (warm) {
            return;
        }
        int[] ready = Syscalls.pipe();
        int[] release = Syscalls.pipe();
        Syscalls.posix().write(release[1], ONE_BYTE, 1L); // so the read below returns at once
        signalAndWait(ready[1], release[0]);
        Syscalls.posix().read(ready[0], READ_BUFFER, 1L);
        Syscalls.closeAll(ready[0], ready[1], release[0], release[1]);
        Syscalls.libc().prctl(LibC.PR_GET_DUMPABLE, 0, 0, 0, 0); // same binding as PR_SET_PDEATHSIG, harmless here
        Syscalls.posix().getppid();
        Syscalls.libc().syscall(-1, 0); // the exit path's binding: syscall -1 is ENOSYS, harmless
        new PollSet(ready[0]).ready(0);
        recipe = quietingRecipe();
        warm = true;
    }

    /** The fork recipe without its collection; null where it cannot work (no eden pool: Shenandoah, ZGC). */
    private static ForkRecipe quietingRecipe() {
        try {
            return Forker.builder().checkFlags(false).without(ForkRecipe.Precaution.COLLECT_GARBAGE).build().recipe();
        } catch (IllegalStateException noEdenPool) {
            return null;
        }
    }
}
