// The master's workers by slot: which slot needs a worker, and forking, stopping, killing and reaping them.
package cowfork.server.master;

import cowfork.fork.ChildHandle;
import cowfork.fork.ChildResult;
import cowfork.fork.ExitStatus;
import cowfork.fork.ForkException;
import cowfork.fork.Forker;
import cowfork.fork.Syscalls;
import cowfork.server.app.Store;
import cowfork.server.protocol.Protocol;
import cowfork.server.worker.Worker;
import cowfork.server.worker.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The bookkeeping behind the master's loop: the live workers, the target count of slots
 * (1..target), how often each slot has been restarted, and when the next fork may happen
 * ({@link RespawnPolicy}: the master's {@link RespawnBackoff}, unless one is registered in its place).
 *
 * <pre>
 *   slot:      1            2                    3
 *   workers:   [RUNNING]    [RETIRING][RUNNING]  [KILLED while running]   (a slot's worker holds it until reaped)
 *   restarts:  0            1                    4
 * </pre>
 *
 * <p>A worker enters the list in {@link #spawn} and leaves it only in {@link #reap}, which
 * is the one place its descriptors are released. Not thread-safe: the master's one thread
 * owns it.
 */
final class WorkerPool {
    private static final byte[] NOTHING = new byte[0];
    /** The exit status of a worker told to crash as it boots (--debug-crash-workers): EX_SOFTWARE. */
    static final int EXIT_DEBUG_CRASH = 70;
    private static final byte[] STOP = {Protocol.STOP};
    /**
     * How long a worker sent SIGKILL may take to disappear before the master says it is stuck
     * (in an uninterruptible wait in the kernel, state D) and gives its slot to a new worker:
     * 01's watchdog grace. The master keeps watching its pidfd, and reaps it whenever it ends.
     */
    static final long KILL_GRACE_NANOS = ChildHandle.KILL_GRACE_NANOS;
    /** A worker that has not read its pipe for this long is named in the log (once per such wait). */
    static final long NOT_READING_NOTICE_NANOS = 1_000_000_000L;

    private final ServerConfig config;
    private final WorkerConfig workerConfig;
    private final Store store;
    private final int listenFd;
    private final Forker forker;
    private final Log log;
    private final int answerLimit;
    private final SplittableRandom jitter = new SplittableRandom();
    private final RespawnPolicy backoff = RespawnPolicy.forMaster();
    private final List<WorkerHandle> workers = new ArrayList<>();
    private final List<WorkerHandle> view = Collections.unmodifiableList(workers);
    /** Restarts per slot; index 0 unused. */
    private final List<Integer> restarts = new ArrayList<>(List.of(0));
    private int target;
    private int nextId = 1;
    private long nextSpawnNanos;

    /** A pool of {@code config.workers()} slots whose workers serve {@code store} on {@code listenFd}; nothing forked yet. */
    WorkerPool(ServerConfig config, Store store, int listenFd, Forker forker, Log log, int answerLimit) {
        this.answerLimit = answerLimit;
        this.config = config;
        this.workerConfig = config.workerConfig();
        this.store = store;
        this.listenFd = listenFd;
        this.forker = forker;
        this.log = log;
        this.target = config.workers();
    }

    /** The live workers (forked and not yet reaped), oldest first; a read-only view. */
    List<WorkerHandle> workers() {
        return view;
    }

    /** Takes {@code w} (forked elsewhere) into the pool, as {@link #spawn} does: for tests of the bookkeeping. */
    void adopt(WorkerHandle w) {
        workers.add(w);
        while (restarts.size() <= w.slot) {
            restarts.add(0);
        }
    }

    /** Restarts per slot (index 0 unused); a read-only view. */
    List<Integer> restarts() {
        return Collections.unmodifiableList(restarts);
    }

    /** How many slots the pool keeps a worker in (--workers, changed by TTIN and TTOU). */
    int target() {
        return target;
    }

    /** One slot more. */
    void grow() {
        target++;
    }

    /** One slot less; returns false (and changes nothing) at one slot. */
    boolean shrink() {
        if (target <= 1) {
            return false;
        }
        target--;
        return true;
    }

    /** Live workers that have sent their first heartbeat. */
    long booted() {
        return workers.stream().filter(w -> w.booted).count();
    }

    /**
     * The earliest of: a worker's heartbeat deadline, a worker's stop deadline, the end of a
     * killed worker's grace, the next fork after backing off; or {@code next}. A killed
     * worker's own deadlines have passed and mean nothing more: only its pidfd and its grace
     * count, so the master sleeps in poll while the kernel tears it down.
     */
    long nextDeadline(long now, long next) {
        long timeout = ServerConfig.nanos(config.timeoutSeconds());
        for (int i = 0; i < workers.size(); i++) {
            WorkerHandle w = workers.get(i);
            if (w.state == WorkerHandle.State.KILLED) {
                if (!w.survivedKill) {
                    next = Math.min(next, w.killedNanos + KILL_GRACE_NANOS);
                }
                continue;
            }
            next = Math.min(next, w.lastBeatNanos + timeout);
            next = Math.min(next, w.stopDeadlineNanos);
            if (w.outboxWaitingSince != 0 && !w.saidNotReading) {
                next = Math.min(next, w.outboxWaitingSince + NOT_READING_NOTICE_NANOS);
            }
        }
        if (nextSpawnNanos > now) {
            next = Math.min(next, nextSpawnNanos);
        }
        return next;
    }

    // ---- filling the slots ----

    /**
     * Forks a worker for every slot that has none running; stops running workers in slots
     * above the target. Returns early while backing off (workers died while booting), and
     * forks only with {@code signals}' handler threads ended (no other thread may run at a fork).
     */
    void reconcile(long now, Signals signals) {
        for (int i = 0; i < workers.size(); i++) { // (stopping one changes no list; index loops allocate nothing)
            WorkerHandle w = workers.get(i);
            if (w.slot > target && w.state == WorkerHandle.State.RUNNING) {
                log.line("%s: slot %d is above --workers %d now; stopping it gracefully", w, w.slot, target);
                stop(w, WorkerHandle.State.STOPPING, now);
            }
        }
        for (int slot = 1; slot <= target; slot++) {
            if (hasRunning(slot)) {
                continue;
            }
            if (now - nextSpawnNanos < 0) {
                return; // backing off: workers died while booting (RespawnBackoff); the poll wakes us in time
            }
            spawn(slot, signals);
        }
    }

    private boolean hasRunning(int slot) {
        for (int i = 0; i < workers.size(); i++) {
            WorkerHandle w = workers.get(i);
            if (w.slot == slot && w.holdsSlot()) {
                return true;
            }
        }
        return false;
    }

    /** Forks a worker into {@code slot}; if fork fails, logs it and backs off (the slot stays empty). */
    private void spawn(int slot, Signals signals) {
        while (restarts.size() <= slot) {
            restarts.add(-1); // the first worker of a slot is not a restart
        }
        restarts.set(slot, restarts.get(slot) + 1);
        WorkerConfig wc = workerConfig.withRetireAfter(config.retireAfter(jitter));
        int[] masterOnly = signals.descriptors();
        signals.quiesce();
        ChildHandle p;
        try {
            p = forker.start(child -> {
                for (int fd : masterOnly) {
                    Syscalls.posix().close(fd);
                }
                if (config.debugCrashWorkers()) {
                    child.exitCode(EXIT_DEBUG_CRASH); // --debug-crash-workers: dies before its first heartbeat
                    return NOTHING;
                }
                new Worker(wc, child, store, listenFd).run();
                return NOTHING;
            });
        } catch (ForkException | IllegalStateException e) {
            nextSpawnNanos = System.nanoTime() + backoff.onForkFailure();
            log.line("could not fork a worker for slot %d: %s; trying again later", slot, e.getMessage());
            return;
        }
        p.nonBlocking(); // the master never waits for a worker: it writes when poll says there is room (Outbox)
        WorkerHandle w = new WorkerHandle(nextId++, slot, p, System.nanoTime(), answerLimit);
        workers.add(w);
        // One grep-able line per fork (the scale benchmark parses it): fork() copies page
        // tables, so its time grows with the master's resident memory, and falls with huge pages.
        log.line("%s forked in %.1f ms", w, forker.lastTimings().forkNanos() / 1e6);
    }

    // ---- ending workers ----

    /**
     * Tells a worker to finish its requests and exit ({@code state} RETIRING: a replacement
     * runs; STOPPING: none does); it is killed if it still runs after --graceful-timeout.
     * A worker already exiting is left to its pidfd.
     */
    void stop(WorkerHandle w, WorkerHandle.State state, long now) {
        w.state = state;
        w.stopDeadlineNanos = now + ServerConfig.nanos(config.gracefulTimeoutSeconds());
        w.stopOwed = true;
        flush(w);
    }

    /**
     * Writes what {@code w}'s outbox holds, as far as its pipe takes it now, and queues a
     * stop order owed to it once there is room. Never waits: what is left goes when poll
     * reports room. A worker whose end is closed (it is exiting) is left to its pidfd.
     */
    void flush(WorkerHandle w) {
        if (w.stopOwed && w.outbox.offer(STOP)) {
            w.stopOwed = false;
        }
        if (w.outbox.pending() && w.outbox.flush(w.process.orderFd()) == Outbox.EMPTY && w.stopOwed
                && w.outbox.offer(STOP)) {
            w.stopOwed = false;
            w.outbox.flush(w.process.orderFd());
        }
        if (!w.outbox.pending()) {
            w.outboxWaitingSince = 0;
            w.saidNotReading = false;
        } else if (w.outboxWaitingSince == 0) {
            w.outboxWaitingSince = System.nanoTime();
        }
    }

    /** Names, once per wait, a worker that has not read its pipe for {@link #NOT_READING_NOTICE_NANOS}. */
    void noticeNotReading(long now) {
        for (int i = 0; i < workers.size(); i++) {
            WorkerHandle w = workers.get(i);
            if (w.outboxWaitingSince != 0 && !w.saidNotReading && w.state != WorkerHandle.State.KILLED
                    && now - (w.outboxWaitingSince + NOT_READING_NOTICE_NANOS) >= 0) {
                w.saidNotReading = true;
                log.line("%s has not read its pipe for %.1f s (busy with a request): %d bytes of answers wait for it;"
                        + " nothing else does", w, (now - w.outboxWaitingSince) / 1e9, w.outbox.waiting());
            }
        }
    }

    /** Stops every worker not already killed, for good (TERM). */
    void stopAll(long now) {
        for (WorkerHandle w : workers) {
            if (w.state != WorkerHandle.State.KILLED) {
                stop(w, WorkerHandle.State.STOPPING, now);
            }
        }
    }

    /** Retires every serving worker, {@code why} being the reason its exit is logged with (HUP): replacements start. */
    void retireAll(String why, long now) {
        for (WorkerHandle w : List.copyOf(workers)) {
            if (w.state == WorkerHandle.State.RUNNING) {
                w.why = why;
                stop(w, WorkerHandle.State.RETIRING, now);
            }
        }
    }

    /** SIGKILLs a worker, logging {@code why}; it stays in the list until its pidfd fires and {@link #reap} runs. */
    void kill(WorkerHandle w, String why) {
        log.line("%s: %s; killing it (SIGKILL)", w, why);
        w.why = why;
        // A killed worker that was serving keeps its slot until it is reaped: only then does
        // the backoff know how it died (before booting or not) and when to fork its replacement.
        w.killedWhileRunning = w.state == WorkerHandle.State.RUNNING;
        w.state = WorkerHandle.State.KILLED;
        w.killedNanos = System.nanoTime();
        try {
            w.process.signal(9);
        } catch (ForkException alreadyGone) {
            // it exited on its own; its pidfd will say so
        }
    }

    /** Kills every worker not already killed, logging {@code why}. */
    void killAll(String why) {
        for (WorkerHandle w : workers) {
            if (w.state != WorkerHandle.State.KILLED) {
                kill(w, why);
            }
        }
    }

    /**
     * Kills every worker whose heartbeat is older than --timeout or that outlives its stop
     * deadline; and, once {@code now} is past {@code stopAllDeadline} (a graceful stop's
     * end, or {@link Long#MAX_VALUE}), every worker still running.
     */
    void killOverdue(long now, long stopAllDeadline) {
        long timeout = ServerConfig.nanos(config.timeoutSeconds());
        for (int i = 0; i < workers.size(); i++) {
            WorkerHandle w = workers.get(i);
            if (w.state == WorkerHandle.State.KILLED) {
                if (!w.survivedKill && now - (w.killedNanos + KILL_GRACE_NANOS) >= 0) {
                    // SIGKILL cannot be caught: a process that outlives it is stuck in the kernel.
                    // Say where, give its slot to a new worker, and keep watching its pidfd.
                    w.survivedKill = true;
                    w.killedWhileRunning = false;
                    log.line("%s still exists %.1f s after SIGKILL: %s, %s; its slot gets a new worker, and it is"
                            + " reaped whenever it ends", w, (now - w.killedNanos) / 1e9,
                            cowfork.support.Processes.describe(w.pid()), cowfork.support.Processes.syscall(w.pid()));
                }
                continue;
            }
            if (now - w.lastBeatNanos > timeout) {
                kill(w, String.format(Locale.ROOT, "no heartbeat for %.1f s (--timeout %s)",
                        (now - w.lastBeatNanos) / 1e9, config.timeoutSeconds()));
            } else if (now - w.stopDeadlineNanos > 0) {
                kill(w, "still running past --graceful-timeout");
            }
        }
        if (stopAllDeadline != Long.MAX_VALUE && now - stopAllDeadline > 0) {
            killAll("still running past --graceful-timeout");
        }
    }

    /**
     * Reaps a worker whose pidfd fired, logs how it ended and, if it died unexpectedly (not
     * while the master stops), sets when its slot's replacement may be forked. The one place a
     * worker's descriptors are released: its handle leaves the list at the same moment, so no
     * poll and no send ever uses their numbers again.
     */
    void reap(WorkerHandle w, long now, boolean masterStopping) {
        ChildResult r = w.process.await(Duration.ofSeconds(5));
        workers.remove(w);
        boolean expected = w.state != WorkerHandle.State.RUNNING;
        boolean clean = r.status() instanceof ExitStatus.Exited e && e.code() == 0;
        String lived = String.format(Locale.ROOT, "%.1f s", (now - w.bornNanos) / 1e9);
        if (expected && clean) {
            log.line("%s exited after %s and %d requests (%s)", w, lived, w.counters.requests(),
                    w.why.isEmpty() ? w.state.name().toLowerCase(Locale.ROOT) : w.why);
            return;
        }
        String how = w.state == WorkerHandle.State.KILLED ? w.why + "; " + r.status() : r.status().toString();
        if (r.failure() != null) {
            how += "; it threw: " + r.failure().lines().findFirst().orElse("");
        }
        if (masterStopping || w.state == WorkerHandle.State.STOPPING) {
            log.line("%s ended: %s", w, how);
            return;
        }
        // Only a worker that never booted says the next one will die too: one that served is replaced at once.
        long delay = backoff.onDeath(w.booted, w.counters.requests());
        nextSpawnNanos = now + delay;
        log.line("%s died after %s: %s; %s", w, lived, how, delay == 0 ? "replacing it"
                : String.format(Locale.ROOT, "%d deaths before booting in a row, next fork in %d ms",
                        backoff.quickDeaths(), delay / 1_000_000));
    }
}
