// Forks this JVM safely (warm-up, recipe, fork, watchdog) and runs a ChildTask in the child.
package cowfork.fork;

import cowfork.support.Processes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Forks this JVM and runs a {@link ChildTask} in the child, safely.
 *
 * <pre>{@code
 * Forker forker = Forker.safe();
 * byte[] answer = forker.call(child -> "hello from " .concat(String.valueOf(child.pid())).getBytes());
 * }</pre>
 *
 * What {@link #start} does, in order (the module README explains each step):
 * <ol>
 *   <li>parent: warm up the child's code path once (ours, then the caller's hooks), so
 *       the child never needs the class loader or the JIT;</li>
 *   <li>parent: {@link ForkRecipe#quiet()}: flush stdio, collect if eden is short, exclude
 *       and drain the JIT;</li>
 *   <li>{@code fork()};</li>
 *   <li>child: {@code prctl(PR_SET_PDEATHSIG, SIGKILL)} and a {@code getppid()} re-check,
 *       close its copies of the parent's ends, tell the parent it is back in Java and wait
 *       for its go-ahead (end of file: the parent gave up), close the other
 *       children's descriptors, run the task, send its result or its stack trace,
 *       {@code exit_group} (libc's {@code _exit});</li>
 *   <li>parent: let the JIT work again; wait (startup timeout) for the child to say it is
 *       back in Java; if it has not and is asleep, kill it and fork again
 *       ({@link #MAX_FORK_ATTEMPTS}); open a pidfd for the watchdog.</li>
 * </ol>
 * Forks are serialised: only one thread forks at a time.
 *
 * <p><b>Fork from one long-lived thread.</b> To the kernel a child's parent is the
 * <em>thread</em> that called {@code fork()}, and {@code PR_SET_PDEATHSIG} fires when that
 * thread exits, not when the parent process does: a child forked from a thread that then
 * ends (a pool thread retired, a short-lived helper) is killed with SIGKILL at once,
 * although the parent process lives on ({@code ParentDeathSignalTest}).
 */
public final class Forker {
    private static final Object FORK_LOCK = new Object();

    /**
     * How many times {@link #start} forks before it gives up on children that never came
     * back from {@code fork()}. While the forking thread is inside {@code fork()} it is "in
     * native", and HotSpot starts a safepoint without waiting for such a thread. If one
     * starts during the fork (another thread asked for a stack trace, say), the child's copy
     * of the VM is mid-safepoint, and the child, returning from {@code fork()} into Java,
     * waits in {@code SafepointSynchronize::block} for a VM thread it does not have: forever.
     * Nothing in the recipe can stop HotSpot's own threads from starting one, so the parent
     * checks instead: the child writes a byte as soon as it runs Java code, and a child that
     * has not within the startup timeout, and is asleep (such a child waits in a futex), is
     * killed (its task never started) and forked again. One that is still running is only
     * slow (a busy machine) and gets more time.
     */
    static final int MAX_FORK_ATTEMPTS = 10;
    private static final byte STARTED = 'S';
    private static final byte GO = 'G';
    /** {@link #startIdle}'s child: says it is ready, and waits for any message. */
    private static final ChildTask IDLE = c -> {
        c.send("ready");
        c.receive();
        return new byte[0];
    };
    private static boolean ownPathWarm;

    private final Duration deadline;
    private final Duration killGrace;
    private final Duration startupTimeout;
    private final List<Runnable> warmUps;
    private final Set<ForkRecipe.Precaution> precautions;
    private final ForkRecipe recipe;
    private final boolean checkFlags;
    private boolean callerWarm;
    private ForkTimings lastTimings;

    private Forker(Builder b) {
        this.deadline = b.deadline;
        this.killGrace = b.killGrace;
        this.startupTimeout = b.startupTimeout;
        this.warmUps = List.copyOf(b.warmUps);
        this.precautions = b.precautions.isEmpty() ? EnumSet.noneOf(ForkRecipe.Precaution.class) : EnumSet.copyOf(b.precautions);
        this.checkFlags = b.checkFlags;
        this.recipe = new ForkRecipe(precautions, b.childHeapBudget);
    }

    /** A forker with the whole recipe and a 30 s deadline. */
    public static Forker safe() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What the most recent {@link #start} spent on the recipe's steps and on fork() itself; null before. */
    public ForkTimings lastTimings() {
        return lastTimings;
    }

    /**
     * Where the time of one fork went.
     *
     * @param gcNanos    in System.gc() (0 when eden had room and no collection was needed)
     * @param collected  whether a collection ran
     * @param quietNanos excluding and draining the JIT, and waiting for other threads to be quiet
     * @param forkNanos  in the fork() call itself, as the parent sees it (mostly copying page tables)
     * @param restarts   children killed before this one because they never came back from fork() (see
     *                   {@link #MAX_FORK_ATTEMPTS}); 0 almost always
     */
    public record ForkTimings(long gcNanos, boolean collected, long quietNanos, long forkNanos, int restarts) {}

    /** The recipe this forker applies before each fork. */
    public ForkRecipe recipe() {
        return recipe;
    }

    /** Forks, runs {@code task} in the child, waits (with the deadline) and reaps. */
    public ChildResult run(ChildTask task) {
        try (ChildHandle child = start(task)) {
            return child.await();
        }
    }

    /**
     * Forks, runs {@code task}, and returns what it returned.
     *
     * @throws ChildFailedException if the task threw, the child was killed by a signal or
     *         missed its deadline; the message includes the child's own stack trace.
     */
    public byte[] call(ChildTask task) {
        return run(task).orThrow();
    }

    /**
     * Forks a child that does nothing but wait, and returns once it has said so: a witness
     * whose memory stays as the fork left it, for reading its {@code /proc} files (its
     * threads, or which pages the parent writes from now on: those the child is left alone
     * to map). It ends when sent any message ({@link ChildHandle#send}); then
     * {@link ChildHandle#await}. Closing the handle kills and reaps it.
     *
     * <p>The child runs only code the parent has run before the first fork (the idle task is
     * part of the warm-up), writes one message, and blocks in {@code read(2)}: it needs no
     * class loader, no JIT and no collection. So it may also be forked from a JVM running a
     * collector the recipe forbids (G1, Parallel, Shenandoah), to watch what that collector
     * writes: {@code Forker.builder().checkFlags(false).without(Precaution.COLLECT_GARBAGE)},
     * which quiets the JIT and the threads without collecting, and works without an eden.
     *
     * @throws IllegalStateException if the child did not say it was ready within {@code timeout}
     *         (it is killed and reaped), or as {@link #start}
     * @throws ForkException as {@link #start}
     */
    public ChildHandle startIdle(Duration timeout) {
        ChildHandle child = start(IDLE);
        String message = child.receiveString(timeout);
        if (!"ready".equals(message)) {
            child.close();
            throw new IllegalStateException("the idle child should have said \"ready\" but said " + message
                    + " (null: nothing within " + timeout.toSeconds() + " s); it was " + child);
        }
        return child;
    }

    /**
     * Forks a child running {@code task} and returns at once. The caller must
     * {@link ChildHandle#await} or {@link ChildHandle#close} it; closing kills and reaps.
     * The child lives only as long as the calling thread: when this thread ends, the kernel
     * sends the child SIGKILL (see the class comment).
     *
     * @throws ForkException if pipe(), fork() or pidfd_open() fail (errno and advice in the message)
     * @throws IllegalStateException if this JVM lacks the fork flags (see {@link ForkRecipe#requireForkFlags}),
     *         or the JVM did not get quiet in time ({@link ForkRecipe#quiet}); nothing was forked
     *         and no descriptor is left open. Also if {@link #MAX_FORK_ATTEMPTS} children in a
     *         row never came back from fork() (each was killed and reaped; the message says where
     *         each was stuck)
     */
    public ChildHandle start(ChildTask task) {
        synchronized (FORK_LOCK) {
            if (checkFlags) {
                ForkRecipe.requireForkFlags();
            }
            warmUpLocked();
            StringBuilder stuck = new StringBuilder();
            for (int attempt = 0; attempt < MAX_FORK_ATTEMPTS; attempt++) {
                ChildHandle child = forkOnce(task, attempt, stuck, true);
                if (child != null) {
                    return child;
                }
            }
            throw new IllegalStateException(MAX_FORK_ATTEMPTS + " children in a row never came back from fork() into"
                    + " Java: each was asleep after " + startupTimeout.toMillis() + " ms, and was killed and reaped:" + stuck);
        }
    }

    /**
     * One fork. Returns the child's handle, or null if the child did not say it came back
     * from {@code fork()} within the startup timeout: it is then killed and reaped, its
     * descriptors closed, its task never started, and {@code stuck} says where it was.
     */
    private ChildHandle forkOnce(ChildTask task, int restarts, StringBuilder stuck, boolean goAhead) {
        int parentPid = Syscalls.posix().getpid();
        int[] up = Syscalls.pipe();   // child -> parent
        int[] down;
        try {
            down = Syscalls.pipe();   // parent -> child
        } catch (ForkException e) {
            Syscalls.closeAll(up[0], up[1]);
            throw e;
        }
        // Both ends' channels are built now, before the recipe measures eden: their buffers
        // (2 x 64 KiB each) are the parent's allocation, so the child starts with its channel
        // and allocates next to nothing of its own before its task.
        FrameChannel childSide = new FrameChannel(down[0], up[1]);
        FrameChannel parentSide = new FrameChannel(up[0], down[1]);
        int pid;
        long heapBudget;
        long startNanos;
        long forkNanos;
        ForkRecipe.Quiet quiet;
        try {
            quiet = recipe.quiet();
        } catch (RuntimeException e) {
            Syscalls.closeAll(up[0], up[1], down[0], down[1]); // no fork: nothing may leak
            throw e;
        }
        try (quiet) {
            heapBudget = recipe.edenFree();
            startNanos = System.nanoTime();
            pid = Syscalls.posix().fork();
            if (pid == 0) {
                runChild(task, parentPid, childSide, up[0], down[1], heapBudget);
            }
            forkNanos = System.nanoTime() - startNanos;
        }
        lastTimings = new ForkTimings(recipe.lastGcNanos(), recipe.lastCollected(), recipe.lastQuietNanos(), forkNanos,
                restarts);
        if (pid < 0) {
            int errno = Syscalls.posixErrno();
            Syscalls.closeAll(up[0], up[1], down[0], down[1]);
            throw new ForkException("fork()", errno,
                    "the kernel refused a new process: EAGAIN means a process limit (ulimit -u, pids cgroup)"
                            + " was reached, ENOMEM that memory or the overcommit limit is exhausted");
        }
        Syscalls.closeAll(up[1], down[0]); // the child's ends
        if (!goAhead) {
            abandoned = abandon(pid, up[0], down[1]);
            return null;
        }
        if (!childCameBack(pid, up[0], down[1], startNanos + deadline.toNanos())) {
            stuck.append("\n  ").append(Processes.describe(pid)).append("; ").append(Processes.syscall(pid));
            if (Boolean.getBoolean(ChildHandle.GDB_ON_HANG)) {
                stuck.append("; gdb backtrace:\n").append(Processes.backtrace(pid));
            }
            Syscalls.posix().kill(pid, 9);
            Syscalls.posix().waitpid(pid, new int[1], 0); // SIGKILL cannot be ignored: this returns promptly
            Syscalls.closeAll(up[0], down[1]);
            return null;
        }
        int pidfd = Syscalls.pidfdOfChild(pid, up[0], down[1]);
        return new ChildHandle(pid, pidfd, parentSide, startNanos, deadline, killGrace);
    }

    /** What the last {@link #forkAndAbandon} saw: how the abandoned child ended. */
    private ExitStatus abandoned;

    /**
     * For tests of the child's side of the go-ahead: forks a child for {@code task}, waits
     * (startup timeout) for it to say it came back from {@code fork()}, then gives up on it
     * the way a parent that never sends the go-ahead does: closes its ends of the pipes and
     * sends nothing. Returns how the child ended: on its own with
     * {@link ChildContext#EXIT_PARENT_GONE}, its task never run; or, if it had not ended
     * 10 s later, killed (SIGKILL) and reaped.
     */
    ExitStatus forkAndAbandon(ChildTask task) {
        synchronized (FORK_LOCK) {
            warmUpLocked();
            forkOnce(task, 0, new StringBuilder(), false);
            return abandoned;
        }
    }

    private ExitStatus abandon(int pid, int fromChild, int toChild) {
        new PollSet(fromChild).await(startupTimeout.toMillis());
        Syscalls.closeAll(fromChild, toChild);
        int pidfd = Syscalls.pidfdOfChild(pid);
        boolean ended = new PollSet(pidfd).await(10_000) > 0;
        if (!ended) {
            Syscalls.posix().kill(pid, 9);
        }
        int[] status = new int[1];
        Syscalls.posix().waitpid(pid, status, 0);
        Syscalls.posix().close(pidfd);
        return ExitStatus.decode(status[0]);
    }

    /**
     * Waits for the child's first byte, which it writes as soon as it runs Java code again
     * after {@code fork()}, and answers with the go-ahead byte its task waits for. True if
     * the child came back, or has already ended (the watchdog reports how); false if it is
     * stuck in the return from {@code fork()}: no byte after the startup timeout and asleep
     * (state S: a child stuck there waits in a futex for a VM thread it does not have). A
     * child still running or faulting pages in (R, D) is slow, not stuck: it gets another
     * startup timeout, until its deadline. So the clock only decides how soon a stuck child
     * is found, never whether a slow one is killed.
     */
    private boolean childCameBack(int pid, int fromChild, int toChild, long deadlineNanos) {
        PollSet in = new PollSet(fromChild);
        while (in.await(startupTimeout.toMillis()) == 0) { // timeout (or EINTR): look at the child
            char state = Processes.state(pid);
            boolean slowOrEnded = state == 'R' || state == 'D' || state == 'Z'; // Z: the pipe's end of file comes next
            if (!slowOrEnded || System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
        }
        byte[] b = new byte[1];
        if (Syscalls.posix().read(fromChild, b, 1L) == 1) {
            b[0] = GO;
            Syscalls.posix().write(toChild, b, 1L); // if the child died meanwhile, await() reports it
        }
        return true;
    }

    /** The child's whole life: never returns. */
    private static void runChild(ChildTask task, int parentPid, FrameChannel channel, int parentRead, int parentWrite,
                                 long heapBudget) {
        int code;
        try {
            // If the forking thread ends from now on (its process dying ends it too), the
            // kernel kills us; if the process died before this line, getppid() has already
            // changed to a reaper's pid.
            Syscalls.libc().prctl(LibC.PR_SET_PDEATHSIG, 9, 0, 0, 0);
            if (Syscalls.posix().getppid() != parentPid) {
                Syscalls.exitNow(ChildContext.EXIT_PARENT_GONE);
            }
            // The parent's ends go first: while we hold a copy of its write end, a parent that
            // closes its own can never make our read below see end of file.
            Syscalls.posix().close(parentRead);
            Syscalls.posix().close(parentWrite);
            // We run Java code again, so we did not stop in the return from fork() (see
            // MAX_FORK_ATTEMPTS): say so, and start the task only on the parent's go-ahead,
            // so that a child the parent gave up on has done nothing.
            byte[] b = {STARTED};
            Syscalls.posix().write(channel.writeFd(), b, 1L);
            if (Syscalls.posix().read(channel.readFd(), b, 1L) != 1 || b[0] != GO) {
                Syscalls.exitNow(ChildContext.EXIT_PARENT_GONE); // the parent gave up on us: end of file
            }
            ChildHandle.closeInheritedDescriptors();
            ChildContext child = new ChildContext(channel, Syscalls.posix().getpid(), heapBudget);
            byte[] result = task.run(child);
            channel.send(FrameChannel.RESULT, result == null ? new byte[0] : result);
            code = child.exitCode();
        } catch (Throwable t) {
            code = ChildContext.EXIT_TASK_THREW;
            try {
                channel.send(FrameChannel.FAILURE, stackTrace(t).getBytes(StandardCharsets.UTF_8));
            } catch (Throwable ignored) {
                // the parent is gone or the pipe is broken: the exit code still tells
            }
        }
        Syscalls.exitNow(code);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /**
     * Runs, in the parent, the code a child will run: our own path once per JVM, the
     * caller's hooks once per forker. Classes get loaded and linked here, not in a child.
     * The first {@link #start} does it anyway; call it first where the warm-up's own
     * allocations and class loading must come before something you measure.
     */
    public void warmUp() {
        synchronized (FORK_LOCK) {
            warmUpLocked();
        }
    }

    private void warmUpLocked() {
        if (!ownPathWarm) {
            int[] p = Syscalls.pipe();
            FrameChannel ch = new FrameChannel(p[0], p[1]);
            ch.send(FrameChannel.MESSAGE, new byte[3]);
            ch.send(FrameChannel.FAILURE, stackTrace(new IllegalStateException("warm-up")).getBytes(StandardCharsets.UTF_8));
            ch.receive(System.nanoTime());
            ch.receive(Long.MAX_VALUE);
            ChildContext warm = new ChildContext(ch, 0, 0);
            warm.heapBytesLeft();
            try {
                IDLE.run(warm); // its "ready" comes back to it through the one pipe: it returns at once
            } catch (Exception e) {
                throw new IllegalStateException("warming up the idle child's path failed", e);
            }
            ch.close();
            Syscalls.libc().prctl(LibC.PR_GET_DUMPABLE, 0, 0, 0, 0);
            Syscalls.posix().getppid();
            Syscalls.warmExitPath();
            try {
                warm.exitCode(256);
            } catch (IllegalArgumentException expected) {
                // loads and runs the message path
            }
            ChildContext.writeFd(-1, "");
            initialize(ChildHandle.class); // the child calls ChildHandle.closeInheritedDescriptors
            ExitStatus.decode(0);
            ExitStatus.decode(9);
            ownPathWarm = true;
        }
        if (!callerWarm) {
            warmUps.forEach(Runnable::run);
            callerWarm = true;
        }
    }

    private static void initialize(Class<?> c) {
        try {
            Class.forName(c.getName(), true, c.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Configures a {@link Forker}. */
    public static final class Builder {
        private Duration deadline = Duration.ofSeconds(30);
        private Duration killGrace = Duration.ofNanos(ChildHandle.KILL_GRACE_NANOS);
        private Duration startupTimeout = Duration.ofSeconds(5);
        private final List<Runnable> warmUps = new ArrayList<>();
        private final Set<ForkRecipe.Precaution> precautions = EnumSet.allOf(ForkRecipe.Precaution.class);
        private long childHeapBudget = 32L << 20;
        private boolean checkFlags = true;

        /** How long a child may run before the watchdog kills it (default 30 s). */
        public Builder deadline(Duration deadline) {
            this.deadline = positive(deadline, "deadline");
            return this;
        }

        /**
         * How long a child sent SIGKILL may take to disappear before the watchdog reports it
         * as not reaped (default 5 s): SIGKILL cannot be caught, so only a process stuck in the
         * kernel (state D) outlives it. The handle reaps it later, when it is closed or awaited.
         */
        public Builder killGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("kill grace must be >= 0, got " + grace);
            }
            this.killGrace = grace;
            return this;
        }

        /**
         * How long a new child may take to come back from fork() into Java before the parent
         * looks at it (default 5 s): asleep, it is stuck, and is killed and forked again; still
         * running, it is slow and gets as long again, up to its deadline. A healthy child answers
         * as soon as it is scheduled, so this only bounds what a stuck child costs. Were a
         * sleeping child killed by mistake, that would cost a fork, never a task run twice (its
         * task waits for the go-ahead).
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = positive(timeout, "startup timeout");
            return this;
        }

        /** Code to run once in the parent before the first fork: exercise what the child will run. */
        public Builder warmUp(Runnable hook) {
            warmUps.add(hook);
            return this;
        }

        /**
         * Java heap bytes each child may allocate; the parent collects garbage before a fork
         * when less than this is free in eden (default 32 MiB). Eden's size is set by -Xmn.
         */
        public Builder childHeapBudget(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("child heap budget must be >= 0, got " + bytes);
            }
            this.childHeapBudget = bytes;
            return this;
        }

        /**
         * Leaves out steps of the recipe. Only for demonstrations and experiments that
         * show why a step exists: children forked without them can hang.
         */
        public Builder without(ForkRecipe.Precaution... leaveOut) {
            for (ForkRecipe.Precaution p : leaveOut) {
                precautions.remove(p);
            }
            return this;
        }

        /** Whether to refuse to fork in a JVM without the recipe's flags (default true). */
        public Builder checkFlags(boolean check) {
            this.checkFlags = check;
            return this;
        }

        public Forker build() {
            return new Forker(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
