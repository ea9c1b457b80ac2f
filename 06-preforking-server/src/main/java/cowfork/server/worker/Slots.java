// A worker's connection slots: a fixed pool, accepting into it, and who gives up a slot when all are taken.
package cowfork.server.worker;

import cowfork.fork.Syscalls;
import cowfork.server.app.Endpoints;
import cowfork.server.http.Bytes;
import cowfork.server.http.RequestBody;

/**
 * The {@link Connection}s of one worker, allocated once, and the listening socket they are
 * accepted from. A worker holds at most {@code --worker-connections} at once; what happens
 * at that limit decides whether a few slow or idle clients can lock everyone else out.
 *
 * <pre>
 *   a free slot                      accept4, serve at once (the request usually came with the connection)
 *   all taken, one idle kept-alive   close the longest-idle one (or one lingering after its last answer), accept
 *                                    (nginx does the same)
 *   all taken, a head trickling in   once it has held its slot 0.5 s: answer it 408, close, accept
 *   all taken, a client silent       once it has held its slot 0.1 s without sending a byte:
 *     since it connected             close it, accept
 *   all taken by real work           leave the newcomer in the kernel's accept queue
 *   EMFILE / ENFILE                  stop polling the listener for 100 ms, or until a connection
 *                                    closes: retrying at once would only spin
 * </pre>
 */
final class Slots {
    /** How long accepting pauses when the process (or system) is out of descriptors. */
    static final long ACCEPT_PAUSE_NANOS = 100_000_000L;
    private static final int[] ONE = {1};
    private static final int EPROTO = 71;
    private static final int ECONNABORTED = 103;
    private static final byte[] SHED = Bytes.ascii("every connection slot is taken and this request was the slowest\n");

    private final SocketLib net;
    private final int listenFd;
    private final long keepAliveNanos;
    private final ResponseWriter writer;
    private final MasterLink master;
    private final int pid;
    private final Connection[] pool;
    /** Indices into {@link #pool} of the open connections, in no particular order. */
    private final int[] active;
    private int count;
    /** Accepting is paused until then (out of descriptors); a closed connection ends the pause. */
    private long pausedUntil;
    private boolean paused;
    private long lastPauseLog;
    /** Connections that gave their slot to a newcomer; pauses for lack of descriptors. */
    long shed;
    long acceptPauses;

    Slots(WorkerConfig config, SocketLib net, int listenFd, ResponseWriter writer, MasterLink master, int pid) {
        this.net = net;
        this.listenFd = listenFd;
        this.keepAliveNanos = config.keepAliveNanos();
        this.writer = writer;
        this.master = master;
        this.pid = pid;
        this.pool = new Connection[config.maxConnections()];
        for (int i = 0; i < pool.length; i++) {
            RequestBody body = new RequestBody(config.limits().maxBodyBytes(), config.limits().maxHeadBytes());
            pool[i] = new Connection(i, config.inBufferBytes(), config.outBufferBytes(), body);
        }
        this.active = new int[pool.length];
    }

    /** How many connections are open. */
    int count() {
        return count;
    }

    /** The most connections open at once. */
    int capacity() {
        return pool.length;
    }

    /** The {@code i}-th open connection ({@code 0 <= i < count()}); closing one reorders them. */
    Connection get(int i) {
        return pool[active[i]];
    }

    /** The connection in pool slot {@code index}. */
    Connection slot(int index) {
        return pool[index];
    }

    /** Whether the listener is worth polling now: not paused, and a slot free or freeable. */
    boolean accepting(long now) {
        if (paused && now - pausedUntil < 0) {
            return false;
        }
        paused = false;
        return count < pool.length || victim(now) != null;
    }

    /**
     * The earliest of {@code next} and the future moments when the accepting state may
     * change: the end of a pause, or (all slots taken) a waiting connection passing its
     * {@link #grace}. Moments already past are left out: the listener is polled already, and
     * counting them would make the worker's poll return at once, again and again.
     */
    long nextChange(long next, long now) {
        if (paused && pausedUntil - now > 0 && pausedUntil - next < 0) {
            next = pausedUntil;
        }
        if (count == pool.length) {
            for (int i = 0; i < count; i++) {
                Connection c = get(i);
                long t = c.since + grace(c);
                if (waiting(c) && t - now > 0 && t - next < 0) {
                    next = t;
                }
            }
        }
        return next;
    }

    /**
     * Accepts one queued connection into a slot, making room with {@link #victim} if all are
     * taken.
     *
     * @return the new connection, IDLE; or null: nothing queued (EAGAIN: another worker may
     *         have won the race), no slot can be freed, or out of descriptors (accepting pauses)
     */
    Connection acceptOne(long now) {
        while (count < pool.length || victim(now) != null) {
            int fd = net.accept4(listenFd, 0, 0, SocketLib.SOCK_NONBLOCK);
            if (fd < 0) {
                int errno = Sockets.errno();
                if (errno == Syscalls.EAGAIN) {
                    return null; // nothing queued
                }
                if (errno == Syscalls.EINTR || errno == ECONNABORTED || errno == EPROTO) {
                    continue; // a signal, or a client that gave up in the queue: the next one may be there
                }
                // EMFILE, ENFILE, ENOBUFS, ENOMEM (and anything unexpected): retrying at once would spin.
                pause(errno, now);
                return null;
            }
            if (count == pool.length) {
                shed(victim(now)); // accepted first, so no slot is given up for a connection another worker took
            }
            net.setsockopt(fd, SocketLib.IPPROTO_TCP, SocketLib.TCP_NODELAY, ONE, 4);
            Connection c = free();
            c.open(fd, now, keepAliveNanos);
            active[count++] = c.index;
            return c;
        }
        return null;
    }

    private void pause(int errno, long now) {
        paused = true;
        pausedUntil = now + ACCEPT_PAUSE_NANOS;
        acceptPauses++;
        if (lastPauseLog == 0 || now - lastPauseLog > 10_000_000_000L) { // at most one line every 10 s
            lastPauseLog = now;
            master.log("worker " + pid + ": accept4: " + cowfork.fork.Syscalls.describeErrno(errno) + " with " + count
                    + " connections open; not accepting for " + ACCEPT_PAUSE_NANOS / 1_000_000 + " ms or until one closes");
        }
    }

    /**
     * The connection to close for a newcomer when every slot is taken: the longest-idle
     * kept-alive connection (it has had its answers), else the connection that has held its
     * slot longest without completing a request, once past its {@link #grace} (a head
     * trickling in: {@link WorkerConfig#SHED_INCOMPLETE_AFTER_NANOS}; a connection that never
     * sent a byte: {@link WorkerConfig#SHED_SILENT_AFTER_NANOS}); null if none qualifies. The grace period keeps a burst of real
     * clients from pushing each other out before their requests have even arrived.
     */
    Connection victim(long now) {
        Connection best = null;
        boolean bestKeptAlive = false;
        for (int i = 0; i < count; i++) {
            Connection c = get(i);
            // A lingering connection has had its last answer: it goes first, with the idle kept-alive ones.
            boolean keptAlive = (c.state == Connection.IDLE && c.inStart == c.inEnd && c.requests > 0)
                    || c.state == Connection.LINGERING;
            if (!keptAlive && !(waiting(c) && now - c.since >= grace(c))) {
                continue;
            }
            if (best == null || (keptAlive && !bestKeptAlive) || (keptAlive == bestKeptAlive && c.since - best.since < 0)) {
                best = c;
                bestKeptAlive = keptAlive;
            }
        }
        return best;
    }

    /** How long a {@link #waiting} connection keeps its slot even when a newcomer needs one. */
    private static long grace(Connection c) {
        return c.state == Connection.READING ? WorkerConfig.SHED_INCOMPLETE_AFTER_NANOS : WorkerConfig.SHED_SILENT_AFTER_NANOS;
    }

    /** A connection holding its slot with no complete request: a head arriving, or nothing sent yet. */
    private static boolean waiting(Connection c) {
        return c.state == Connection.READING || (c.state == Connection.IDLE && c.requests == 0);
    }

    private void shed(Connection c) {
        shed++;
        if (c.state == Connection.READING) {
            c.headOnly = false;
            writer.frame(c, 408, Endpoints.TEXT, SHED, 0, SHED.length, true);
            writer.send(c); // one try: the slot is needed now
        }
        close(c);
    }

    private Connection free() {
        for (Connection c : pool) {
            if (!c.isOpen()) {
                return c;
            }
        }
        throw new IllegalStateException("no free connection although fewer than the pool are open");
    }

    /** Closes {@code c} (if open) and frees its slot; a freed descriptor ends an accept pause. */
    void close(Connection c) {
        if (!c.isOpen()) {
            return;
        }
        net.close(c.fd);
        c.fd = -1;
        c.extra = null;
        for (int i = 0; i < count; i++) {
            if (active[i] == c.index) {
                active[i] = active[--count];
                break;
            }
        }
        paused = false;
    }

    void closeAll() {
        for (int i = count - 1; i >= 0; i--) {
            close(get(i));
        }
    }

    /** Closes the idle connections with nothing pending, and the lingering ones (when the worker stops). */
    void closeIdle() {
        for (int i = count - 1; i >= 0; i--) {
            if (i < count) {
                Connection c = get(i);
                if ((c.state == Connection.IDLE && c.inStart == c.inEnd) || c.state == Connection.LINGERING) {
                    close(c);
                }
            }
        }
    }
}
