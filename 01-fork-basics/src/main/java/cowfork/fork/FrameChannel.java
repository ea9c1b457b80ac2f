// Length-prefixed frames over a pair of pipes: what parent and child say to each other.
package cowfork.fork;

import java.util.Arrays;

/**
 * Length-prefixed frames over a pair of pipe descriptors: what parent and child say to
 * each other.
 *
 * <pre>
 *   +------+----------------+---------------------+
 *   | type | length (4, BE) | payload (length B)  |
 *   +------+----------------+---------------------+
 * </pre>
 *
 * Raw {@code read(2)} / {@code write(2)} through jnr-posix, no Java streams: a child must
 * not touch a lock that a vanished thread of the parent may have held (System.out's, for
 * one). A payload of any size is fine: the writer blocks while the pipe is full and the
 * reader drains it.
 */
public final class FrameChannel {
    /** A message in either direction ({@link ChildContext#send}, {@link ChildHandle#send}). */
    public static final byte MESSAGE = 1;
    /** The child's task returned; the payload is its result. The last frame a child sends. */
    public static final byte RESULT = 2;
    /** The child's task threw; the payload is the stack trace in UTF-8. */
    public static final byte FAILURE = 3;

    /** Larger frames are refused: a corrupt length must not make us allocate gigabytes. */
    public static final int MAX_PAYLOAD = 256 << 20;
    /** Bytes before a frame's payload: its type and its length. */
    public static final int HEADER = 5;

    private static final int CHUNK = 64 * 1024;

    /** One frame received. */
    public record Frame(byte type, byte[] payload) {
        @Override
        public String toString() {
            return "Frame[type=" + type + ", " + payload.length + " bytes]";
        }
    }

    /** The other end closed its write side (it exited, or closed the channel). */
    public static final class ClosedException extends RuntimeException {
        ClosedException(String message) {
            super(message);
        }
    }

    private final int readFd;
    private final int writeFd;
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] header = new byte[5];
    private final PollSet poll;
    private byte[] pending = new byte[CHUNK];
    private int pendingStart;
    private int pendingEnd;
    private boolean eof;
    /** The largest payload this channel accepts ({@link #limitPayload}). */
    private int maxPayload = MAX_PAYLOAD;
    /** Whether {@link #pending} was sized once for good by {@link #limitPayload} and must never grow. */
    private boolean fixedBuffer;
    /** The frame {@link #nextInPlace} holds: its type (-1: none), and where its payload is in {@link #pending}. */
    private int heldType = -1;
    private int heldStart;
    private int heldLength;

    /** A channel reading {@code readFd} and writing {@code writeFd}; either may be -1 (unused). */
    public FrameChannel(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.poll = new PollSet(readFd);
    }

    public int readFd() {
        return readFd;
    }

    public int writeFd() {
        return writeFd;
    }

    /** Sends one frame, blocking while the pipe is full. */
    public void send(byte type, byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes is over the "
                    + MAX_PAYLOAD + "-byte frame limit; send it in parts or through shared memory");
        }
        // One reused header array: a long-lived child (a server worker) sends a heartbeat a
        // second, and every byte it allocates shortens its life.
        putHeader(header, 0, type, payload.length);
        writeFully(header, header.length);
        writeFully(payload, payload.length);
    }

    /**
     * Writes a frame's header (type, then the payload's length, big-endian) at {@code b[at]}:
     * for a writer that frames into a buffer of its own (a supervisor that must never block
     * on a full pipe queues its frames and writes them when poll says there is room).
     */
    public static void putHeader(byte[] b, int at, byte type, int payloadLength) {
        b[at] = type;
        b[at + 1] = (byte) (payloadLength >>> 24);
        b[at + 2] = (byte) (payloadLength >>> 16);
        b[at + 3] = (byte) (payloadLength >>> 8);
        b[at + 4] = (byte) payloadLength;
    }

    private void writeFully(byte[] data, int length) {
        int off = 0;
        while (off < length) {
            int n = Math.min(CHUNK, length - off);
            byte[] src;
            if (off == 0) {
                src = data; // write(2) starts at index 0 of the array
            } else {
                System.arraycopy(data, off, chunk, 0, n);
                src = chunk;
            }
            long written = Syscalls.posix().write(writeFd, src, (long) n);
            if (written < 0) {
                int errno = Syscalls.posixErrno();
                if (errno == Syscalls.EINTR) {
                    continue;
                }
                throw new ForkException("write(fd " + writeFd + ")", errno,
                        "the reading process has probably exited (EPIPE)");
            }
            off += (int) written;
        }
    }

    /**
     * Receives one frame, waiting until {@code deadlineNanos} ({@link System#nanoTime()});
     * {@code Long.MAX_VALUE} waits forever. Returns {@code null} if the deadline passed first.
     *
     * @throws ClosedException if the writer closed its end before a whole frame arrived.
     */
    public Frame receive(long deadlineNanos) {
        while (true) {
            Frame frame = decode();
            if (frame != null) {
                return frame;
            }
            if (eof) {
                throw new ClosedException(pendingEnd == pendingStart
                        ? "the other side closed the channel"
                        : "the other side closed the channel in the middle of a frame");
            }
            long timeout = deadlineNanos == Long.MAX_VALUE ? -1 : PollSet.millisUntil(deadlineNanos);
            if (readable(timeout)) {
                fill();
            } else if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                return null;
            }
        }
    }

    /** True if the read end has input or has been closed by the writer. */
    public boolean readable(long timeoutMillis) {
        return poll.await(timeoutMillis) > 0 && poll.ready(0);
    }

    /** Whether the writer has closed its end and everything it sent has been received. */
    public boolean closedAndEmpty() {
        return eof && pendingStart == pendingEnd;
    }

    /** Reads whatever is available (call after poll said readable). Returns false at end of file. */
    public boolean fill() {
        long n = Syscalls.posix().read(readFd, chunk, (long) CHUNK);
        if (n < 0) {
            int errno = Syscalls.posixErrno();
            if (errno == Syscalls.EINTR || errno == Syscalls.EAGAIN) {
                return true;
            }
            throw new ForkException("read(fd " + readFd + ")", errno, "the pipe is no longer usable");
        }
        if (n == 0) {
            eof = true;
            return false;
        }
        append((int) n);
        return true;
    }

    private void append(int n) {
        if (pendingEnd + n > pending.length) {
            int live = pendingEnd - pendingStart;
            if (live + n > pending.length) {
                if (fixedBuffer) { // cannot happen: the buffer holds the largest frame plus one read
                    throw new IllegalStateException("receive buffer of " + pending.length + " bytes overflowed");
                }
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, live + n));
            }
            System.arraycopy(pending, pendingStart, pending, 0, live);
            pendingStart = 0;
            pendingEnd = live;
        }
        System.arraycopy(chunk, 0, pending, pendingEnd, n);
        pendingEnd += n;
    }

    /** A whole frame from the buffered bytes, or null if one hasn't fully arrived. */
    Frame decode() {
        int length = wholeFrameLength();
        if (length < 0) {
            return null;
        }
        int p = pendingStart;
        byte type = pending[p];
        byte[] payload = Arrays.copyOfRange(pending, p + HEADER, p + HEADER + length);
        pendingStart += HEADER + length;
        if (pendingStart == pendingEnd) {
            pendingStart = pendingEnd = 0;
        }
        return new Frame(type, payload);
    }

    /**
     * The payload length of the whole frame at the front of the buffer; -1 if it has not
     * fully arrived.
     *
     * @throws IllegalStateException if the length is negative or over this channel's limit
     */
    private int wholeFrameLength() {
        int live = pendingEnd - pendingStart;
        if (live < HEADER) {
            return -1;
        }
        int p = pendingStart;
        int length = ((pending[p + 1] & 0xff) << 24) | ((pending[p + 2] & 0xff) << 16)
                | ((pending[p + 3] & 0xff) << 8) | (pending[p + 4] & 0xff);
        if (length < 0 || length > maxPayload) {
            throw new IllegalStateException("corrupt frame: length " + length + " (type " + pending[p] + ", limit "
                    + maxPayload + "); something other than FrameChannel wrote to this pipe, or the writer broke the limit");
        }
        return live < HEADER + length ? -1 : length;
    }

    // ---- receiving in place: for a reader that must not allocate (a forked server worker) ----

    /**
     * Refuses payloads over {@code limit} bytes from now on, and sizes the receive buffer,
     * once, for the largest frame plus one read: after this the channel never allocates to
     * receive, and {@link #nextInPlace} hands out frames where they lie. Call it before any
     * frame is buffered, on a channel that has received nothing yet.
     */
    public void limitPayload(int limit) {
        if (limit < 0 || limit > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload limit " + limit + " is outside 0.." + MAX_PAYLOAD);
        }
        if (pendingEnd != pendingStart) {
            throw new IllegalStateException("limitPayload on a channel with " + (pendingEnd - pendingStart)
                    + " bytes already buffered");
        }
        maxPayload = limit;
        pending = new byte[HEADER + limit + CHUNK];
        pendingStart = pendingEnd = 0;
        fixedBuffer = true;
    }

    /**
     * Makes the next whole frame available where it lies in this channel's buffer, reading
     * what the pipe already holds (never waiting). True if a frame is held: its
     * {@link #heldType()} and its payload at {@link #buffer()}[{@link #heldStart()}, +
     * {@link #heldLength()}) stay valid until {@link #release()}; while one is held, this
     * returns it again and reads nothing. False if no whole frame has arrived; at the end
     * of the pipe {@link #closedAndEmpty()} turns true.
     *
     * @throws IllegalStateException if a frame's length is over the limit (the channel is corrupt)
     */
    public boolean nextInPlace() {
        while (heldType < 0) {
            int length = wholeFrameLength();
            if (length >= 0) {
                heldType = pending[pendingStart];
                heldStart = pendingStart + HEADER;
                heldLength = length;
                break;
            }
            if (eof || !readable(0) || !fill()) {
                return false;
            }
        }
        return true;
    }

    /** The held frame's type ({@link #MESSAGE}...). */
    public byte heldType() {
        return (byte) heldType;
    }

    /** The array the held frame's payload is in (valid until {@link #release()}). */
    public byte[] buffer() {
        return pending;
    }

    /** Where the held frame's payload starts in {@link #buffer()}. */
    public int heldStart() {
        return heldStart;
    }

    /** The held frame's payload length. */
    public int heldLength() {
        return heldLength;
    }

    /** Done with the held frame: its bytes may be overwritten by the next read. */
    public void release() {
        if (heldType < 0) {
            return;
        }
        pendingStart = heldStart + heldLength;
        heldType = -1;
        if (pendingStart == pendingEnd) {
            pendingStart = pendingEnd = 0;
        }
    }

    /** Closes both descriptors (a -1 is skipped). Idempotent only if called once; callers own that. */
    public void close() {
        if (readFd >= 0) {
            Syscalls.posix().close(readFd);
        }
        if (writeFd >= 0) {
            Syscalls.posix().close(writeFd);
        }
    }
}
