// A worker's side of the pipes to its master: heartbeats that never block the event loop, retiring, stats questions, orders.
package cowfork.server.worker;

import cowfork.fork.ChildContext;
import cowfork.fork.FrameChannel;
import cowfork.fork.PollSet;
import cowfork.server.protocol.Protocol;

/**
 * What a {@link Worker} says to its master and hears back ({@link Protocol}), allocating
 * nothing per message: the frames are encoded into arrays made once, and the master's
 * are read in place, in a receive buffer sized once for the longest ({@link Protocol#answerLimit}).
 *
 * <p>A heartbeat must never stall the worker's clients: if the master is slow to read and
 * the pipe is full, the beat is skipped (the master reads the latest counts anyway, and a
 * worker that skips beats for {@code --timeout} is one the master kills, as it should).
 * Retiring and stats messages are rare and must arrive, so they are written as before:
 * a worker has at most {@link Protocol#MAX_ASKS_IN_FLIGHT} stats requests waiting, so they
 * never fill the pipe, and the master never stops reading it.
 */
final class MasterLink {
    private static final long FRESH_COUNTS_NANOS = 100_000_000L;

    private final ChildContext child;
    private final FrameChannel orders;
    private final long heartbeatNanos;
    private final byte[] heartbeat = new byte[1 + Protocol.COUNTERS];
    private final byte[] retiring = new byte[1 + Protocol.COUNTERS + 1];
    private final byte[] statsRequest = new byte[1 + Protocol.COUNTERS + 5];
    /** The message pipe, watched for room: is there room for a beat? */
    private final PollSet room;

    private long lastHeartbeat;
    private long reportedRequests;
    private boolean gone;
    /** Stats requests sent and not answered yet. */
    private int asksInFlight;
    /** Beats not sent because the pipe was full (for tests and the curious). */
    long skippedBeats;

    MasterLink(ChildContext child, long heartbeatNanos, int answerLimit) {
        this.child = child;
        this.orders = child.channel();
        orders.limitPayload(answerLimit); // the buffer is made now, before the worker serves
        this.heartbeatNanos = heartbeatNanos;
        this.room = PollSet.withRoom(1);
        room.add(child.messageFd(), PollSet.OUT);
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
     * Holds the master's next message where it lies: true if one has arrived, and then it is
     * at {@link #orderBuffer()}[{@link #orderStart()}, + {@link #orderLength()}) until
     * {@link #releaseOrder()}. False if none is waiting, or the master is gone (see
     * {@link #gone()}). Never blocks, never allocates.
     */
    boolean nextOrder() {
        try {
            if (orders.nextInPlace()) {
                return true;
            }
        } catch (IllegalStateException corrupt) { // a length no master writes: nothing more can be trusted
            log("worker " + child.pid() + ": " + corrupt.getMessage() + "; leaving");
            gone = true;
            return false;
        }
        if (orders.closedAndEmpty()) {
            gone = true; // the kernel's PDEATHSIG may beat us to it: either way we go
        }
        return false;
    }

    byte[] orderBuffer() {
        return orders.buffer();
    }

    int orderStart() {
        return orders.heldStart();
    }

    int orderLength() {
        return orders.heldLength();
    }

    /** Done with the message {@link #nextOrder} held. */
    void releaseOrder() {
        orders.release();
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
        return room.await(0) > 0 && room.writable(0);
    }

    /** Tells the master this worker retires, and why ({@link Protocol#RETIRE_MAX_REQUESTS}...). */
    void retiring(byte reason, long requests, int connections) {
        retiring[1 + Protocol.COUNTERS] = reason;
        send(retiring, Protocol.RETIRING, requests, connections);
    }

    /**
     * Asks the master for the stats table; its answer carries {@code token}. Returns false,
     * sending nothing, if {@link Protocol#MAX_ASKS_IN_FLIGHT} requests already wait for answers.
     */
    boolean askStats(int token, byte format, long requests, int connections) {
        if (asksInFlight >= Protocol.MAX_ASKS_IN_FLIGHT) {
            return false;
        }
        asksInFlight++;
        Protocol.putInt(statsRequest, 1 + Protocol.COUNTERS, token);
        statsRequest[1 + Protocol.COUNTERS + 4] = format;
        send(statsRequest, Protocol.STATS, requests, connections);
        return true;
    }

    /** The master answered {@code tokens} requests (every one it answers, whether its client is still there or not). */
    void answered(int tokens) {
        asksInFlight = Math.max(0, asksInFlight - tokens);
    }

    /** Stats requests waiting for the master's answer. */
    int asksInFlight() {
        return asksInFlight;
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
