// A worker's side of the pipes to its master: heartbeats that never block the event loop, retiring, stats questions, orders.
package cowfork.server.worker;

import cowfork.fork.ChildContext;
import cowfork.fork.FrameChannel;
import cowfork.fork.Syscalls;
import cowfork.server.protocol.Protocol;
import java.time.Duration;

/**
 * What a {@link Worker} says to its master and hears back ({@link Protocol}), allocating
 * nothing per message: the frames are encoded into arrays made once.
 *
 * <p>A heartbeat must never stall the worker's clients: if the master is slow to read and
 * the pipe is full, the beat is skipped (the master reads the latest counts anyway, and a
 * worker that skips beats for {@code --timeout} is one the master kills, as it should).
 * Retiring and stats messages are rare and must arrive, so they are written as before.
 */
final class MasterLink {
    private static final int POLLOUT = 0x004;
    private static final long FRESH_COUNTS_NANOS = 100_000_000L;

    private final ChildContext child;
    private final long heartbeatNanos;
    private final byte[] heartbeat = new byte[1 + Protocol.COUNTERS];
    private final byte[] retiring = new byte[1 + Protocol.COUNTERS + 1];
    private final byte[] statsRequest = new byte[1 + Protocol.COUNTERS + 5];
    /** One {@code struct pollfd} for the message pipe: is there room for a beat? */
    private final int[] roomPoll = new int[2];

    private long lastHeartbeat;
    private long reportedRequests;
    private boolean gone;
    /** Beats not sent because the pipe was full (for tests and the curious). */
    long skippedBeats;

    MasterLink(ChildContext child, long heartbeatNanos) {
        this.child = child;
        this.heartbeatNanos = heartbeatNanos;
    }

    /** The descriptor the master's orders arrive on. */
    int controlFd() {
        return child.controlFd();
    }

    /** Whether the master is gone (its pipe closed, or a write to it failed). */
    boolean gone() {
        return gone;
    }

    /**
     * The master's next message, or null if none is waiting (or the master is gone: see
     * {@link #gone()}). Never blocks.
     */
    byte[] nextOrder() {
        try {
            return child.receive(Duration.ZERO);
        } catch (FrameChannel.ClosedException e) {
            gone = true; // the kernel's PDEATHSIG may beat us to it: either way we go
            return null;
        }
    }

    /** The first heartbeat: the master logs the worker as booted. */
    void booted(long now, long requests, int connections) {
        lastHeartbeat = now;
        send(heartbeat, Protocol.HEARTBEAT, requests, connections);
    }

    /**
     * When the next heartbeat is due: every interval, and sooner (at most every 100 ms) when
     * requests were served since the last one, so the master's counts are fresh when it reports.
     */
    long nextBeat(long requests) {
        return lastHeartbeat + (requests != reportedRequests ? Math.min(FRESH_COUNTS_NANOS, heartbeatNanos) : heartbeatNanos);
    }

    /** Sends a heartbeat if one is due and the pipe has room; skips it if the pipe is full. */
    void beatIfDue(long now, long requests, int connections) {
        if (gone || now - nextBeat(requests) < 0) {
            return;
        }
        lastHeartbeat = now;
        if (!pipeHasRoom()) {
            skippedBeats++;
            return;
        }
        send(heartbeat, Protocol.HEARTBEAT, requests, connections);
        reportedRequests = requests;
    }

    /**
     * Whether a small frame can be written without blocking. Linux reports a pipe writable
     * when a buffer page is free, so a frame this small fits whole; only this worker writes
     * to the pipe, so the room cannot vanish before the write.
     */
    private boolean pipeHasRoom() {
        roomPoll[0] = child.messageFd();
        roomPoll[1] = POLLOUT;
        int n = Syscalls.libc().poll(roomPoll, 1, 0);
        return n > 0 && ((roomPoll[1] >>> 16) & POLLOUT) != 0;
    }

    /** Tells the master this worker retires, and why ({@link Protocol#RETIRE_MAX_REQUESTS}...). */
    void retiring(byte reason, long requests, int connections) {
        retiring[1 + Protocol.COUNTERS] = reason;
        send(retiring, Protocol.RETIRING, requests, connections);
    }

    /** Asks the master for the stats table; its answer carries {@code token}. */
    void askStats(int token, byte format, long requests, int connections) {
        Protocol.putInt(statsRequest, 1 + Protocol.COUNTERS, token);
        statsRequest[1 + Protocol.COUNTERS + 4] = format;
        send(statsRequest, Protocol.STATS, requests, connections);
    }

    /** Bytes of Java heap this worker may still allocate. */
    long heapBytesLeft() {
        return child.heapBytesLeft();
    }

    /** Writes a line to the worker's standard error (allocates: for rare events only). */
    void log(String line) {
        child.printErr(line + "\n");
    }

    /** Chooses the worker's exit status. */
    void exitCode(int code) {
        child.exitCode(code);
    }

    private void send(byte[] msg, byte type, long requests, int connections) {
        Protocol.encodeCounters(msg, type, requests, child.heapBytesAllocated(), child.heapBytesLeft(), connections);
        try {
            child.send(msg);
        } catch (RuntimeException e) {
            gone = true; // EPIPE: the master died before we saw its pipe close
        }
    }
}
