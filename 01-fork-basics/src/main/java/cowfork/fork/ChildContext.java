// Child side: what a task running in a forked child may use, and the rules it must follow.
package cowfork.fork;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The child's side of a fork: what a {@link ChildTask} may use.
 *
 * <p>The rules of a forked JVM child, and why (the module README has the evidence):
 * <ul>
 *   <li>One thread. The parent's other threads do not exist here; starting a thread or
 *       an executor may need locks they held.</li>
 *   <li>Output through {@link #print} / {@link #send}: plain {@code write(2)}. Never
 *       System.out, whose lock a vanished thread may have held.</li>
 *   <li>A fixed allocation budget ({@link #heapBytesLeft()}): there is no VM thread, so a
 *       GC never completes. Allocating past the eden that was free at fork hangs the child.</li>
 *   <li>No System.exit, Runtime.halt, System.gc or JMX: each needs the VM thread. The child
 *       ends when its task returns, through {@code exit_group} ({@link Syscalls#exitNow}).</li>
 * </ul>
 */
public final class ChildContext {
    /** Exit code when the task threw (BSD's EX_SOFTWARE). */
    public static final int EXIT_TASK_THREW = 70;
    /** Exit code when the parent was already gone when the child started. */
    public static final int EXIT_PARENT_GONE = 75;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final FrameChannel channel;
    private final int pid;
    private final long heapBudget;
    private final long allocatedAtStart;
    private int exitCode;

    ChildContext(FrameChannel channel, int pid, long heapBudget) {
        this.channel = channel;
        this.pid = pid;
        this.heapBudget = heapBudget;
        this.allocatedAtStart = allocatedBytes();
    }

    /**
     * A {@code ChildContext} in this very process, talking over {@code channel}: for running, before
     * the first fork, the exact code a forked child will run (a server's worker loop, say),
     * so that the child never has to load or compile it. Its heap budget is unlimited: this
     * process can still collect garbage.
     */
    public static ChildContext inThisProcess(FrameChannel channel) {
        return new ChildContext(channel, Syscalls.posix().getpid(), Long.MAX_VALUE / 2);
    }

    /** This child's process id. */
    public int pid() {
        return pid;
    }

    /** Sends a message the parent reads with {@link ChildHandle#receive}. */
    public void send(byte[] message) {
        channel.send(FrameChannel.MESSAGE, message);
    }

    /** Sends a UTF-8 text message. */
    public void send(String message) {
        send(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Waits for the parent's next {@link ChildHandle#send}, at most {@code timeout};
     * returns null if none came in time.
     *
     * @throws FrameChannel.ClosedException if the parent closed its side (it is done with us).
     */
    public byte[] receive(Duration timeout) {
        FrameChannel.Frame f = channel.receive(System.nanoTime() + timeout.toNanos());
        return f == null ? null : f.payload();
    }

    /** Waits as long as it takes for the parent's next message. */
    public byte[] receive() {
        return channel.receive(Long.MAX_VALUE).payload();
    }

    /**
     * The descriptor on which the parent's messages (and its closing) arrive, for a child
     * that waits on several things at once with a {@link PollSet}.
     */
    public int controlFd() {
        return channel.readFd();
    }

    /**
     * The descriptor this child's messages to the parent are written to, for a child that
     * must never block on it (a server worker polls it for room before a heartbeat).
     */
    public int messageFd() {
        return channel.writeFd();
    }

    /**
     * The channel to the parent itself, for a child that must not allocate per message: it
     * bounds the frames it accepts and reads them in place ({@link FrameChannel#limitPayload},
     * {@link FrameChannel#nextInPlace}).
     */
    public FrameChannel channel() {
        return channel;
    }

    /** Chooses the exit code the child ends with after its task returns (0 to 255). */
    public void exitCode(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("exit code " + code + " is outside 0..255: the kernel keeps only the low 8 bits");
        }
        this.exitCode = code;
    }

    int exitCode() {
        return exitCode;
    }

    /** Writes text to standard output with {@code write(2)}: safe in a child, unlike System.out. */
    public void print(String text) {
        writeFd(1, text);
    }

    /** Writes text to standard error with {@code write(2)}. */
    public void printErr(String text) {
        writeFd(2, text);
    }

    static void writeFd(int fd, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int off = 0;
        while (off < b.length) {
            long n = Syscalls.posix().write(fd, off == 0 ? b : java.util.Arrays.copyOfRange(b, off, b.length),
                    (long) (b.length - off));
            if (n <= 0) {
                return; // nowhere to report a failing stdout from a child; give up quietly
            }
            off += (int) n;
        }
    }

    /** Bytes this child has allocated on the Java heap since it started. */
    public long heapBytesAllocated() {
        return allocatedBytes() - allocatedAtStart;
    }

    /**
     * Bytes the child may still allocate before it would need a garbage collection that
     * can never happen in a forked JVM. Long-lived children (server workers) retire
     * before this reaches zero.
     */
    public long heapBytesLeft() {
        return heapBudget - heapBytesAllocated();
    }

    static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
