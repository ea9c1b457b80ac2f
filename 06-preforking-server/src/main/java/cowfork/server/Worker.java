// A worker: one thread, one poll loop over the shared listening socket, the master's pipe and its client connections.
package cowfork.server;

import cowfork.fork.Child;
import cowfork.fork.FrameChannel;
import cowfork.fork.LibC;
import cowfork.fork.Syscalls;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The whole life of a forked worker, as a single-threaded event loop.
 *
 * <pre>
 *   poll(2) over:  [0] the master's control pipe   'G' stop gracefully, 'S' stats answer, EOF master gone
 *                  [1] the listening socket          accept4 until EAGAIN (another worker may win the race)
 *                  [2..] client connections          read, parse, answer, keep alive
 *   every pass:    expire slow clients and idle connections; heartbeat to the master
 * </pre>
 *
 * <p>A forked JVM child can never collect garbage, so the request path allocates nothing:
 * connections and their buffers come from a pool made when the worker starts, requests are
 * parsed in place ({@link HttpParser}), answers are written into byte arrays, and the
 * socket calls take those arrays ({@link SocketLib}). The worker measures what it does
 * allocate and retires, telling the master first, before its budget runs out (or after
 * its share of {@code --max-requests}).
 *
 * <p>The master runs this same class before it forks ({@link WarmUp}), so that every
 * path here is loaded and compiled when the children inherit it.
 */
public final class Worker {
    private static final int POLLIN = LibC.POLLIN;
    private static final int POLLOUT = 0x004;
    private static final int POLL_ERRORS = LibC.POLLHUP | LibC.POLLERR | LibC.POLLNVAL;
    private static final int[] ONE = {1};
    /** Room left in a connection's output buffer for the status line and headers. */
    static final int HEADER_ROOM = 512;
    private static final long FRESH_COUNTS_NANOS = 100_000_000L;

    private static final byte[] HTTP11 = Bytes.ascii("HTTP/1.1 ");
    private static final byte[] CONTENT_TYPE = Bytes.ascii("\r\nContent-Type: ");
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("\r\nContent-Length: ");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("\r\nConnection: keep-alive\r\n");
    private static final byte[] CLOSE = Bytes.ascii("\r\nConnection: close\r\n");
    private static final byte[] ALLOW = Bytes.ascii("Allow: GET, HEAD\r\n");
    private static final byte[] CRLF = Bytes.ascii("\r\n");
    private static final byte[] REQUEST_TIMEOUT = Bytes.ascii("the request did not arrive in time\n");
    private static final byte[] MASTER_TIMEOUT = Bytes.ascii("the master did not answer in time\n");

    private final WorkerConfig config;
    private final Child child;
    private final int listenFd;
    private final SocketLib net = Sockets.lib();
    private final HttpParser parser;
    private final RequestHead head = new RequestHead();
    private final Endpoints endpoints;
    private final Connection[] pool;
    /** Indices into {@link #pool} of the open connections, in no particular order. */
    private final int[] active;
    private int activeCount;
    /** The poll(2) array: descriptor, then events | revents << 16, per slot. */
    private final int[] pollFds;
    /** Which connection each poll slot from 2 on stood for in the last poll. */
    private final int[] polled;
    private final byte[] workerHeader;
    private final byte[] heartbeat = new byte[1 + Protocol.COUNTERS];
    private final byte[] retiring = new byte[1 + Protocol.COUNTERS + 1];
    private final byte[] statsRequest = new byte[1 + Protocol.COUNTERS + 5];

    private long requests;
    private long lastHeartbeat;
    private long reportedRequests;
    private boolean stopping;
    private boolean masterGone;
    private int nextToken = 1;

    /**
     * A worker serving {@code listenFd} with {@code store}, talking to its master through
     * {@code child}. Allocates its whole connection pool now.
     *
     * <p>It takes 01's {@link Child} itself, not an interface over it, on purpose: the warm-up
     * must run the very classes a worker runs. A second implementation of an interface,
     * loaded in the child, makes HotSpot deoptimize the code compiled for the first one
     * (class hierarchy analysis), and deoptimization needs the VM thread that a forked
     * child does not have: the worker hangs in its first request. {@link WarmUp} builds a
     * {@code Child} over pipes for the master's own use.
     */
    public Worker(WorkerConfig config, Child child, Store store, int listenFd) {
        this.config = config;
        this.child = child;
        this.listenFd = listenFd;
        this.parser = new HttpParser(config.limits());
        int pid = Syscalls.posix().getpid();
        this.endpoints = new Endpoints(store, pid, config.outBufferBytes() - HEADER_ROOM);
        this.pool = new Connection[config.maxConnections()];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new Connection(i, config.inBufferBytes(), config.outBufferBytes());
        }
        this.active = new int[pool.length];
        this.pollFds = new int[(2 + pool.length) * 2];
        this.polled = new int[pool.length];
        StringBuilder h = new StringBuilder("X-Worker: ").append(pid).append("\r\n");
        this.workerHeader = Bytes.ascii(h.toString());
    }

    /** Serves until told to stop and every connection is done, or until the master is gone. */
    public void run() {
        lastHeartbeat = System.nanoTime();
        sendCounters(heartbeat, Protocol.HEARTBEAT); // "booted"
        while (step(-1)) {
            // each step polls, serves what is ready, expires what is late
        }
    }

    /**
     * One pass of the loop: waits at most {@code maxWaitMillis} (negative: until the next
     * deadline) for something to do, and does it.
     *
     * @return false once the worker is finished (stopped and drained, or orphaned)
     */
    public boolean step(long maxWaitMillis) {
        long now = System.nanoTime();
        long wait = millisUntilNextDeadline(now);
        if (maxWaitMillis >= 0 && maxWaitMillis < wait) {
            wait = maxWaitMillis;
        }
        int slots = preparePoll();
        int n = Syscalls.libc().poll(pollFds, slots, (int) wait);
        now = System.nanoTime();
        if (n > 0) {
            if (revents(0) != 0) {
                readControl(now);
            }
            for (int s = 2; s < slots; s++) {
                int re = revents(s);
                if (re != 0) {
                    serve(pool[polled[s - 2]], re, now);
                }
            }
            if (!stopping && pollFds[2] >= 0 && revents(1) != 0) {
                acceptAll(now);
            }
        }
        expire(now);
        if (stopping) {
            closeIdle();
        }
        if (!masterGone && heartbeatDue(now)) {
            sendCounters(heartbeat, Protocol.HEARTBEAT);
            lastHeartbeat = now;
            reportedRequests = requests;
        }
        if (masterGone) {
            closeAll();
            return false;
        }
        return !(stopping && activeCount == 0);
    }

    /**
     * A heartbeat is due every interval, and sooner (at most every 100 ms) when requests
     * were served since the last one, so the master's counts are fresh when it reports.
     */
    private boolean heartbeatDue(long now) {
        long since = now - lastHeartbeat;
        return since >= config.heartbeatNanos() || (requests != reportedRequests && since >= FRESH_COUNTS_NANOS);
    }

    /** Open client connections. */
    public int connections() {
        return activeCount;
    }

    // ---- the poll set ----

    private int preparePoll() {
        pollFds[0] = child.controlFd();
        pollFds[1] = POLLIN;
        boolean accepting = !stopping && activeCount < pool.length;
        pollFds[2] = accepting ? listenFd : -1;
        pollFds[3] = POLLIN;
        int slot = 2;
        for (int i = 0; i < activeCount; i++) {
            Connection c = pool[active[i]];
            int events = switch (c.state) {
                case Connection.WRITING -> POLLOUT;
                case Connection.AWAITING_MASTER -> 0; // only hang-ups are reported
                default -> POLLIN;
            };
            pollFds[2 * slot] = c.fd;
            pollFds[2 * slot + 1] = events;
            polled[slot - 2] = c.index;
            slot++;
        }
        return slot;
    }

    private int revents(int slot) {
        return pollFds[2 * slot + 1] >>> 16;
    }

    private long millisUntilNextDeadline(long now) {
        long next = lastHeartbeat + (requests != reportedRequests ? Math.min(FRESH_COUNTS_NANOS, config.heartbeatNanos())
                : config.heartbeatNanos());
        for (int i = 0; i < activeCount; i++) {
            long d = pool[active[i]].deadline;
            if (d - next < 0) {
                next = d;
            }
        }
        long left = next - now;
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }

    // ---- the master ----

    private void readControl(long now) {
        while (true) {
            byte[] msg;
            try {
                msg = child.receive(Duration.ZERO);
            } catch (FrameChannel.ClosedException e) {
                masterGone = true; // the kernel's PDEATHSIG may beat us to it: either way we go
                return;
            }
            if (msg == null) {
                return;
            }
            if (msg.length > 0 && msg[0] == Protocol.STOP) {
                beginStop();
            } else if (msg.length >= 6 && msg[0] == Protocol.STATS) {
                answerStats(Protocol.getInt(msg, 1), msg, now);
            }
        }
    }

    /**
     * Stops accepting. Connections with a request in progress finish it (their answer says
     * {@code Connection: close}); idle ones are closed by {@link #closeIdle} at the end of the
     * pass, after anything that arrived on them in this pass has been served.
     */
    private void beginStop() {
        stopping = true;
    }

    private void closeIdle() {
        for (int i = activeCount - 1; i >= 0; i--) {
            if (i < activeCount) {
                Connection c = pool[active[i]];
                if (c.state == Connection.IDLE && c.inStart == c.inEnd) {
                    close(c);
                }
            }
        }
    }

    private void sendCounters(byte[] msg, byte type) {
        Protocol.encodeCounters(msg, type, requests, child.heapBytesAllocated(), child.heapBytesLeft(), activeCount);
        sendToMaster(msg);
    }

    private void sendToMaster(byte[] msg) {
        try {
            child.send(msg);
        } catch (RuntimeException e) {
            masterGone = true; // EPIPE: the master died before we saw its pipe close
        }
    }

    private void retireIfDue() {
        if (stopping) {
            return;
        }
        byte reason = 0;
        if (requests >= config.retireAfterRequests()) {
            reason = Protocol.RETIRE_MAX_REQUESTS;
        } else if (child.heapBytesLeft() < config.heapReserveBytes()) {
            reason = Protocol.RETIRE_HEAP_BUDGET;
        }
        if (reason != 0) {
            retiring[1 + Protocol.COUNTERS] = reason;
            sendCounters(retiring, Protocol.RETIRING);
            beginStop();
        }
    }

    private void askMasterForStats(Connection c, long now) {
        c.token = nextToken++;
        c.state = Connection.AWAITING_MASTER;
        c.deadline = now + config.clientTimeoutNanos();
        Protocol.encodeCounters(statsRequest, Protocol.STATS, requests, child.heapBytesAllocated(),
                child.heapBytesLeft(), activeCount);
        Protocol.putInt(statsRequest, 1 + Protocol.COUNTERS, c.token);
        statsRequest[1 + Protocol.COUNTERS + 4] = endpoints.statsFormat();
        sendToMaster(statsRequest);
    }

    private void answerStats(int token, byte[] msg, long now) {
        for (int i = 0; i < activeCount; i++) {
            Connection c = pool[active[i]];
            if (c.state == Connection.AWAITING_MASTER && c.token == token) {
                c.state = Connection.READING;
                byte[] type = msg[5] == Protocol.FORMAT_TEXT ? Endpoints.TEXT : Endpoints.JSON;
                respondWith(c, 200, type, msg, 6, msg.length - 6, !c.keepAlive || stopping);
                if (finishResponse(c, now)) {
                    process(c, now);
                }
                return;
            }
        }
        // the client went away meanwhile: nothing to do
    }

    // ---- connections ----

    private void acceptAll(long now) {
        while (activeCount < pool.length) {
            int fd = net.accept4(listenFd, 0, 0, SocketLib.SOCK_NONBLOCK);
            if (fd < 0) {
                return; // EAGAIN: another worker took it, or the queue is empty; other errors: try next pass
            }
            net.setsockopt(fd, SocketLib.IPPROTO_TCP, SocketLib.TCP_NODELAY, ONE, 4);
            Connection c = freeConnection();
            c.open(fd, now, config.keepAliveNanos());
            active[activeCount++] = c.index;
        }
    }

    private Connection freeConnection() {
        for (Connection c : pool) {
            if (!c.isOpen()) {
                return c;
            }
        }
        throw new IllegalStateException("no free connection although fewer than the pool are open");
    }

    private void close(Connection c) {
        if (!c.isOpen()) {
            return;
        }
        net.close(c.fd);
        c.fd = -1;
        c.extra = null;
        for (int i = 0; i < activeCount; i++) {
            if (active[i] == c.index) {
                active[i] = active[--activeCount];
                break;
            }
        }
    }

    private void closeAll() {
        for (int i = activeCount - 1; i >= 0; i--) {
            close(pool[active[i]]);
        }
    }

    private void serve(Connection c, int revents, long now) {
        if (!c.isOpen()) {
            return;
        }
        if (c.state == Connection.WRITING) {
            if ((revents & POLL_ERRORS) != 0) {
                close(c);
            } else if (finishResponse(c, now)) {
                process(c, now);
            }
            return;
        }
        if (c.state == Connection.AWAITING_MASTER) {
            if ((revents & POLL_ERRORS) != 0) {
                close(c);
            }
            return;
        }
        c.compact();
        int space = c.in.length - c.inEnd;
        if (space == 0) {
            process(c, now); // a full buffer holds a complete head or a limit error
            return;
        }
        ByteBuffer b = c.inBuffer;
        b.limit(c.inEnd + space);
        b.position(c.inEnd);
        long n = net.recv(c.fd, b, space, 0);
        if (n == 0) {
            close(c); // the client closed; a half-sent request is dropped
            return;
        }
        if (n < 0) {
            int errno = Sockets.errno();
            if (errno != SocketLib.EAGAIN && errno != SocketLib.EINTR) {
                close(c); // ECONNRESET and friends
            }
            return;
        }
        c.inEnd += (int) n;
        process(c, now);
    }

    /** Answers every complete request in the input buffer, in order, while the socket takes the answers. */
    private void process(Connection c, long now) {
        while (c.isOpen()) {
            if (c.discard > 0) {
                int take = (int) Math.min(c.discard, c.inEnd - c.inStart);
                c.inStart += take;
                c.discard -= take;
                if (c.discard > 0) {
                    enterReading(c, now);
                    return;
                }
            }
            if (c.inStart == c.inEnd) {
                c.inStart = c.inEnd = 0;
                if (stopping) {
                    close(c);
                } else if (c.state != Connection.IDLE) {
                    c.state = Connection.IDLE;
                    c.deadline = now + config.keepAliveNanos();
                }
                return;
            }
            enterReading(c, now);
            int status = parser.parse(c.in, c.inStart, c.inEnd, head);
            if (status == HttpParser.INCOMPLETE) {
                return;
            }
            if (status != HttpParser.COMPLETE) {
                c.inStart = c.inEnd;
                c.headOnly = false;
                respondError(c, status, parser.errorReason(), now);
                return;
            }
            c.inStart = head.headEnd;
            c.discard = Math.max(0, head.contentLength);
            requests++;
            c.requests++;
            c.headOnly = head.method == RequestHead.HEAD;
            c.keepAlive = head.keepAlive;
            if (endpoints.route(c.in, head, requests) == Endpoints.ASK_MASTER) {
                askMasterForStats(c, now);
                return;
            }
            respondWith(c, endpoints.status(), endpoints.contentType(), endpoints.body(), 0, endpoints.bodyLength(),
                    !c.keepAlive || stopping);
            if (!finishResponse(c, now)) {
                return;
            }
        }
    }

    private void enterReading(Connection c, long now) {
        if (c.state == Connection.IDLE) {
            c.state = Connection.READING;
            c.deadline = now + config.clientTimeoutNanos();
        }
    }

    /**
     * Sends what {@link #respondWith} framed and moves the connection on: closed, waiting
     * to write, idle, or reading the next pipelined request. Returns true only in the last
     * case, when the caller should go on parsing.
     */
    private boolean finishResponse(Connection c, long now) {
        if (!flush(c)) {
            if (c.isOpen()) {
                c.state = Connection.WRITING;
                c.deadline = now + config.clientTimeoutNanos();
            }
            return false;
        }
        if (c.closeAfterWrite) {
            close(c);
            return false;
        }
        retireIfDue();
        if (c.inStart == c.inEnd && c.discard == 0) {
            c.inStart = c.inEnd = 0;
            if (stopping) {
                close(c);
            } else {
                c.state = Connection.IDLE;
                c.deadline = now + config.keepAliveNanos();
            }
            return false;
        }
        c.state = Connection.READING;
        c.deadline = now + config.clientTimeoutNanos();
        return true;
    }

    private void respondError(Connection c, int status, byte[] reason, long now) {
        respondWith(c, status, Endpoints.TEXT, reason, 0, reason.length, true);
        finishResponse(c, now);
    }

    /**
     * Frames a response into {@code c.out}: status line, headers, and the body when it fits
     * (else the body is sent from {@code body} itself, see {@link Connection#extra}).
     */
    private void respondWith(Connection c, int status, byte[] contentType, byte[] body, int from, int length,
                             boolean close) {
        byte[] o = c.out;
        int lim = o.length;
        int p = Bytes.put(o, 0, lim, HTTP11);
        p = Bytes.put(o, p, lim, statusLine(status));
        p = Bytes.put(o, p, lim, CONTENT_TYPE);
        p = Bytes.put(o, p, lim, contentType);
        p = Bytes.put(o, p, lim, CONTENT_LENGTH);
        p = Bytes.putDecimal(o, p, lim, length);
        p = Bytes.put(o, p, lim, close ? CLOSE : KEEP_ALIVE);
        if (status == 405) {
            p = Bytes.put(o, p, lim, ALLOW);
        }
        p = Bytes.put(o, p, lim, workerHeader);
        p = Bytes.put(o, p, lim, CRLF);
        c.closeAfterWrite = close;
        c.outStart = 0;
        c.extra = null;
        if ((c.headOnly && status < 400) || length == 0) {
            c.outEnd = p;
        } else if (p + length <= lim) {
            System.arraycopy(body, from, o, p, length);
            c.outEnd = p + length;
        } else {
            // Only a body in an array of its own gets here (the master's stats answer): the
            // endpoints' buffer is smaller than the output buffer by the room a header needs.
            c.outEnd = p;
            c.extra = body;
            c.extraStart = from;
        }
    }

    /** Sends the pending output. True if all of it went; false if the socket is full or the connection was closed. */
    private boolean flush(Connection c) {
        while (c.outStart < c.outEnd) {
            ByteBuffer b = c.outBuffer;
            b.limit(c.outEnd);
            b.position(c.outStart);
            long n = net.send(c.fd, b, c.outEnd - c.outStart, SocketLib.MSG_NOSIGNAL);
            if (n < 0) {
                int errno = Sockets.errno();
                if (errno == SocketLib.EINTR) {
                    continue;
                }
                if (errno != SocketLib.EAGAIN) {
                    close(c); // EPIPE, ECONNRESET: the client is gone
                }
                return false;
            }
            c.outStart += (int) n;
        }
        c.outStart = c.outEnd = 0;
        while (c.extra != null) {
            ByteBuffer b = ByteBuffer.wrap(c.extra); // rare (a big stats answer): allocation is fine here
            b.position(c.extraStart);
            long n = net.send(c.fd, b, c.extra.length - c.extraStart, SocketLib.MSG_NOSIGNAL);
            if (n < 0) {
                int errno = Sockets.errno();
                if (errno == SocketLib.EINTR) {
                    continue;
                }
                if (errno != SocketLib.EAGAIN) {
                    close(c);
                }
                return false;
            }
            c.extraStart += (int) n;
            if (c.extraStart == c.extra.length) {
                c.extra = null;
            }
        }
        return true;
    }

    /** Closes connections whose deadline has passed, answering 408 to a client that was mid-request. */
    private void expire(long now) {
        for (int i = activeCount - 1; i >= 0; i--) {
            if (i >= activeCount) {
                continue; // closing shuffled the list
            }
            Connection c = pool[active[i]];
            if (now - c.deadline < 0) {
                continue;
            }
            switch (c.state) {
                case Connection.READING -> {
                    respondError(c, 408, REQUEST_TIMEOUT, now);
                    close(c);
                }
                case Connection.AWAITING_MASTER -> {
                    respondError(c, 503, MASTER_TIMEOUT, now);
                    close(c);
                }
                default -> close(c); // idle past keep-alive, or a client that does not read its answer
            }
        }
    }

    private static byte[] statusLine(int status) {
        return switch (status) {
            case 200 -> S200;
            case 400 -> S400;
            case 404 -> S404;
            case 405 -> S405;
            case 408 -> S408;
            case 411 -> S411;
            case 413 -> S413;
            case 414 -> S414;
            case 431 -> S431;
            case 503 -> S503;
            default -> S500;
        };
    }

    private static final byte[] S200 = Bytes.ascii("200 OK");
    private static final byte[] S400 = Bytes.ascii("400 Bad Request");
    private static final byte[] S404 = Bytes.ascii("404 Not Found");
    private static final byte[] S405 = Bytes.ascii("405 Method Not Allowed");
    private static final byte[] S408 = Bytes.ascii("408 Request Timeout");
    private static final byte[] S411 = Bytes.ascii("411 Length Required");
    private static final byte[] S413 = Bytes.ascii("413 Content Too Large");
    private static final byte[] S414 = Bytes.ascii("414 URI Too Long");
    private static final byte[] S431 = Bytes.ascii("431 Request Header Fields Too Large");
    private static final byte[] S500 = Bytes.ascii("500 Internal Server Error");
    private static final byte[] S503 = Bytes.ascii("503 Service Unavailable");
}
