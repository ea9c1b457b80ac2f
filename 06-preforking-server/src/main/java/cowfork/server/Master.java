// The master: forks the workers, watches them with one poll loop, replaces the dead, kills the stuck, obeys signals.
package cowfork.server;

import cowfork.fork.ChildProcess;
import cowfork.fork.ChildResult;
import cowfork.fork.ExitStatus;
import cowfork.fork.ForkException;
import cowfork.fork.Forker;
import cowfork.fork.LibC;
import cowfork.fork.Syscalls;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The supervisor, in the shape of gunicorn's arbiter and unicorn's master.
 *
 * <pre>
 *   poll(2) over:  the signal pipe                       TERM INT HUP TTIN TTOU USR1 (handled first)
 *                  each worker's message pipe            heartbeats, "retiring", stats requests (64 a pass)
 *                  each worker's pidfd                   it exited: reap it, log why, replace it
 *   every pass:    one step of /stats work (one process's smaps, see StatsRefresh)
 *                  kill workers whose heartbeat is older than --timeout (or that outlive a stop)
 *                  fork a worker for every slot without a running one (with backoff while workers die booting)
 * </pre>
 *
 * <p>One thread, and no other thread running when it forks (01's rule): signal handler
 * threads are joined first ({@link Signals#quiesce}). Workers die with the master
 * (01's Forker sets PR_SET_PDEATHSIG) and see its pipe close; the master reaps every
 * worker it forked, so nothing is left behind.
 */
public final class Master {
    private static final byte[] NOTHING = new byte[0];
    private static final long SECOND = 1_000_000_000L;
    /** Frames taken from one worker per pass: a flood from one worker cannot starve the others or the signals. */
    private static final int MAX_FRAMES_PER_PASS = 64;

    private final ServerConfig config;
    private final Store store;
    private final int listenFd;
    private final MemoryReport memory;
    private final PrintStream out;
    private final Forker forker;
    private final WorkerConfig workerConfig;
    private final SplittableRandom jitter = new SplittableRandom();
    private final List<WorkerHandle> workers = new ArrayList<>();
    /** Restarts per slot; index 0 unused. */
    private final List<Integer> restarts = new ArrayList<>(List.of(0));
    private final int masterPid = Syscalls.posix().getpid();
    private Signals signals;
    private int target;
    private int nextId = 1;
    private final RespawnBackoff backoff = new RespawnBackoff();
    private final StatsRefresh stats;
    /** A worker had more frames than one pass takes: poll without sleeping. */
    private boolean moreToRead;
    private long nextSpawnNanos;
    private boolean stopping;
    private boolean announcedReady;
    private long stopDeadline = Long.MAX_VALUE;
    private boolean listenClosed;

    /**
     * A master for {@code store}, serving on {@code listenFd} (already bound and listening).
     * Nothing is forked until {@link #run}.
     */
    public Master(ServerConfig config, Store store, int listenFd, PrintStream out) {
        this.config = config;
        this.store = store;
        this.listenFd = listenFd;
        this.out = out;
        this.target = config.workers();
        this.workerConfig = config.workerConfig();
        this.memory = new MemoryReport(store.regions());
        this.stats = new StatsRefresh(memory, masterPid, store.regions().stream()
                .filter(r -> r.name().equals(MemoryReport.OBJECT_HEAP)).findFirst().orElse(null));
        DashboardAssets.load(); // the page's files are read here, before any fork: a worker never loads a class
        // A worker's heap budget is the eden free at its fork; collect before a fork when less than
        // this is free, so every worker starts with at least this much (or the whole eden if smaller).
        long budget = Math.max(64L << 20, config.heapReserveBytes() * 4);
        this.forker = Forker.builder().childHeapBudget(budget).deadline(Duration.ofDays(3650)).build();
    }

    /**
     * Forks the workers and supervises them until a stop signal; returns when every worker
     * has been reaped. Installs the signal handlers itself.
     *
     * @return the exit code for the process: 0
     */
    public int run() {
        signals = Signals.install();
        try {
            log("master pid %d: %s; %d workers; TERM graceful stop, INT quick stop, HUP new workers, TTIN/TTOU +/-1,"
                    + " USR1 memory table", masterPid, store.describe(), target);
            reconcile(System.nanoTime());
            while (!(stopping && workers.isEmpty())) {
                loopOnce();
            }
            log("stopped: every worker reaped");
            return 0;
        } finally {
            closeListener();
            signals.close();
        }
    }

    /**
     * One wake-up: signals first, then each worker's exit or at most
     * {@link #MAX_FRAMES_PER_PASS} of its frames, then one step of /stats work, then
     * deadlines and respawns. Every step is bounded, so nothing a client does (a flood of
     * requests, of /stats) delays a signal, a respawn or the heartbeat accounting by more
     * than one pass; and every time is read from the clock when it is used, never carried
     * over from before the other steps.
     */
    private void loopOnce() {
        long now = System.nanoTime();
        int[] fds = new int[(1 + 2 * workers.size()) * 2];
        fds[0] = signals.fd();
        fds[1] = LibC.POLLIN;
        List<WorkerHandle> polled = List.copyOf(workers);
        for (int i = 0; i < polled.size(); i++) {
            WorkerHandle w = polled.get(i);
            // At the end of its messages the pipe reports a hang-up on every poll: stop watching it
            // and wait for the exit descriptor, which says when the worker can be reaped.
            fds[2 + 4 * i] = w.process.endOfMessages() ? -1 : w.process.messageFd();
            fds[3 + 4 * i] = LibC.POLLIN;
            fds[4 + 4 * i] = w.process.exitFd();
            fds[5 + 4 * i] = LibC.POLLIN;
        }
        int n = Syscalls.libc().poll(fds, fds.length / 2, moreToRead ? 0 : (int) millisUntil(now, nextWakeUp(now)));
        moreToRead = false;
        if (n > 0 && (fds[1] >>> 16) != 0) {
            for (String s : signals.drain()) {
                onSignal(s, System.nanoTime());
            }
        }
        if (n > 0) {
            for (int i = 0; i < polled.size(); i++) {
                WorkerHandle w = polled.get(i);
                boolean message = (fds[3 + 4 * i] >>> 16) != 0;
                boolean exited = (fds[5 + 4 * i] >>> 16) != 0;
                if (exited) {
                    readMessages(w, Integer.MAX_VALUE); // it is dead: what it sent is all in the pipe, and finite
                    reap(w, System.nanoTime());
                } else if (message) {
                    readMessages(w, MAX_FRAMES_PER_PASS);
                }
            }
        }
        answerStats();
        checkDeadlines(System.nanoTime());
        reconcile(System.nanoTime());
    }

    private long nextWakeUp(long now) {
        long next = now + SECOND;
        long timeout = ServerConfig.nanos(config.timeoutSeconds());
        for (WorkerHandle w : workers) {
            next = Math.min(next, w.lastBeatNanos + timeout);
            next = Math.min(next, w.stopDeadlineNanos);
        }
        if (nextSpawnNanos > now) {
            next = Math.min(next, nextSpawnNanos);
        }
        next = Math.min(next, stats.nextStepNanos(now));
        return Math.min(next, stopDeadline);
    }

    private static long millisUntil(long now, long deadline) {
        long left = deadline - now;
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }

    // ---- workers' messages ----

    /**
     * Handles at most {@code max} of the worker's frames, each stamped with the clock read
     * when it is handled. Never reaps and never closes: at the end of the worker's messages
     * it returns, and {@link #reap} (the owner of the worker's descriptors) releases them
     * when the exit descriptor fires.
     */
    private void readMessages(WorkerHandle w, int max) {
        for (int i = 0; i < max; i++) {
            byte[] msg = w.process.receiveNow();
            if (msg == null || msg.length == 0) {
                return;
            }
            long now = System.nanoTime();
            if (msg.length >= 1 + Protocol.COUNTERS) {
                w.counters = Protocol.counters(msg);
                w.lastBeatNanos = now;
            }
            switch (msg[0]) {
                case Protocol.HEARTBEAT -> {
                    if (!w.booted) {
                        w.booted = true;
                        log("%s booted", w);
                        announceReadyOnce();
                    }
                }
                case Protocol.RETIRING -> {
                    byte reason = msg[1 + Protocol.COUNTERS];
                    if (w.state == WorkerHandle.State.RUNNING) {
                        w.state = WorkerHandle.State.RETIRING;
                        w.stopDeadlineNanos = now + ServerConfig.nanos(config.gracefulTimeoutSeconds());
                    }
                    w.why = reason == Protocol.RETIRE_MAX_REQUESTS ? "max-requests reached" : "Java heap budget nearly spent";
                    log("%s retires after %d requests (%s, %d KiB of Java heap left); a replacement starts",
                            w, w.counters.requests(), w.why, w.counters.heapLeft() >> 10);
                }
                case Protocol.STATS -> stats.ask(w, Protocol.getInt(msg, 1 + Protocol.COUNTERS), msg[1 + Protocol.COUNTERS + 4]);
                default -> log("%s sent an unknown message type %d; ignored", w, msg[0]);
            }
        }
        moreToRead = true; // frames may wait in the channel's buffer, where poll(2) cannot see them
    }

    private void announceReadyOnce() {
        if (announcedReady) {
            return;
        }
        long booted = workers.stream().filter(x -> x.booted).count();
        if (booted >= target) {
            announcedReady = true;
            log("ready: %d workers", booted);
        }
    }

    /** One step of /stats work (one process's smaps at most); answers the requests a completed round covers. */
    private void answerStats() {
        List<Integer> pids = new ArrayList<>(workers.size());
        for (WorkerHandle w : workers) {
            pids.add(w.pid());
        }
        List<StatsRefresh.Ask> answered = stats.step(System.nanoTime(), pids);
        if (answered.isEmpty()) {
            return;
        }
        stats.answer(answered, new StatsReport(store.strategy(), store.items(), target,
                StatsReport.rows(masterPid, workers, restarts, stats::memoryOf)), workers);
    }

    /** Every process's memory, now. */
    public StatsReport report() {
        return new StatsReport(store.strategy(), store.items(), target,
                StatsReport.measure(memory, masterPid, workers, restarts));
    }

    // ---- exits ----

    private void reap(WorkerHandle w, long now) {
        // The one place a worker's descriptors are released: its handle leaves the list at the
        // same moment, so no poll and no send ever uses their numbers again.
        ChildResult r = w.process.await(Duration.ofSeconds(5));
        workers.remove(w);
        boolean expected = w.state != WorkerHandle.State.RUNNING;
        boolean clean = r.status() instanceof ExitStatus.Exited e && e.code() == 0;
        String lived = String.format(Locale.ROOT, "%.1f s", (now - w.bornNanos) / 1e9);
        if (expected && clean) {
            log("%s exited after %s and %d requests (%s)", w, lived, w.counters.requests(),
                    w.why.isEmpty() ? w.state.name().toLowerCase(Locale.ROOT) : w.why);
            return;
        }
        String how = w.state == WorkerHandle.State.KILLED ? w.why + "; " + r.status() : r.status().toString();
        if (r.failure() != null) {
            how += "; it threw: " + r.failure().lines().findFirst().orElse("");
        }
        if (stopping || w.state == WorkerHandle.State.STOPPING) {
            log("%s ended: %s", w, how);
            return;
        }
        // Only a worker that never booted says the next one will die too: one that served is replaced at once.
        long delay = backoff.onDeath(w.booted, w.counters.requests());
        nextSpawnNanos = now + delay;
        log("%s died after %s: %s; %s", w, lived, how, delay == 0 ? "replacing it"
                : String.format(Locale.ROOT, "%d deaths before booting in a row, next fork in %d ms",
                        backoff.quickDeaths(), delay / 1_000_000));
    }

    private void checkDeadlines(long now) {
        long timeout = ServerConfig.nanos(config.timeoutSeconds());
        for (WorkerHandle w : workers) {
            if (w.state == WorkerHandle.State.KILLED) {
                continue;
            }
            if (now - w.lastBeatNanos > timeout) {
                kill(w, String.format(Locale.ROOT, "no heartbeat for %.1f s (--timeout %s)",
                        (now - w.lastBeatNanos) / 1e9, config.timeoutSeconds()));
            } else if (now - w.stopDeadlineNanos > 0) {
                kill(w, "still running past --graceful-timeout");
            }
        }
        if (stopping && now - stopDeadline > 0) {
            for (WorkerHandle w : workers) {
                if (w.state != WorkerHandle.State.KILLED) {
                    kill(w, "still running past --graceful-timeout");
                }
            }
        }
    }

    private void kill(WorkerHandle w, String why) {
        log("%s: %s; killing it (SIGKILL)", w, why);
        w.why = why;
        // A killed worker that was serving keeps its slot until it is reaped: only then does
        // the backoff know how it died (before booting or not) and when to fork its replacement.
        w.killedWhileRunning = w.state == WorkerHandle.State.RUNNING;
        w.state = WorkerHandle.State.KILLED;
        try {
            w.process.signal(9);
        } catch (ForkException alreadyGone) {
            // it exited on its own; its pidfd will say so
        }
    }

    // ---- spawning ----

    /** Forks a worker for every slot that has none running; stops running workers in slots above the target. */
    private void reconcile(long now) {
        if (stopping) {
            return;
        }
        for (WorkerHandle w : List.copyOf(workers)) {
            if (w.slot > target && w.state == WorkerHandle.State.RUNNING) {
                log("%s: slot %d is above --workers %d now; stopping it gracefully", w, w.slot, target);
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
            spawn(slot, now);
        }
    }

    private boolean hasRunning(int slot) {
        for (WorkerHandle w : workers) {
            if (w.slot == slot && w.holdsSlot()) {
                return true;
            }
        }
        return false;
    }

    private void spawn(int slot, long now) {
        while (restarts.size() <= slot) {
            restarts.add(-1); // the first worker of a slot is not a restart
        }
        restarts.set(slot, restarts.get(slot) + 1);
        WorkerConfig wc = workerConfig.withRetireAfter(config.retireAfter(jitter));
        int[] masterOnly = signals.descriptors();
        signals.quiesce();
        ChildProcess p;
        try {
            p = forker.start(child -> {
                for (int fd : masterOnly) {
                    Syscalls.posix().close(fd);
                }
                new Worker(wc, child, store, listenFd).run();
                return NOTHING;
            });
        } catch (ForkException | IllegalStateException e) {
            nextSpawnNanos = System.nanoTime() + backoff.onForkFailure();
            log("could not fork a worker for slot %d: %s; trying again later", slot, e.getMessage());
            return;
        }
        WorkerHandle w = new WorkerHandle(nextId++, slot, p, System.nanoTime());
        workers.add(w);
    }

    private void stop(WorkerHandle w, WorkerHandle.State state, long now) {
        w.state = state;
        w.stopDeadlineNanos = now + ServerConfig.nanos(config.gracefulTimeoutSeconds());
        try {
            w.process.send(new byte[] {Protocol.STOP});
        } catch (ForkException gone) {
            // already exiting
        }
    }

    // ---- signals ----

    private void onSignal(String signal, long now) {
        switch (signal) {
            case "TERM" -> {
                if (!stopping) {
                    log("TERM: graceful stop; no new connections, in-flight requests finish (at most %s s)",
                            config.gracefulTimeoutSeconds());
                    stopping = true;
                    stopDeadline = now + ServerConfig.nanos(config.gracefulTimeoutSeconds());
                    closeListener();
                    for (WorkerHandle w : workers) {
                        if (w.state != WorkerHandle.State.KILLED) {
                            stop(w, WorkerHandle.State.STOPPING, now);
                        }
                    }
                }
            }
            case "INT" -> {
                log("INT: quick stop; killing every worker");
                stopping = true;
                closeListener();
                for (WorkerHandle w : workers) {
                    if (w.state != WorkerHandle.State.KILLED) {
                        kill(w, "quick stop");
                    }
                }
            }
            case "HUP" -> {
                if (!stopping) {
                    log("HUP: replacing every worker (new ones start, old ones finish their requests)");
                    for (WorkerHandle w : List.copyOf(workers)) {
                        if (w.state == WorkerHandle.State.RUNNING) {
                            w.why = "replaced after HUP";
                            stop(w, WorkerHandle.State.RETIRING, now);
                        }
                    }
                }
            }
            case "TTIN" -> {
                if (!stopping) {
                    target++;
                    log("TTIN: %d workers", target);
                }
            }
            case "TTOU" -> {
                if (!stopping && target > 1) {
                    target--;
                    log("TTOU: %d workers", target);
                } else if (!stopping) {
                    log("TTOU: already at 1 worker; ignored");
                }
            }
            case "USR1" -> out.print(report().toTable());
            default -> log("%s: ignored", signal);
        }
    }

    private void closeListener() {
        if (!listenClosed) {
            listenClosed = true;
            Sockets.lib().close(listenFd);
        }
    }

    private void log(String format, Object... args) {
        out.println("[master] " + String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
