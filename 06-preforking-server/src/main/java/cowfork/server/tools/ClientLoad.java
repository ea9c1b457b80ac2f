// Client threads, each GETting in a loop on a kept-alive connection of its own: load that outlives a killed worker.
package cowfork.server.tools;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Load for a test or a benchmark that kills workers under it: {@code clients} threads, each
 * on a kept-alive connection of its own to {@code 127.0.0.1:port}, sending {@code GET} in a
 * loop. A connection that breaks (its worker was killed) is counted and opened again, so the
 * load goes on through every respawn. Each 200 answer is handed to the caller, who reads
 * what it wants from it (a header, a field of the body).
 *
 * <p>The threads are daemons; {@link #close} stops them and waits for each (a request in
 * flight ends within the sockets' 10 s read timeout).
 */
public final class ClientLoad implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 10_000;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong broken = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Starts the clients.
     *
     * @param name     the threads' names start with it
     * @param path     the path of a client's {@code k}-th request (k = 0, 1, 2, ...)
     * @param onAnswer sees every 200 answer, on the client's thread
     */
    public ClientLoad(String name, int port, int clients, LongFunction<String> path, Consumer<RawHttp.Response> onAnswer) {
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                long k = 0;
                while (running.get()) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(READ_TIMEOUT_MS);
                        while (running.get()) {
                            RawHttp.Response r = RawHttp.get(s, path.apply(k++));
                            if (r.status() == 200) {
                                onAnswer.accept(r);
                                answered.incrementAndGet();
                            } else {
                                refused.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        broken.incrementAndGet(); // its worker was killed: connect again
                    }
                }
            }, name + "-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** Answers with status 200 so far. */
    public long answered() {
        return answered.get();
    }

    /** Answers with any other status so far. */
    public long refused() {
        return refused.get();
    }

    /** Connections that broke (a read or write failed, or the server closed it) so far. */
    public long broken() {
        return broken.get();
    }

    /**
     * Waits until {@code n} 200 answers have come.
     *
     * @throws IllegalStateException if they have not within {@code within}, saying how many did
     */
    public void awaitAnswered(long n, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (answered.get() < n) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + answered.get() + " of " + n + " answers (status 200) within "
                        + within.toSeconds() + " s; " + refused.get() + " refused, " + broken.get() + " connections broke");
            }
            LockSupport.parkNanos(1_000_000); // polling a counter, bounded by the deadline
        }
    }

    /**
     * Stops the clients and waits for each.
     *
     * @throws IllegalStateException if this thread is interrupted while it waits (its
     *         interrupt flag is set again)
     */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(2L * READ_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the client load", e);
            }
        }
    }
}
