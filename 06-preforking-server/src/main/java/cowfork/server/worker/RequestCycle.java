// One connection's request/response cycle: read, parse, route, hold the answer until the body is in, send, keep alive.
package cowfork.server.worker;

import cowfork.fork.LibC;
import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import cowfork.server.app.Endpoints;
import cowfork.server.http.Bytes;
import cowfork.server.http.HttpParser;
import cowfork.server.http.RequestBody;
import cowfork.server.http.RequestHead;
import cowfork.server.protocol.Protocol;
import java.nio.ByteBuffer;

/**
 * What a {@link Worker} does with a connection that poll(2) reported ready, and with
 * connections whose time is up. Allocation-free on the request path.
 *
 * <pre>
 *   IDLE --bytes--> READING --head--> [BODY] --body read--> send --> IDLE, or READING (pipelined)
 *   /stats:         READING --head--> AWAITING_MASTER --answer--> [BODY] --> send
 *   any state --send blocked--> WRITING --POLLOUT--> on as above
 * </pre>
 *
 * One request gets exactly one response: the answer is framed as soon as the head is
 * parsed and sent only once the body has fully arrived; a body that never does gets a 408
 * instead, never both. The header timeout bounds READING, the client timeout the rest.
 */
final class RequestCycle {
    private static final int POLL_ERRORS = LibC.POLLHUP | LibC.POLLERR | LibC.POLLNVAL;
    private static final byte[] REQUEST_TIMEOUT = Bytes.ascii("the request did not arrive in time\n");
    private static final byte[] MASTER_TIMEOUT = Bytes.ascii("the master did not answer in time\n");
    private static final byte[] TOO_MANY_ASKS = Bytes.ascii("too many /stats requests of this worker are waiting for"
            + " the master; try again shortly\n");
    private static final byte[] ANSWER_TOO_LARGE = Bytes.ascii("the master's answer is larger than a worker takes"
            + " (its answer buffer is sized from the data set); the master's log says by how much\n");
    private static final byte[] FAILED = Bytes.ascii("the server failed while answering this request\n");
    private static final byte[] PRECONDITION_FAILED = Bytes.ascii("If-Match: no answer of this server has an entity tag,"
            + " so none matches\n");
    private static final byte[] NOTHING = new byte[0];
    /** How long a closing connection's client may go on sending before it is closed anyway. */
    static final long LINGER_NANOS = 2_000_000_000L;
    /** Reads a lingering connection gets per wake-up, so that a client that never stops cannot hold the loop. */
    private static final int DRAIN_READS = 8;

    private final WorkerConfig config;
    private final SocketLib net;
    private final Slots slots;
    private final MasterLink master;
    private final ResponseWriter writer;
    private final Endpoints endpoints;
    private final HttpParser parser;
    private final int pid;

    private final AnswerBuffers answers;
    /** The bodies of the answer being handed out: by place (json, text, dashboard), where each lies, its length (negative: not sent). */
    private final int[] bodyAt = new int[3];
    private final int[] bodyLength = new int[3];
    private long requests;
    private boolean stopping;
    private int nextToken = 1;
    /** Requests that threw (answered 500). */
    long failures;

    RequestCycle(WorkerConfig config, SocketLib net, Slots slots, MasterLink master, ResponseWriter writer,
                 Endpoints endpoints, int pid, int answerLimit) {
        this.config = config;
        this.net = net;
        this.slots = slots;
        this.master = master;
        this.writer = writer;
        this.endpoints = endpoints;
        this.parser = new HttpParser(config.limits());
        this.pid = pid;
        this.answers = new AnswerBuffers(answerLimit);
    }

    /** Requests parsed so far. */
    long requests() {
        return requests;
    }

    /** Whether the worker is stopping: no new connections; answers say Connection: close. */
    boolean stopping() {
        return stopping;
    }

    /** Stops gracefully: requests in progress finish; idle connections are closed by the worker. */
    void stop() {
        stopping = true;
    }

    /**
     * Serves {@code c}, which poll reported with {@code revents}. A request that throws (a
     * bug, a store error) is answered 500 and its connection closed; the others never notice.
     */
    void ready(Connection c, int revents, long now) {
        try {
            serve(c, revents, now);
        } catch (RuntimeException e) {
            failed(c, e, now);
        }
    }

    /** Retires (tells the master, then stops) after max-requests or when the heap budget runs low. */
    private void retireIfDue() {
        if (stopping) {
            return;
        }
        byte reason = 0;
        if (requests >= config.retireAfterRequests()) {
            reason = Protocol.RETIRE_MAX_REQUESTS;
        } else if (master.heapBytesLeft() < config.heapReserveBytes()) {
            reason = Protocol.RETIRE_HEAP_BUDGET;
        }
        if (reason != 0) {
            master.retiring(reason, requests, slots.count());
            stopping = true;
        }
    }

    /**
     * The master's stats answer ({@link Protocol}: every token of this worker a round
     * covered, and the bodies they need), lying in {@code frame[at, at + length)} until this
     * returns. The bodies are copied into an {@link AnswerBuffers} buffer, and each connection
     * still waiting for one of the tokens is answered from there; tokens whose clients went
     * away are simply done. A malformed answer is logged and dropped: its clients get 503
     * when their time is up.
     */
    void answerStats(byte[] frame, int at, int length, long now) {
        int end = at + length;
        int n = Protocol.getShort(frame, at + 1);
        int m = frame[at + 3] & 0xff;
        int tokensAt = at + Protocol.ANSWER_HEAD + m * Protocol.ANSWER_BODY_ENTRY;
        int data = tokensAt + n * Protocol.ANSWER_TOKEN_ENTRY;
        if (m > 3 || data > end) {
            master.log("worker " + pid + ": a malformed stats answer (" + length + " bytes); dropped");
            return;
        }
        master.answered(n);
        byte[] buffer = answers.next(slots);
        int to = 0;
        bodyLength[0] = bodyLength[1] = bodyLength[2] = Integer.MIN_VALUE;
        for (int k = 0, p = at + Protocol.ANSWER_HEAD; k < m; k++, p += Protocol.ANSWER_BODY_ENTRY) {
            int place = Protocol.bodyIndex(frame[p]);
            int len = Protocol.getInt(frame, p + 1);
            bodyLength[place] = len;
            if (len > 0) {
                if (data + len > end || to + len > buffer.length) {
                    master.log("worker " + pid + ": a malformed stats answer (" + length + " bytes); dropped");
                    return;
                }
                System.arraycopy(frame, data, buffer, to, len);
                bodyAt[place] = to;
                data += len;
                to += len;
            }
        }
        for (int i = 0, p = tokensAt; i < n; i++, p += Protocol.ANSWER_TOKEN_ENTRY) {
            Connection c = waitingFor(Protocol.getInt(frame, p));
            if (c == null) {
                continue; // the client went away meanwhile: nothing to do
            }
            byte format = frame[p + 4];
            int place = Protocol.bodyIndex(format);
            try {
                if (bodyLength[place] > 0) {
                    byte[] type = format == Protocol.FORMAT_TEXT ? Endpoints.TEXT : Endpoints.JSON;
                    writer.frame(c, 200, type, buffer, bodyAt[place], bodyLength[place], !c.keepAlive || stopping);
                } else {
                    writer.frame(c, 503, Endpoints.TEXT, ANSWER_TOO_LARGE, 0, ANSWER_TOO_LARGE.length, true);
                }
                c.state = c.body.done() ? Connection.READING : Connection.BODY;
                if (c.state == Connection.BODY || finishResponse(c, now)) {
                    process(c, now);
                }
            } catch (RuntimeException e) {
                failed(c, e, now);
            }
        }
    }

    /** The connection waiting for the master's answer to {@code token}; null if none is. */
    private Connection waitingFor(int token) {
        for (int i = 0; i < slots.count(); i++) {
            Connection c = slots.get(i);
            if (c.state == Connection.AWAITING_MASTER && c.token == token) {
                return c;
            }
        }
        return null;
    }

    /**
     * A request threw (a bug, a store error): answer 500 and close this connection unless a
     * response to it is already partly sent (then just close); log; the other connections
     * never notice.
     */
    private void failed(Connection c, RuntimeException e, long now) {
        failures++;
        master.log(describeFailure(e));
        if (!c.isOpen()) {
            return;
        }
        try {
            if (c.state != Connection.WRITING) {
                writer.frame(c, 500, Endpoints.TEXT, FAILED, 0, FAILED.length, true);
                if (writer.send(c) == ResponseWriter.BLOCKED) {
                    c.state = Connection.WRITING;
                    c.deadline = now + config.clientTimeoutNanos();
                    return;
                }
            }
        } catch (RuntimeException again) {
            // nothing more to try: close below
        }
        slots.close(c);
    }

    private String describeFailure(RuntimeException e) {
        StackTraceElement[] where = e.getStackTrace();
        return "worker " + pid + ": a request failed: " + e + (where.length > 0 ? " at " + where[0] : "")
                + "; answered 500, connection closed, serving on";
    }

    /**
     * Runs the failure path's own code (stack trace, message) without a failure, so that the
     * warm-up resolves it in the master: a worker meets it first with a real exception.
     */
    String rehearseFailure() {
        return describeFailure(new IllegalStateException("rehearsal"));
    }

    private void serve(Connection c, int revents, long now) {
        if (!c.isOpen()) {
            return;
        }
        if (c.state == Connection.WRITING) {
            if ((revents & POLL_ERRORS) != 0) {
                slots.close(c);
            } else if (finishResponse(c, now)) {
                process(c, now);
            }
            return;
        }
        if (c.state == Connection.AWAITING_MASTER) {
            if ((revents & POLL_ERRORS) != 0) {
                slots.close(c);
            }
            return;
        }
        if (c.state == Connection.LINGERING) {
            drain(c);
            return;
        }
        if (c.interimEnd > 0 && (revents & PollSet.OUT) != 0 && !sendInterim(c)) {
            return; // the client is gone
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
            slots.close(c); // the client closed; a half-sent request is dropped, and so is an answer held for its body
            return;
        }
        if (n < 0) {
            int errno = Sockets.errno();
            if (errno != Syscalls.EAGAIN && errno != Syscalls.EINTR) {
                slots.close(c); // ECONNRESET and friends
            }
            return;
        }
        c.inEnd += (int) n;
        process(c, now);
    }

    /**
     * Answers every complete request in the input buffer, in order, while the socket takes
     * the answers. An answer is framed as soon as its head is parsed but sent only once its
     * body (skipped, not stored) has fully arrived: one request, one response.
     */
    private void process(Connection c, long now) {
        while (c.isOpen()) {
            if (c.state == Connection.BODY) {
                int r = c.body.consume(c.in, c.inStart, c.inEnd);
                c.inStart = c.body.position;
                if (r == RequestBody.MORE) {
                    return;
                }
                if (r != RequestBody.DONE) {
                    respondError(c, r, c.body.errorReason(), now); // replaces the answer held back
                    return;
                }
                if (!finishResponse(c, now)) {
                    return;
                }
                continue;
            }
            if (c.inStart == c.inEnd) {
                c.inStart = c.inEnd = 0;
                if (stopping) {
                    slots.close(c);
                } else if (c.state != Connection.IDLE) {
                    goIdle(c, now);
                }
                return;
            }
            if (c.state == Connection.IDLE) {
                startRequest(c, now);
            }
            RequestHead head = c.head;
            int status = parser.parse(c.in, c.inStart, c.inEnd, head);
            if (status == HttpParser.INCOMPLETE) {
                return;
            }
            c.headOnly = head.method == RequestHead.HEAD; // an error answer to HEAD has no body either
            c.options = head.method == RequestHead.OPTIONS;
            if (status != HttpParser.COMPLETE) {
                c.inStart = c.inEnd;
                respondError(c, status, parser.errorReason(), now);
                return;
            }
            c.inStart = head.headEnd;
            requests++;
            c.requests++;
            // Decided before the answer is framed, so the last answer of a retiring worker says
            // Connection: close (as nginx's last keepalive_requests answer does) instead of the
            // client finding a kept-alive connection closed under its next request.
            retireIfDue();
            c.keepAlive = head.keepAlive;
            if (head.chunked) {
                c.body.startChunked();
            } else {
                c.body.startLength(head.contentLength);
            }
            c.deadline = c.since + config.clientTimeoutNanos(); // the rest of the request gets the whole client timeout
            // RFC 9110 section 10.1.1: a client that expects 100-continue may wait for it before it sends
            // the body, so it must come before the answer, which waits for the body. Never to HTTP/1.0 (15.2).
            boolean interim = head.expectContinue && head.versionMinor == 1 && !c.body.done();
            if (endpoints.route(c.in, head, requests) == Endpoints.ASK_MASTER) {
                int precondition = precondition(head, 200);
                if (precondition == 200) {
                    if (interim) {
                        writer.frameContinue(c);
                        if (!sendInterim(c)) {
                            return;
                        }
                    }
                    c.token = nextToken++;
                    if (master.askStats(c.token, endpoints.statsFormat(), requests, slots.count())) {
                        c.state = Connection.AWAITING_MASTER;
                        c.deadline = now + config.clientTimeoutNanos();
                        return;
                    }
                    // A bound on what this worker's clients can make the master do and hold
                    // (the 100, if any, is wholly sent by now).
                    answer(c, 503, Endpoints.TEXT, TOO_MANY_ASKS, TOO_MANY_ASKS.length, false);
                } else {
                    answer(c, precondition, Endpoints.TEXT, NOTHING, -1, interim); // 304: the answer's length is not known here
                }
            } else {
                answer(c, precondition(head, endpoints.status()), endpoints.contentType(), endpoints.body(),
                        endpoints.bodyLength(), interim);
            }
            if (!c.body.done()) {
                c.state = Connection.BODY;
                if (c.interimEnd > 0 && !sendInterim(c)) {
                    return;
                }
            } else if (!finishResponse(c, now)) {
                return;
            }
        }
    }

    /**
     * Frames the answer {@code status} (after the request's preconditions) with the routed
     * content, or the 412's reason, behind a 100 (Continue) if {@code interim}.
     */
    private void answer(Connection c, int status, byte[] type, byte[] body, int length, boolean interim) {
        if (status == 412) {
            type = Endpoints.TEXT;
            body = PRECONDITION_FAILED;
            length = PRECONDITION_FAILED.length;
        }
        boolean close = !c.keepAlive || stopping;
        if (interim) {
            writer.frameAfterContinue(c, status, type, body, 0, length, close);
        } else {
            writer.frame(c, status, type, body, 0, length, close);
        }
    }

    /**
     * The status a {@code status} answer becomes under the request's preconditions (RFC 9110
     * section 13). Only a 2xx answer to GET or HEAD is affected (13.2.1). No answer here has an
     * entity tag or a modification date: If-Match with entity tags never matches (412),
     * If-None-Match: * always does (304), a list of tags never does, and the date conditions
     * are ignored (13.1.3, 13.1.4), as is If-Range without Range support (13.1.5).
     */
    static int precondition(RequestHead head, int status) {
        if (status < 200 || status > 299 || (head.method != RequestHead.GET && head.method != RequestHead.HEAD)) {
            return status;
        }
        if (head.ifMatch == RequestHead.TAGS) {
            return 412;
        }
        return head.ifNoneMatch == RequestHead.ANY ? 304 : status;
    }

    /** Sends what is left of a 100 (Continue); false if the client is gone (the connection is then closed). */
    private boolean sendInterim(Connection c) {
        if (writer.sendInterim(c) == ResponseWriter.FAILED) {
            slots.close(c);
            return false;
        }
        return true; // sent, or the socket is full: the worker polls for POLLOUT while the body arrives
    }

    private void startRequest(Connection c, long now) {
        c.state = Connection.READING;
        c.since = now;
        c.deadline = now + config.headerTimeoutNanos();
        c.headOnly = false;
    }

    private void goIdle(Connection c, long now) {
        c.state = Connection.IDLE;
        c.since = now;
        c.deadline = now + config.keepAliveNanos();
    }

    /**
     * Sends what {@link ResponseWriter#frame} framed and moves the connection on: closed,
     * waiting to write, idle, or reading the next pipelined request. Returns true only in
     * the last case, when the caller should go on parsing.
     */
    private boolean finishResponse(Connection c, long now) {
        int sent = writer.send(c);
        if (sent == ResponseWriter.FAILED) {
            slots.close(c); // EPIPE, ECONNRESET: the client is gone
            return false;
        }
        if (sent == ResponseWriter.BLOCKED) {
            c.state = Connection.WRITING;
            c.deadline = now + config.clientTimeoutNanos();
            return false;
        }
        if (c.closeAfterWrite) {
            linger(c, now);
            return false;
        }
        retireIfDue();
        if (c.inStart == c.inEnd) {
            c.inStart = c.inEnd = 0;
            if (stopping) {
                slots.close(c);
            } else {
                goIdle(c, now);
            }
            return false;
        }
        startRequest(c, now);
        return true;
    }

    /**
     * Closes {@code c} in stages (RFC 9112 section 9.6): shuts down this side, so the client
     * reads the answer and then the end of the stream; reads and drops whatever it still
     * sends, until it closes too or {@link #LINGER_NANOS} have passed; then closes. Closing
     * at once with the client's bytes unread makes the kernel send a reset, and a reset can
     * destroy the answer in the client's receive buffer before the client has read it.
     */
    private void linger(Connection c, long now) {
        if (net.shutdown(c.fd, SocketLib.SHUT_WR) < 0) {
            slots.close(c);
            return;
        }
        c.state = Connection.LINGERING;
        c.inStart = c.inEnd = 0;
        c.deadline = now + Math.min(LINGER_NANOS, config.clientTimeoutNanos());
        drain(c);
    }

    /** Reads and drops what a lingering connection's client sends; closes it at the end of its stream. */
    private void drain(Connection c) {
        for (int i = 0; i < DRAIN_READS && c.isOpen(); i++) {
            ByteBuffer b = c.inBuffer;
            b.limit(c.in.length);
            b.position(0);
            long n = net.recv(c.fd, b, c.in.length, 0);
            if (n == 0) {
                slots.close(c); // the client has closed its side too
            } else if (n < 0) {
                int errno = Sockets.errno();
                if (errno == Syscalls.EAGAIN) {
                    return;
                }
                if (errno != Syscalls.EINTR) {
                    slots.close(c);
                }
            }
        }
    }

    private void respondError(Connection c, int status, byte[] reason, long now) {
        writer.frame(c, status, Endpoints.TEXT, reason, 0, reason.length, true);
        finishResponse(c, now);
    }

    /**
     * Closes connections whose deadline has passed, answering 408 to a client that was
     * mid-request (never after an answer to the same request: one held for a body is replaced).
     */
    void expire(long now) {
        for (int i = slots.count() - 1; i >= 0; i--) {
            if (i >= slots.count()) {
                continue; // closing shuffled the list
            }
            Connection c = slots.get(i);
            if (now - c.deadline < 0) {
                continue;
            }
            switch (c.state) {
                case Connection.READING, Connection.BODY -> {
                    respondError(c, 408, REQUEST_TIMEOUT, now);
                    slots.close(c);
                }
                case Connection.AWAITING_MASTER -> {
                    respondError(c, 503, MASTER_TIMEOUT, now);
                    slots.close(c);
                }
                default -> slots.close(c); // idle past keep-alive, or a client that does not read its answer
            }
        }
    }
}
