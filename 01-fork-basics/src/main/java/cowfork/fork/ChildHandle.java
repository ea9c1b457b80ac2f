// Parent side: the handle on one forked child: talk to it, wait with a deadline, kill it, always reap it.
package cowfork.fork;

import cowfork.support.Processes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The parent's handle on one forked child: talk to it, wait for it with a deadline,
 * kill it. Whatever happens, the child is reaped: {@link #await} reaps it, and
 * {@link #close()} kills and reaps a child that is still running, so a try-with-resources
 * block never leaves a zombie or an orphan behind.
 *
 * <p>Waiting uses {@code poll(2)} on the result pipe and on a pidfd (a descriptor that
 * becomes readable when the child exits), so the watchdog needs no thread and no sleep.
 * Any thread of the parent may wait for the child, but the child lives only as long as
 * the thread that forked it: when that thread ends, {@code PR_SET_PDEATHSIG} has the
 * kernel kill the child (SIGKILL), even though the parent process lives on.
 */
public final class ChildHandle implements AutoCloseable {
    /** How long a SIGKILLed child may take to disappear, by default, before it is reported as not reaped. */
    public static final long KILL_GRACE_NANOS = 5_000_000_000L;

    /**
     * System property: when "true", a child that misses its deadline is backtraced with gdb
     * (every thread) before it is killed, and the backtrace is part of its {@link ChildResult#lastSeen}.
     * Off by default: gdb takes seconds. For catching rare hangs in tests
     * ({@code -Dcowfork.gdbOnHang=true}); {@code fork-stress --gdb} turns it on.
     */
    public static final String GDB_ON_HANG = "cowfork.gdbOnHang";

    /** Parent-side descriptors of every child not yet reaped; a new child closes them. */
    private static final List<Integer> PARENT_FDS = new ArrayList<>();

    private final int pid;
    private final int pidfd;
    private final FrameChannel channel;
    private final long startNanos;
    private final long defaultDeadlineNanos;
    private final long killGraceNanos;
    private final List<FrameChannel.Frame> early = new ArrayList<>();
    private ChildResult result;
    private String lastSeen;
    /** Reported as timed out and not reaped: it outlived its SIGKILL's grace. Its pidfd is still open. */
    private boolean unreaped;
    private boolean pipeClosed;

    ChildHandle(int pid, int pidfd, FrameChannel channel, long startNanos, Duration deadline, Duration killGrace) {
        this.killGraceNanos = killGrace.toNanos();
        this.pid = pid;
        this.pidfd = pidfd;
        this.channel = channel;
        this.startNanos = startNanos;
        this.defaultDeadlineNanos = startNanos + deadline.toNanos();
        synchronized (PARENT_FDS) {
            PARENT_FDS.add(pidfd);
            PARENT_FDS.add(channel.readFd());
            PARENT_FDS.add(channel.writeFd());
        }
    }

    /** In a new child: close the descriptors that belong to the parent's other children. */
    static void closeInheritedDescriptors() {
        for (int i = 0; i < PARENT_FDS.size(); i++) {
            Syscalls.posix().close(PARENT_FDS.get(i));
        }
    }

    public int pid() {
        return pid;
    }

    /** A descriptor that becomes readable when the child exits: poll it among others (supervisors). */
    public int exitFd() {
        return pidfd;
    }

    /** The descriptor on which the child's messages arrive: poll it among others (supervisors). */
    public int messageFd() {
        return channel.readFd();
    }

    /**
     * The descriptor the child's messages from us are written to: for a supervisor that
     * queues its messages and writes them itself when poll reports room ({@link #nonBlocking}).
     */
    public int orderFd() {
        return channel.writeFd();
    }

    /**
     * Makes this side's two pipe ends non-blocking, for a supervisor that must never wait
     * on one child: reads are unaffected (they poll first), but {@link #send} on a full pipe
     * then fails with EAGAIN instead of waiting, so such a supervisor writes frames itself
     * ({@link FrameChannel#putHeader}) to {@link #orderFd()} when poll says there is room.
     */
    public void nonBlocking() {
        Syscalls.nonBlocking(channel.readFd());
        Syscalls.nonBlocking(channel.writeFd());
    }

    /** Sends a message the child reads with {@link ChildContext#receive}. */
    public void send(byte[] message) {
        channel.send(FrameChannel.MESSAGE, message);
    }

    public void send(String message) {
        send(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The child's next {@link ChildContext#send} message, waiting at most {@code timeout}.
     * Returns null on timeout. For a caller that talks to this one child: if the child has
     * ended it reaps it and releases its descriptors; a supervisor that polls many children
     * uses {@link #receiveNow()} and reaps them itself.
     *
     * @throws ChildFailedException if the child ended (it is then reaped) before sending one.
     */
    public byte[] receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        FrameChannel.Frame f;
        try {
            f = channel.receive(deadline);
        } catch (FrameChannel.ClosedException e) {
            throw new ChildFailedException(await(Duration.ofNanos(KILL_GRACE_NANOS)));
        }
        if (f == null) {
            return null;
        }
        if (f.type() != FrameChannel.MESSAGE) {
            early.add(f); // the task already returned; keep its result for await()
            throw new ChildFailedException(await(Duration.ofNanos(KILL_GRACE_NANOS)));
        }
        return f.payload();
    }

    /**
     * The child's next message if a whole one has arrived; null if none has. Never waits,
     * never reaps, never closes a descriptor: for a supervisor that polls {@link #messageFd()}
     * and {@link #exitFd()} and reaps (with {@link #await}) only when the exit descriptor says
     * so. At the end of the child's messages (it exited, or closed its end) it returns null and
     * {@link #endOfMessages()} turns true; the descriptors stay open until the owner reaps.
     * Frames other than messages (the task's result) are kept for {@link #await}.
     */
    public byte[] receiveNow() {
        if (result != null) {
            return null; // reaped: the descriptors are closed, and their numbers may belong to another child now
        }
        while (true) {
            FrameChannel.Frame f = channel.decode();
            if (f == null) {
                if (channel.closedAndEmpty() || !channel.readable(0) || !channel.fill()) {
                    return null;
                }
                continue;
            }
            if (f.type() == FrameChannel.MESSAGE) {
                return f.payload();
            }
            early.add(f);
        }
    }

    /**
     * {@link #receiveNow()} without the copy: holds the child's next message where it lies in
     * this handle's receive buffer, at {@link #heldBuffer()}[{@link #heldStart()}, +
     * {@link #heldLength()}) until {@link #releaseMessage()}. True if a whole message has
     * arrived; false if none has (or the child has been reaped). For a supervisor that reads
     * its children's frames all day and should make no garbage doing it; do not mix it with
     * {@link #receiveNow()} on one handle.
     *
     * @throws IllegalStateException if a frame's length is corrupt
     */
    public boolean nextMessageInPlace() {
        if (result != null) {
            return false;
        }
        while (channel.nextInPlace()) {
            if (channel.heldType() == FrameChannel.MESSAGE) {
                return true;
            }
            byte[] b = channel.buffer(); // the task's result: kept for await(), as receiveNow() does
            early.add(new FrameChannel.Frame(channel.heldType(),
                    java.util.Arrays.copyOfRange(b, channel.heldStart(), channel.heldStart() + channel.heldLength())));
            channel.release();
        }
        return false;
    }

    public byte[] heldBuffer() {
        return channel.buffer();
    }

    public int heldStart() {
        return channel.heldStart();
    }

    public int heldLength() {
        return channel.heldLength();
    }

    /** Done with the message {@link #nextMessageInPlace()} holds. */
    public void releaseMessage() {
        channel.release();
    }

    /** Whether every message the child sent has been received and its end is closed (it has exited, or is exiting). */
    public boolean endOfMessages() {
        return result != null || channel.closedAndEmpty();
    }

    /** Text form of {@link #receive(Duration)}. */
    public String receiveString(Duration timeout) {
        byte[] b = receive(timeout);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Whether the child has exited (it may not be reaped yet). Never blocks. */
    public boolean hasExited() {
        return result != null || new PollSet(pidfd).await(0) > 0;
    }

    /** The state letter of the child in /proc (Z while it is a zombie), '?' once reaped. */
    public char state() {
        return Processes.state(pid);
    }

    /** Waits until the deadline given when the child was forked. */
    public ChildResult await() {
        return awaitUntil(defaultDeadlineNanos);
    }

    /** Waits at most {@code timeout} from now; a child that misses it is killed, reaped and reported. */
    public ChildResult await(Duration timeout) {
        return awaitUntil(System.nanoTime() + timeout.toNanos());
    }

    private ChildResult awaitUntil(long deadlineNanos) {
        if (result != null) {
            return unreaped ? retryReap(KILL_GRACE_NANOS) : result;
        }
        PollSet set = new PollSet(channel.readFd(), pidfd);
        boolean pipeOpen = true;
        boolean exited = false;
        while (!exited) {
            long timeout = PollSet.millisUntil(deadlineNanos);
            if (timeout == 0 && set.await(0) == 0) {
                return finish(killAndReap(deadlineNanos));
            }
            if (timeout > 0 && set.await(timeout) == 0) {
                continue; // timeout or EINTR: the loop re-checks the deadline
            }
            if (pipeOpen && set.ready(0) && !channel.fill()) {
                pipeOpen = false;
                set.set(0, -1); // end of file: stop watching the pipe
            }
            exited = set.ready(1);
        }
        // The child is dead, so whatever it wrote is already in the pipe: take it without waiting.
        while (pipeOpen && channel.readable(0)) {
            pipeOpen = channel.fill();
        }
        return finish(reap());
    }

    /** Kills the child with SIGKILL now and reaps it; the result says it was killed. */
    public ChildResult kill() {
        if (result != null) {
            return result;
        }
        signal(9);
        return await(Duration.ofNanos(KILL_GRACE_NANOS));
    }

    /** Sends {@code signal} to the child (no effect once it has been reaped). */
    public void signal(int signal) {
        if (result == null) {
            ForkException.checkPosix(Syscalls.posix().kill(pid, signal), "kill(" + pid + ", " + signal + ")",
                    "the child is gone");
        }
    }

    private ExitStatus killAndReap(long deadlineNanos) {
        lastSeen = Processes.describe(pid) + "; " + Processes.syscall(pid);
        if (Boolean.getBoolean(GDB_ON_HANG)) {
            lastSeen += "; gdb backtrace:\n" + Processes.backtrace(pid);
        }
        Syscalls.posix().kill(pid, 9);
        long graceDeadline = System.nanoTime() + killGraceNanos;
        PollSet exit = new PollSet(pidfd);
        while (exit.await(PollSet.millisUntil(graceDeadline)) == 0) {
            if (System.nanoTime() - graceDeadline >= 0) {
                // Stuck in the kernel (state D), or still being torn down: reported now, reaped
                // later by await() or close(). Its pipe is of no more use; its pidfd says when.
                unreaped = true;
                return new ExitStatus.TimedOut(millisSinceStart(deadlineNanos), false);
            }
        }
        reap();
        return new ExitStatus.TimedOut(millisSinceStart(deadlineNanos), true);
    }

    /**
     * For a child reported as not reaped: waits at most {@code waitNanos} more for it to end,
     * and reaps it if it did; the result then says it was reaped. Returns the result either way.
     */
    private ChildResult retryReap(long waitNanos) {
        if (new PollSet(pidfd).await(waitNanos / 1_000_000) == 0) {
            return result; // still there: the next await() or close() tries again
        }
        reap();
        unreaped = false;
        releaseDescriptors();
        ExitStatus.TimedOut t = (ExitStatus.TimedOut) result.status();
        result = new ChildResult(pid, new ExitStatus.TimedOut(t.deadlineMillis(), true), result.payload(), result.failure(),
                result.elapsed(), result.lastSeen());
        return result;
    }

    private long millisSinceStart(long deadlineNanos) {
        return (deadlineNanos - startNanos) / 1_000_000;
    }

    /** waitpid for a child that has exited (its pidfd said so), so this does not block for long. */
    private ExitStatus reap() {
        int[] status = new int[1];
        while (true) {
            int r = Syscalls.posix().waitpid(pid, status, 0);
            if (r == pid) {
                return ExitStatus.decode(status[0]);
            }
            int errno = Syscalls.posixErrno();
            if (r < 0 && errno != Syscalls.EINTR) {
                throw new ForkException("waitpid(" + pid + ")", errno,
                        "someone else reaped this child (ECHILD): only the forking code may wait for its children");
            }
        }
    }

    private ChildResult finish(ExitStatus status) {
        byte[] payload = null;
        String failure = null;
        List<FrameChannel.Frame> frames = new ArrayList<>(early);
        FrameChannel.Frame f;
        while ((f = channel.decode()) != null) {
            frames.add(f);
        }
        for (FrameChannel.Frame frame : frames) {
            if (frame.type() == FrameChannel.RESULT) {
                payload = frame.payload();
            } else if (frame.type() == FrameChannel.FAILURE) {
                failure = new String(frame.payload(), StandardCharsets.UTF_8);
            }
        }
        boolean reaped = !(status instanceof ExitStatus.TimedOut t) || t.reaped();
        if (reaped) {
            releaseDescriptors();
        } else {
            releasePipe(); // the pidfd stays: it says when the child can be reaped at last
        }
        result = new ChildResult(pid, status, payload, failure, Duration.ofNanos(System.nanoTime() - startNanos), lastSeen);
        return result;
    }

    private void releaseDescriptors() {
        releasePipe();
        synchronized (PARENT_FDS) {
            PARENT_FDS.remove(Integer.valueOf(pidfd));
        }
        Syscalls.posix().close(pidfd);
    }

    /** Closes the pipe to and from the child, once. */
    private void releasePipe() {
        if (pipeClosed) {
            return;
        }
        pipeClosed = true;
        synchronized (PARENT_FDS) {
            PARENT_FDS.remove(Integer.valueOf(channel.readFd()));
            PARENT_FDS.remove(Integer.valueOf(channel.writeFd()));
        }
        channel.close();
    }

    /** The result, once {@link #await} or {@link #kill} has returned; null before. */
    public ChildResult result() {
        return result;
    }

    /**
     * Kills and reaps the child if it has not been reaped yet; for a child reported as not
     * reaped (it outlived its SIGKILL's grace), waits up to {@link #KILL_GRACE_NANOS} more
     * and reaps it if it has ended.
     */
    @Override
    public void close() {
        if (result == null) {
            kill();
        } else if (unreaped) {
            retryReap(KILL_GRACE_NANOS);
        }
    }

    @Override
    public String toString() {
        return result != null ? result.toString() : Processes.describe(pid);
    }
}
