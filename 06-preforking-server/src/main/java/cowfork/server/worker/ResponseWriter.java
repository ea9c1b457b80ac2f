// Framing a response into a connection's output buffer and sending it: status line, headers, and the body only when one is allowed.
package cowfork.server.worker;

import cowfork.fork.Syscalls;
import cowfork.server.http.Bytes;
import cowfork.server.http.HttpDate;
import java.nio.ByteBuffer;

/**
 * Turns an answer (status, content type, body) into HTTP/1.1 bytes in {@link Connection#out},
 * and sends them without blocking. Allocates nothing, except for the rare body too large
 * for the buffer (the master's stats answer), sent from its own array.
 *
 * <pre>
 *   HTTP/1.1 200 OK\r\n
 *   Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n     every answer (RFC 9110 section 6.6.1), formatted once a second
 *   Content-Type: application/json\r\n         not in a 304
 *   Content-Length: 42\r\n           the length the body has (or would have: HEAD, 304; left out when unknown)
 *   Connection: keep-alive\r\n       or close: the worker closes after sending
 *   Cache-Control: no-store\r\n      every answer describes a live process: no cache may keep it
 *   Allow: GET, HEAD, OPTIONS\r\n    in a 405, and in the answer to OPTIONS
 *   X-Worker: 12345\r\n
 *   \r\n
 *   {"status":"ok",...}              never for HEAD, 1xx, 204 and 304 (RFC 9110 section 6.4.1)
 * </pre>
 *
 * A body sent where none is allowed is not a cosmetic fault: a kept-alive client reads it
 * as the start of the next response, and every answer after it is off by one. Nor is a
 * status this class has no reason phrase for: it is refused with an exception (the request
 * then fails loudly, logged and answered 500) rather than sent under a wrong phrase.
 */
final class ResponseWriter {
    /** {@link #send} results. */
    static final int SENT = 0;
    static final int BLOCKED = 1;
    static final int FAILED = 2;

    private static final byte[] HTTP11 = Bytes.ascii("HTTP/1.1 ");
    private static final byte[] CONTINUE = Bytes.ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] DATE = Bytes.ascii("\r\nDate: ");
    private static final byte[] CONTENT_TYPE = Bytes.ascii("\r\nContent-Type: ");
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("\r\nContent-Length: ");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("\r\nConnection: keep-alive\r\n");
    private static final byte[] CLOSE = Bytes.ascii("\r\nConnection: close\r\n");
    private static final byte[] ALLOW = Bytes.ascii("Allow: GET, HEAD, OPTIONS\r\n");
    private static final byte[] NO_STORE = Bytes.ascii("Cache-Control: no-store\r\n");
    private static final byte[] CRLF = Bytes.ascii("\r\n");

    private final SocketLib net;
    private final byte[] workerHeader;
    /** The Date of every answer this worker frames: one array, rewritten once a second. */
    private final HttpDate date = new HttpDate();
    /**
     * ByteBuffers over the arrays large bodies are sent from (a worker's answer buffers, the
     * dashboard's files): made once per array, not per send. A few arrays only ever serve as
     * {@code extra}; the oldest wrapper gives way if more do.
     */
    private final byte[][] wrappedArrays = new byte[8][];
    private final ByteBuffer[] wrappers = new ByteBuffer[8];
    private int nextWrapper;

    ResponseWriter(SocketLib net, int pid) {
        this.net = net;
        this.workerHeader = Bytes.ascii("X-Worker: " + pid + "\r\n");
    }

    /** Whether a response with {@code status} to a request (HEAD or not) carries a body. */
    static boolean hasBody(int status, boolean headRequest) {
        return !headRequest && status >= 200 && status != 204 && status != 304;
    }

    /**
     * Frames a response into {@code c.out}, replacing whatever unsent response was there
     * (a request whose body then fails is answered with the error alone; a 100 (Continue)
     * already partly sent is finished first). The body is copied when it fits, else sent
     * from {@code body} itself ({@link Connection#extra}). {@code c.headOnly} says the
     * request was HEAD, {@code c.options} that it was OPTIONS. With {@code close} the
     * connection is closed once the response is sent.
     *
     * @throws IllegalArgumentException for a status this class has no reason phrase for
     */
    void frame(Connection c, int status, byte[] contentType, byte[] body, int from, int length, boolean close) {
        byte[] reason = statusLine(status);
        int at = 0;
        if (c.interimEnd > 0 && c.outStart > 0) {
            at = c.interimEnd; // the client has part of a 100 (Continue): the rest of it goes first
        } else {
            c.outStart = 0;
            c.interimEnd = 0;
        }
        frameAt(c, at, status, reason, contentType, body, from, length, close);
    }

    /**
     * Frames a 100 (Continue) and after it the answer, which {@link #sendInterim} holds back:
     * the client may send the body it waits to send (RFC 9110 section 10.1.1), and the
     * answer goes out once the body is in.
     */
    void frameAfterContinue(Connection c, int status, byte[] contentType, byte[] body, int from, int length,
                            boolean close) {
        byte[] reason = statusLine(status);
        c.outStart = 0;
        c.interimEnd = Bytes.put(c.out, 0, c.out.length, CONTINUE);
        frameAt(c, c.interimEnd, status, reason, contentType, body, from, length, close);
    }

    /**
     * Frames a 100 (Continue) alone, for an answer that is not ready yet (the master's stats):
     * {@link #frame} puts the answer after whatever the client has not received of it.
     */
    void frameContinue(Connection c) {
        c.outStart = 0;
        c.interimEnd = c.outEnd = Bytes.put(c.out, 0, c.out.length, CONTINUE);
        c.extra = null;
        c.closeAfterWrite = false;
    }

    private void frameAt(Connection c, int at, int status, byte[] reason, byte[] contentType, byte[] body, int from,
                         int length, boolean close) {
        byte[] o = c.out;
        int lim = o.length;
        int p = Bytes.put(o, at, lim, HTTP11);
        p = Bytes.put(o, p, lim, reason);
        p = Bytes.put(o, p, lim, DATE);
        p = Bytes.put(o, p, lim, date.now(System.currentTimeMillis()));
        if (status != 304) { // RFC 9110 section 15.4.5: no representation metadata in a 304
            p = Bytes.put(o, p, lim, CONTENT_TYPE);
            p = Bytes.put(o, p, lim, contentType);
        }
        if (status >= 200 && status != 204 && length >= 0) { // RFC 9110 section 8.6: never in a 1xx or 204
            p = Bytes.put(o, p, lim, CONTENT_LENGTH);
            p = Bytes.putDecimal(o, p, lim, length);
        }
        p = Bytes.put(o, p, lim, close ? CLOSE : KEEP_ALIVE);
        p = Bytes.put(o, p, lim, NO_STORE);
        if (status == 405 || (status == 200 && c.options)) {
            p = Bytes.put(o, p, lim, ALLOW);
        }
        p = Bytes.put(o, p, lim, workerHeader);
        p = Bytes.put(o, p, lim, CRLF);
        c.closeAfterWrite = close;
        c.extra = null;
        if (!hasBody(status, c.headOnly) || length == 0) {
            c.outEnd = p;
        } else if (p + length <= lim) {
            System.arraycopy(body, from, o, p, length);
            c.outEnd = p + length;
        } else {
            // Only a body in an array of its own gets here (the master's stats answer, a dashboard file): the
            // endpoints' buffer is smaller than the output buffer by the room a header needs.
            c.outEnd = p;
            c.extra = body;
            c.extraStart = from;
            c.extraEnd = from + length;
        }
    }

    /**
     * Sends what is left of a 100 (Continue) framed by {@link #frameAfterContinue}, and
     * nothing of the answer behind it.
     *
     * @return {@link #SENT} (nothing is left of it), {@link #BLOCKED} or {@link #FAILED}, as {@link #send}
     */
    int sendInterim(Connection c) {
        int r = sendOut(c, c.interimEnd);
        if (r == SENT) {
            c.interimEnd = 0;
        }
        return r;
    }

    /**
     * Sends the pending output of {@code c} without blocking.
     *
     * @return {@link #SENT} all of it; {@link #BLOCKED} the socket is full (poll for POLLOUT
     *         and call again); {@link #FAILED} the client is gone (EPIPE, ECONNRESET): close it
     */
    int send(Connection c) {
        int r = sendOut(c, c.outEnd);
        if (r != SENT) {
            return r;
        }
        c.outStart = c.outEnd = c.interimEnd = 0;
        while (c.extra != null) {
            long n = sendOnce(c.fd, wrapper(c.extra), c.extraStart, c.extraEnd);
            if (n < 0) {
                return (int) -n;
            }
            c.extraStart += (int) n;
            if (c.extraStart == c.extraEnd) {
                c.extra = null;
            }
        }
        return SENT;
    }

    /** A ByteBuffer over {@code array}, made the first time it is sent from. */
    private ByteBuffer wrapper(byte[] array) {
        for (int i = 0; i < wrappedArrays.length; i++) {
            if (wrappedArrays[i] == array) {
                return wrappers[i];
            }
        }
        int i = nextWrapper;
        nextWrapper = (nextWrapper + 1) % wrappedArrays.length;
        wrappedArrays[i] = array;
        wrappers[i] = ByteBuffer.wrap(array);
        return wrappers[i];
    }

    /** Sends {@code c.out[outStart, end)}. */
    private int sendOut(Connection c, int end) {
        while (c.outStart < end) {
            long n = sendOnce(c.fd, c.outBuffer, c.outStart, end);
            if (n < 0) {
                return (int) -n;
            }
            c.outStart += (int) n;
        }
        return SENT;
    }

    /**
     * One {@code send(2)} of {@code b}'s array {@code [start, end)}: the bytes sent (0 if a
     * signal interrupted it: call again), or {@code -BLOCKED} (the socket is full, EAGAIN) or
     * {@code -FAILED} (the client is gone).
     */
    private long sendOnce(int fd, ByteBuffer b, int start, int end) {
        b.limit(end);
        b.position(start);
        long n = net.send(fd, b, end - start, SocketLib.MSG_NOSIGNAL);
        if (n >= 0) {
            return n;
        }
        int errno = Sockets.errno();
        return errno == Syscalls.EINTR ? 0 : errno == Syscalls.EAGAIN ? -BLOCKED : -FAILED;
    }

    /** The status line's code and reason phrase; every status the server sends is here. */
    private static byte[] statusLine(int status) {
        return switch (status) {
            case 200 -> S200;
            case 204 -> S204;
            case 304 -> S304;
            case 400 -> S400;
            case 404 -> S404;
            case 405 -> S405;
            case 408 -> S408;
            case 411 -> S411;
            case 412 -> S412;
            case 413 -> S413;
            case 414 -> S414;
            case 421 -> S421;
            case 431 -> S431;
            case 500 -> S500;
            case 501 -> S501;
            case 503 -> S503;
            case 505 -> S505;
            default -> throw new IllegalArgumentException("no reason phrase for status " + status
                    + ": add it to ResponseWriter.statusLine");
        };
    }

    private static final byte[] S200 = Bytes.ascii("200 OK");
    private static final byte[] S204 = Bytes.ascii("204 No Content");
    private static final byte[] S304 = Bytes.ascii("304 Not Modified");
    private static final byte[] S400 = Bytes.ascii("400 Bad Request");
    private static final byte[] S404 = Bytes.ascii("404 Not Found");
    private static final byte[] S405 = Bytes.ascii("405 Method Not Allowed");
    private static final byte[] S408 = Bytes.ascii("408 Request Timeout");
    private static final byte[] S411 = Bytes.ascii("411 Length Required");
    private static final byte[] S412 = Bytes.ascii("412 Precondition Failed");
    private static final byte[] S413 = Bytes.ascii("413 Content Too Large");
    private static final byte[] S414 = Bytes.ascii("414 URI Too Long");
    private static final byte[] S421 = Bytes.ascii("421 Misdirected Request");
    private static final byte[] S431 = Bytes.ascii("431 Request Header Fields Too Large");
    private static final byte[] S500 = Bytes.ascii("500 Internal Server Error");
    private static final byte[] S501 = Bytes.ascii("501 Not Implemented");
    private static final byte[] S503 = Bytes.ascii("503 Service Unavailable");
    private static final byte[] S505 = Bytes.ascii("505 HTTP Version Not Supported");
}
