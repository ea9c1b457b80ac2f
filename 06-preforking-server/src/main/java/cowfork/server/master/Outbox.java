// The master's messages to one worker, queued in a bounded buffer and written only when its pipe has room.
package cowfork.server.master;

import cowfork.fork.FrameChannel;
import cowfork.fork.Syscalls;

/**
 * What the master has to say to one worker and could not write yet. The master's end of
 * the worker's pipe is non-blocking: a worker busy in a slow request does not read its
 * pipe, the pipe fills, and a blocking write would stop the master's only thread (no
 * signals, no reaping, no heartbeats) until that request ends. So frames go into this
 * buffer, and the master writes them when poll(2) reports room (POLLOUT), as Netty does
 * with a channel's outbound buffer and its writability flag.
 *
 * <pre>
 *   buffer:  [ written | start .. frames not yet written .. end | room ]
 * </pre>
 *
 * The buffer is made once, as large as the longest message plus a few orders, and never
 * grows: a message that does not fit is refused ({@link #startFrame} returns -1) and its
 * sender decides (the stats answer waits for the next round; a stop order is owed).
 */
final class Outbox {
    /** {@link #flush} results. */
    static final int EMPTY = 0;
    static final int MORE = 1;
    static final int BROKEN = 2;

    private final byte[] buffer;
    private int start;
    private int end;

    /** An outbox for messages up to {@code largestPayload} bytes (one of them, plus a few small ones). */
    Outbox(int largestPayload) {
        this.buffer = new byte[FrameChannel.HEADER + largestPayload + 256];
    }

    /** Whether frames wait to be written (poll the pipe for room). */
    boolean pending() {
        return start < end;
    }

    /** Bytes waiting. */
    int waiting() {
        return end - start;
    }

    /**
     * Makes room for a frame with a payload of {@code length} bytes and writes its header;
     * returns where in {@link #array()} the payload goes, or -1 if it does not fit now
     * (nothing is written). The caller fills the payload, then {@link #commit}s.
     */
    int startFrame(int length) {
        int need = FrameChannel.HEADER + length;
        if (end + need > buffer.length && start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end + need > buffer.length) {
            return -1;
        }
        FrameChannel.putHeader(buffer, end, FrameChannel.MESSAGE, length);
        return end + FrameChannel.HEADER;
    }

    /** The array frames are built in. */
    byte[] array() {
        return buffer;
    }

    /** Ends the frame begun by {@link #startFrame}: its payload ends at {@code payloadEnd}. */
    void commit(int payloadEnd) {
        end = payloadEnd;
    }

    /** Queues a small message whole; false if there is no room now. */
    boolean offer(byte[] payload) {
        int at = startFrame(payload.length);
        if (at < 0) {
            return false;
        }
        System.arraycopy(payload, 0, buffer, at, payload.length);
        commit(at + payload.length);
        return true;
    }

    /**
     * Writes what the pipe {@code fd} (non-blocking) takes now.
     *
     * @return {@link #EMPTY} all written; {@link #MORE} the pipe is full (poll it for room);
     *     {@link #BROKEN} the worker's end is closed (EPIPE: it is exiting; its pidfd will say so)
     */
    int flush(int fd) {
        while (start < end) {
            // write(2) takes the array from index 0: move what is left to the front first.
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            long n = Syscalls.posix().write(fd, buffer, (long) end);
            if (n < 0) {
                int errno = Syscalls.posixErrno();
                if (errno == Syscalls.EINTR) {
                    continue;
                }
                if (errno == Syscalls.EAGAIN) {
                    return MORE;
                }
                start = end = 0; // nobody will read it
                return BROKEN;
            }
            start += (int) n;
        }
        start = end = 0;
        return EMPTY;
    }
}
