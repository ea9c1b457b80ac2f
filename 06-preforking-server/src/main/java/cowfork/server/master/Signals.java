// The master's signals as bytes on a pipe (the self-pipe trick), so one poll loop waits for signals and workers alike.
package cowfork.server.master;

import cowfork.fork.ForkException;
import cowfork.fork.Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import sun.misc.Signal;

/**
 * Installs handlers (through {@link sun.misc.Signal}) that write the signal's number to a
 * pipe; the master polls the pipe's read end with its workers' descriptors and handles
 * signals on its own thread, at a moment of its choosing.
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
    private final byte[] buffer = new byte[64];

    private Signals(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /**
     * Creates the pipe and installs a handler for every signal in {@link #HANDLED}.
     *
     * @throws IllegalStateException if the JVM refuses a signal (e.g. it runs with -Xrs)
     */
    public static Signals install() {
        int[] fds = new int[2];
        if (Syscalls.posix().pipe(fds) < 0) {
            throw new ForkException("pipe()", Syscalls.posixErrno(), "the master is out of file descriptors");
        }
        Signals s = new Signals(fds[0], fds[1]);
        for (String name : HANDLED) {
            Signal signal = new Signal(name);
            byte[] number = {(byte) signal.getNumber()};
            try {
                Signal.handle(signal, sig -> {
                    s.handlerThreads.add(Thread.currentThread());
                    Syscalls.posix().write(s.writeFd, number, 1);
                });
            } catch (IllegalArgumentException e) {
                s.close();
                throw new IllegalStateException("the JVM would not let the master handle SIG" + name + " (" + e.getMessage()
                        + "); do not run the server with -Xrs", e);
            }
        }
        return s;
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
     * "TTIN"...). Call only when {@link #fd()} is readable: the read blocks otherwise.
     */
    public List<String> drain() {
        List<String> names = new ArrayList<>();
        long n = Syscalls.posix().read(readFd, buffer, buffer.length);
        for (int i = 0; i < n; i++) {
            names.add(nameOf(buffer[i]));
        }
        return names;
    }

    private static String nameOf(int number) {
        for (String name : HANDLED) {
            if (new Signal(name).getNumber() == number) {
                return name;
            }
        }
        return "signal " + number;
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

    @Override
    public void close() {
        Syscalls.posix().close(readFd);
        Syscalls.posix().close(writeFd);
    }
}
