// The master's signals as bytes on a pipe (the self-pipe trick), so one poll loop waits for signals and workers alike.
package cowfork.server.master;

import cowfork.fork.ForkException;
import cowfork.fork.Syscalls;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Installs handlers (through {@link sun.misc.Signal}) that queue the signal and write a
 * byte to a pipe; the master polls the pipe's read end with its workers' descriptors and
 * handles signals on its own thread, at a moment of its choosing. Neither side ever waits
 * on the pipe: both ends are non-blocking.
 *
 * <p>Two things HotSpot decides for us: SIGQUIT is the JVM's thread-dump signal
 * ({@code sun.misc.Signal} refuses it, and {@code -Xrs}, which frees it, also takes TERM
 * and INT away), and SIGUSR2 is reserved. And one thing fork decides: a handler runs on a
 * short-lived thread the JVM starts per signal, and no other thread may be running when the
 * master forks, so the master calls {@link #quiesce()} first. A forked worker has no
 * signal dispatcher at all: the master instructs it through its control pipe instead.
 */
public final class Signals implements AutoCloseable {
    /** The signals the master handles, by name as {@code kill -s} takes them. */
    public static final List<String> HANDLED = List.of("TERM", "INT", "HUP", "TTIN", "TTOU", "USR1");

    private final int readFd;
    private final int writeFd;
    private final ConcurrentLinkedQueue<Thread> handlerThreads = new ConcurrentLinkedQueue<>();
    /** The signals that arrived and were not drained yet, in order. */
    private final ConcurrentLinkedQueue<String> arrived = new ConcurrentLinkedQueue<>();
    /** The handlers ours replaced, restored by {@link #close()}. */
    private final Map<String, SignalHandler> previous = new LinkedHashMap<>();
    /** Handlers running now; {@link #close()} waits for them before it closes the pipe. */
    private final AtomicInteger inHandler = new AtomicInteger();
    private volatile boolean closed;
    private final byte[] buffer = new byte[64];
    private static final byte[] WAKE = {1};

    private Signals(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /**
     * Creates the pipe (both ends non-blocking) and installs a handler for every signal in
     * {@link #HANDLED}.
     *
     * @throws IllegalStateException if the JVM refuses a signal (e.g. it runs with -Xrs)
     */
    public static Signals install() {
        int[] fds = new int[2];
        if (Syscalls.posix().pipe(fds) < 0) {
            throw new ForkException("pipe()", Syscalls.posixErrno(), "the master is out of file descriptors");
        }
        Signals s = new Signals(fds[0], fds[1]);
        try {
            // A handler must never wait (a burst of signals can fill the pipe), and drain() never either.
            Syscalls.nonBlocking(fds[0]);
            Syscalls.nonBlocking(fds[1]);
        } catch (ForkException e) {
            s.close();
            throw e;
        }
        for (String name : HANDLED) {
            try {
                s.previous.put(name, Signal.handle(new Signal(name), sig -> s.handle(name)));
            } catch (IllegalArgumentException e) {
                s.close();
                throw new IllegalStateException("the JVM would not let the master handle SIG" + name + " (" + e.getMessage()
                        + "); do not run the server with -Xrs", e);
            }
        }
        return s;
    }

    /**
     * On the JVM's handler thread: queue the signal, and write a byte so that the master's
     * poll wakes. The byte only wakes: if the pipe is full (EAGAIN), bytes already wait in it,
     * and the signal is in the queue all the same. Once closed, nothing is written: the
     * descriptor number may belong to something else by then.
     */
    private void handle(String name) {
        handlerThreads.add(Thread.currentThread());
        inHandler.incrementAndGet();
        try {
            if (closed) {
                return;
            }
            arrived.add(name);
            long n;
            do {
                n = Syscalls.posix().write(writeFd, WAKE, 1);
            } while (n < 0 && Syscalls.posixErrno() == Syscalls.EINTR);
        } finally {
            inHandler.decrementAndGet();
        }
    }

    /**
     * The handled signals this process ignores and so will never see: a process started with a
     * signal ignored (SIGINT for a background job of a non-interactive shell, or under
     * {@code nohup} for SIGHUP) keeps it ignored, and HotSpot then installs no handler for it.
     */
    public List<String> ignored() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, SignalHandler> e : previous.entrySet()) {
            if (e.getValue() == SignalHandler.SIG_IGN) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** The descriptor to poll: readable when a signal has arrived. */
    public int fd() {
        return readFd;
    }

    /** The descriptors a forked worker should close: it never handles the master's signals. */
    public int[] descriptors() {
        return new int[] {readFd, writeFd};
    }

    /**
     * The names of the signals that have arrived since the last call, in order ("TERM",
     * "TTIN"...); empty if none has. Never waits.
     */
    public List<String> drain() {
        while (Syscalls.posix().read(readFd, buffer, buffer.length) > 0) {
            // the bytes only woke the poll: empty the pipe, so that it does not wake it again
        }
        List<String> names = new ArrayList<>();
        String name;
        while ((name = arrived.poll()) != null) {
            names.add(name);
        }
        return names;
    }

    /**
     * Waits until every handler thread that has run so far has ended, so that the master
     * forks with no thread of its own running.
     */
    public void quiesce() {
        Thread t;
        while ((t = handlerThreads.poll()) != null) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Puts back the handlers ours replaced, waits for any of ours still running, and only
     * then closes the pipe: no handler writes to its descriptor numbers after they are
     * closed (they may be reused by the next open). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (Map.Entry<String, SignalHandler> e : previous.entrySet()) {
            Signal.handle(new Signal(e.getKey()), e.getValue());
        }
        closed = true;
        while (inHandler.get() > 0) {
            Thread.onSpinWait(); // a handler between its check and its write: a few instructions
        }
        Syscalls.posix().close(readFd);
        Syscalls.posix().close(writeFd);
    }
}
