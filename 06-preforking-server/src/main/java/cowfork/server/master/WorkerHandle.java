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
    final Protocol.Counters counters = new Protocol.Counters();
    String why = "";
    /** It was killed while it was the slot's serving worker: no replacement runs yet. */
    boolean killedWhileRunning;
    /** When it was sent SIGKILL (state KILLED). */
    long killedNanos;
    /** It outlived its SIGKILL by {@link WorkerPool#KILL_GRACE_NANOS} (stuck in the kernel): said once, slot given up. */
    boolean survivedKill;

    /** What the master has to tell it and could not write yet (its pipe was full). */
    final Outbox outbox;
    /** A stop order that did not fit in the outbox: written once it has room. */
    boolean stopOwed;
    /** Since when its outbox has waited for room in its pipe (0: it has not); whether the log said so. */
    long outboxWaitingSince;
    boolean saidNotReading;

    /** Its stats requests not answered yet: token, format, and when each arrived. At most {@link Protocol#MAX_ASKS_IN_FLIGHT}. */
    final int[] askTokens = new int[Protocol.MAX_ASKS_IN_FLIGHT];
    final byte[] askFormats = new byte[Protocol.MAX_ASKS_IN_FLIGHT];
    final long[] askedAt = new long[Protocol.MAX_ASKS_IN_FLIGHT];
    int asks;

    WorkerHandle(int id, int slot, ChildHandle process, long now, int answerLimit) {
        this.id = id;
        this.slot = slot;
        this.process = process;
        this.bornNanos = now;
        this.lastBeatNanos = now;
        this.outbox = new Outbox(answerLimit);
    }

    /** Whether this worker is its slot's worker: serving, or killed while serving and not yet reaped. */
    boolean holdsSlot() {
        return state == State.RUNNING || (state == State.KILLED && killedWhileRunning);
    }

    int pid() {
        return process.pid();
    }

    /** Its state as the reports name it ("running", ...), without making a string. */
    String stateName() {
        return STATE_NAMES[state.ordinal()];
    }

    private static final String[] STATE_NAMES = new String[State.values().length];

    static {
        for (State s : State.values()) {
            STATE_NAMES[s.ordinal()] = s.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return "worker " + slot + " (pid " + pid() + ")";
    }
}
