// The master's record of one forked worker: its process, its slot, its last heartbeat and what it last reported.
package cowfork.server.master;

import cowfork.fork.ChildHandle;
import cowfork.server.protocol.Protocol;

/**
 * One worker as the master sees it. A slot is a worker's place (1..--workers): a worker
 * that dies is replaced in the same slot, and the slot counts its restarts. While a worker
 * retires, its replacement already runs in the same slot.
 */
final class WorkerHandle {
    /** What the master expects of the worker next. */
    enum State {
        /** Serving. */
        RUNNING,
        /** It said it will retire (max-requests or heap budget), or the master replaces it (HUP): a replacement runs. */
        RETIRING,
        /** Told to stop for good (TTOU, TERM): nobody replaces it. */
        STOPPING,
        /** Killed by the master (missed heartbeat, graceful timeout): waiting to be reaped. */
        KILLED
    }

    final int id;
    final int slot;
    final ChildHandle process;
    final long bornNanos;
    State state = State.RUNNING;
    long lastBeatNanos;
    /** When a STOPPING or RETIRING worker is killed if it has not exited. */
    long stopDeadlineNanos = Long.MAX_VALUE;
    boolean booted;
    Protocol.Counters counters = new Protocol.Counters(0, 0, 0, 0);
    String why = "";
    /** It was killed while it was the slot's serving worker: no replacement runs yet. */
    boolean killedWhileRunning;

    WorkerHandle(int id, int slot, ChildHandle process, long now) {
        this.id = id;
        this.slot = slot;
        this.process = process;
        this.bornNanos = now;
        this.lastBeatNanos = now;
    }

    /** Whether this worker is its slot's worker: serving, or killed while serving and not yet reaped. */
    boolean holdsSlot() {
        return state == State.RUNNING || (state == State.KILLED && killedWhileRunning);
    }

    int pid() {
        return process.pid();
    }

    @Override
    public String toString() {
        return "worker " + slot + " (pid " + pid() + ")";
    }
}
