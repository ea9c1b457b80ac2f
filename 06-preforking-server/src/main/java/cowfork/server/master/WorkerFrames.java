// What the master does with a worker's frames: heartbeats, "retiring", stats requests, and the one "ready" line.
package cowfork.server.master;

import cowfork.server.protocol.Protocol;
import java.util.Locale;


/**
 * The master's side of {@link Protocol}, worker to master. Every frame carries the worker's
 * counters and counts as a heartbeat; then, by type:
 *
 * <pre>
 *   HEARTBEAT  the first one: the worker booted (and once every slot's worker has, "ready: N workers")
 *   RETIRING   it will exit (max-requests, or its Java heap budget nearly spent): a replacement starts
 *   STATS      a /stats or /dashboard/data request, queued for StatsRefresh's next round
 * </pre>
 *
 * <p>A frame that breaks the protocol (a length its kind does not have, an unknown kind, a
 * corrupt frame length, more stats requests than a worker may have waiting) is a broken
 * worker: the master logs it and kills the worker, and its only thread goes on. Reading
 * frames never reaps and never closes: that is {@link WorkerPool#reap}'s alone.
 */
final class WorkerFrames {
    private final ServerConfig config;
    private final WorkerPool pool;
    private final StatsRefresh stats;
    private final Log log;
    private boolean announcedReady;

    WorkerFrames(ServerConfig config, WorkerPool pool, StatsRefresh stats, Log log) {
        this.config = config;
        this.pool = pool;
        this.stats = stats;
        this.log = log;
    }

    /**
     * Handles at most {@code max} of the worker's frames, each stamped with the clock read
     * when it is handled. At the end of the worker's messages it returns; the pool releases
     * the worker's descriptors when its exit descriptor fires. An unknown frame type is
     * logged and ignored.
     *
     * @return true if it stopped at {@code max}: more frames may wait in the channel's
     *     buffer, where poll(2) cannot see them, so the next poll must not sleep
     */
    boolean read(WorkerHandle w, int max) {
        for (int i = 0; i < max; i++) {
            try {
                if (!w.process.nextMessageInPlace()) {
                    return false;
                }
            } catch (IllegalStateException corrupt) { // a frame length no FrameChannel writes
                broken(w, corrupt.getMessage());
                return false;
            }
            handle(w, w.process.heldBuffer(), w.process.heldStart(), w.process.heldLength(), System.nanoTime());
            w.process.releaseMessage();
        }
        return true;
    }

    /** One message, {@code msg[at, at + length)}, read where it lies (the master makes no garbage per heartbeat). */
    private void handle(WorkerHandle w, byte[] msg, int at, int length, long now) {
        if (w.state == WorkerHandle.State.KILLED) {
            return; // what a killed worker still had in its pipe changes nothing
        }
        int expected = length == 0 ? -1 : Protocol.workerMessageLength(msg[at]);
        if (length != expected) {
            broken(w, length == 0 ? "an empty message" : expected < 0
                    ? String.format(Locale.ROOT, "a message of unknown type %d (%d bytes)", msg[at], length)
                    : String.format(Locale.ROOT, "a '%c' message of %d bytes (it has %d)", (char) msg[at], length, expected));
            return;
        }
        w.counters.read(msg, at);
        w.lastBeatNanos = now;
        switch (msg[at]) {
            case Protocol.HEARTBEAT -> {
                if (!w.booted) {
                    w.booted = true;
                    log.line("%s booted", w);
                    announceReadyOnce();
                }
            }
            case Protocol.RETIRING -> {
                byte reason = msg[at + 1 + Protocol.COUNTERS];
                if (w.state == WorkerHandle.State.RUNNING) {
                    w.state = WorkerHandle.State.RETIRING;
                    w.stopDeadlineNanos = now + ServerConfig.nanos(config.gracefulTimeoutSeconds());
                }
                w.why = reason == Protocol.RETIRE_MAX_REQUESTS ? "max-requests reached" : "Java heap budget nearly spent";
                log.line("%s retires after %d requests (%s, %d KiB of Java heap left); a replacement starts",
                        w, w.counters.requests(), w.why, w.counters.heapLeft() >> 10);
            }
            case Protocol.STATS -> {
                if (!stats.ask(w, Protocol.getInt(msg, at + 1 + Protocol.COUNTERS), msg[at + 1 + Protocol.COUNTERS + 4], now)) {
                    broken(w, "more than " + Protocol.MAX_ASKS_IN_FLIGHT + " stats requests waiting at once");
                }
            }
            default -> throw new AssertionError("a known length for an unknown type"); // workerMessageLength knows each
        }
    }

    /** A worker that broke the protocol: it cannot be trusted to serve. */
    private void broken(WorkerHandle w, String what) {
        if (w.state != WorkerHandle.State.KILLED) {
            pool.kill(w, "it broke the protocol (" + what + ")");
        }
    }

    /** Logs "ready" the first time as many workers have booted as the pool has slots; never again. */
    private void announceReadyOnce() {
        if (announcedReady) {
            return;
        }
        long booted = pool.booted();
        if (booted >= pool.target()) {
            announcedReady = true;
            log.line("ready: %d workers", booted);
        }
    }
}
