// One client connection of a worker: its socket, its fixed buffers, and where it is in the request/response cycle.
package cowfork.server.worker;

import cowfork.server.http.RequestBody;
import cowfork.server.http.RequestHead;
import java.nio.ByteBuffer;

/**
 * A pooled connection. A worker allocates all of them when it starts (in the forked child,
 * from the eden it inherited: the master refuses at start a pool that cannot fit it) and
 * reuses them, so serving a connection allocates nothing.
 *
 * <pre>
 *   in:   [ consumed | inStart .. unparsed bytes .. inEnd | free ]
 *   out:  [ sent | outStart .. unsent .. outEnd ]  then  extra[extraStart, extraEnd)
 *         with a 100 (Continue) first: [ 100 Continue | the answer ], interimEnd between them
 * </pre>
 *
 * {@code extra} is for the rare response larger than {@code out} (the stats table, a file of
 * the dashboard): its header goes through {@code out} and the body is sent straight from
 * the array it lies in (a file's own array, or the worker's answer buffer).
 */
final class Connection {
    /** Waiting for the first byte of the next request on a kept-alive connection. */
    static final int IDLE = 0;
    /** Part of a request has arrived. */
    static final int READING = 1;
    /** A response could not be sent in full; waiting until the socket is writable. */
    static final int WRITING = 2;
    /** A stats request went to the master; waiting for its answer. */
    static final int AWAITING_MASTER = 3;
    /** The head was answered into {@code out}; the body is still arriving: send once it is all read. */
    static final int BODY = 4;
    /**
     * The last answer is sent and this side shut down; what the client still sends is read
     * and dropped until it closes too, so that closing cannot reset the connection under an
     * answer the client has not read yet (RFC 9112 section 9.6).
     */
    static final int LINGERING = 5;

    final int index;
    final byte[] in;
    final ByteBuffer inBuffer;
    final byte[] out;
    final ByteBuffer outBuffer;
    /** Where the body of the request being answered ends. */
    final RequestBody body;
    /** The request being parsed or answered; a head that arrives in pieces is parsed on from where it stopped. */
    final RequestHead head = new RequestHead();

    int fd = -1;
    int state;
    int inStart;
    int inEnd;
    int outStart;
    int outEnd;
    byte[] extra;
    int extraStart;
    /** While a 100 (Continue) is not yet wholly sent: where it ends in {@code out} (the answer, held for the body, follows). */
    int interimEnd;
    /** Where the bytes still to send in {@code extra} end. */
    int extraEnd;
    /** When the connection entered its state: the request's start (READING), or idleness (IDLE). */
    long since;
    boolean closeAfterWrite;
    /** The request being answered was HEAD: send the headers only. */
    boolean headOnly;
    /** The request being answered was OPTIONS: its answer lists the methods allowed (Allow). */
    boolean options;
    /** The request being answered asked to keep the connection open. */
    boolean keepAlive;
    /** When the current state times out, in {@link System#nanoTime()} terms. */
    long deadline;
    /** Identifies a stats request in flight, so a late answer is not sent to a reused connection. */
    int token;
    long requests;

    Connection(int index, int inSize, int outSize, RequestBody body) {
        this.index = index;
        this.body = body;
        this.in = new byte[inSize];
        this.inBuffer = ByteBuffer.wrap(in);
        this.out = new byte[outSize];
        this.outBuffer = ByteBuffer.wrap(out);
    }

    void open(int fd, long now, long idleNanos) {
        this.fd = fd;
        state = IDLE;
        inStart = inEnd = outStart = outEnd = 0;
        extra = null;
        extraStart = interimEnd = 0;
        body.startLength(0);
        head.reset();
        since = now;
        closeAfterWrite = false;
        headOnly = options = false;
        keepAlive = true;
        deadline = now + idleNanos;
        token = 0;
        requests = 0;
    }

    boolean isOpen() {
        return fd >= 0;
    }

    boolean hasUnsentOutput() {
        return outStart < outEnd || extra != null;
    }

    /** Moves unparsed input to the front of the buffer, making room to read more. */
    void compact() {
        if (inStart == inEnd) {
            inStart = inEnd = 0;
        } else if (inStart > 0) {
            System.arraycopy(in, inStart, in, 0, inEnd - inStart);
            inEnd -= inStart;
            inStart = 0;
        }
    }
}
