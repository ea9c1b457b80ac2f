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
        header[0] = type;
        header[1] = (byte) (payload.length >>> 24);
        header[2] = (byte) (payload.length >>> 16);
        header[3] = (byte) (payload.length >>> 8);
        header[4] = (byte) payload.length;
        writeFully(header, header.length);
        writeFully(payload, payload.length);
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
        int live = pendingEnd - pendingStart;
        if (live < 5) {
            return null;
        }
        int p = pendingStart;
        int length = ((pending[p + 1] & 0xff) << 24) | ((pending[p + 2] & 0xff) << 16)
                | ((pending[p + 3] & 0xff) << 8) | (pending[p + 4] & 0xff);
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IllegalStateException("corrupt frame: length " + length + " (type " + pending[p]
                    + "); something other than FrameChannel wrote to this pipe");
        }
        if (live < 5 + length) {
            return null;
        }
        byte type = pending[p];
        byte[] payload = Arrays.copyOfRange(pending, p + 5, p + 5 + length);
        pendingStart += 5 + length;
        if (pendingStart == pendingEnd) {
            pendingStart = pendingEnd = 0;
        }
        return new Frame(type, payload);
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
