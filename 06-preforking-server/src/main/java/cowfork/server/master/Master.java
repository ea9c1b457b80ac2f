// The master: forks the workers, watches them with one poll loop, replaces the dead, kills the stuck, obeys signals.
package cowfork.server.master;

import cowfork.fork.Forker;
import cowfork.fork.LibC;
import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import cowfork.server.app.Store;
import cowfork.server.stats.DashboardAssets;
import cowfork.server.stats.MemoryReport;
import cowfork.server.stats.StatsReport;
import cowfork.server.worker.Sockets;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The supervisor, in the shape of gunicorn's arbiter and unicorn's master.
 *
 * <pre>
 *   poll(2) over:  the signal pipe                       TERM INT HUP TTIN TTOU USR1 (handled first, here)
 *                  each worker's message pipe            heartbeats, "retiring", stats requests (64 a pass; WorkerFrames)
 *                  each worker's pidfd                   it exited: reap it, log why, replace it (WorkerPool)
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
    private static final long SECOND = 1_000_000_000L;
    /** Frames taken from one worker per pass: a flood from one worker cannot starve the others or the signals. */
    private static final int MAX_FRAMES_PER_PASS = 64;

    private final ServerConfig config;
    private final Store store;
    private final int listenFd;
    private final MemoryReport memory;
    private final PrintStream out;
    private final Log log;
    private final int masterPid = Syscalls.posix().getpid();
    private final WorkerPool pool;
    private final StatsRefresh stats;
    private final WorkerFrames frames;
    private Signals signals;
    /** A worker had more frames than one pass takes: poll without sleeping. */
    private boolean moreToRead;
    private boolean stopping;
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
        this.log = new Log(out);
        this.memory = new MemoryReport(store.regions());
        this.stats = new StatsRefresh(memory, masterPid, store.regions().stream()
                .filter(r -> r.name().equals(MemoryReport.OBJECT_HEAP)).findFirst().orElse(null));
        DashboardAssets.load(); // the page's files are read here, before any fork: a worker never loads a class
        // A worker's heap budget is the eden free at its fork; collect before a fork when less than
        // this is free: what it allocates as it starts (ServerConfig refuses a pool the eden cannot
        // hold), and at least 64 MiB (or the whole eden if smaller).
        long budget = config.childHeapBudget();
        Forker forker = Forker.builder().childHeapBudget(budget).deadline(Duration.ofDays(3650)).build();
        this.pool = new WorkerPool(config, store, listenFd, forker, log);
        this.frames = new WorkerFrames(config, pool, stats, log);
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
                    + " USR1 memory table", masterPid, store.describe(), pool.target());
            pool.reconcile(System.nanoTime(), signals);
            while (!(stopping && pool.workers().isEmpty())) {
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
        List<WorkerHandle> polled = List.copyOf(pool.workers());
        int[] fds = new int[(1 + 2 * polled.size()) * 2];
        fds[0] = signals.fd();
        fds[1] = LibC.POLLIN;
        for (int i = 0; i < polled.size(); i++) {
            WorkerHandle w = polled.get(i);
            // At the end of its messages the pipe reports a hang-up on every poll: stop watching it
            // and wait for the exit descriptor, which says when the worker can be reaped.
            fds[2 + 4 * i] = w.process.endOfMessages() ? -1 : w.process.messageFd();
            fds[3 + 4 * i] = LibC.POLLIN;
            fds[4 + 4 * i] = w.process.exitFd();
            fds[5 + 4 * i] = LibC.POLLIN;
        }
        int n = Syscalls.libc().poll(fds, fds.length / 2,
                moreToRead ? 0 : (int) PollSet.millisUntil(nextWakeUp(System.nanoTime())));
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
                    frames.read(w, Integer.MAX_VALUE); // it is dead: what it sent is all in the pipe, and finite
                    pool.reap(w, System.nanoTime(), stopping);
                } else if (message) {
                    moreToRead |= frames.read(w, MAX_FRAMES_PER_PASS);
                }
            }
        }
        answerStats();
        pool.killOverdue(System.nanoTime(), stopping ? stopDeadline : Long.MAX_VALUE);
        if (!stopping) {
            pool.reconcile(System.nanoTime(), signals);
        }
    }

    /** When the poll must wake at the latest: the next deadline of a worker, a fork, /stats work or a stop; at most a second. */
    private long nextWakeUp(long now) {
        long next = pool.nextDeadline(now, now + SECOND);
        next = Math.min(next, stats.nextStepNanos(now));
        return Math.min(next, stopDeadline);
    }

    /** One step of /stats work (one process's smaps at most); answers the requests a completed round covers. */
    private void answerStats() {
        List<WorkerHandle> workers = pool.workers();
        List<Integer> pids = workers.stream().map(WorkerHandle::pid).toList();
        List<StatsRefresh.Ask> answered = stats.step(System.nanoTime(), pids);
        if (answered.isEmpty()) {
            return;
        }
        stats.answer(answered, new StatsReport(store.strategy(), store.items(), pool.target(),
                StatsRefresh.rows(masterPid, workers, pool.restarts(), stats::memoryOf)), workers);
    }

    /** Every process's memory, now. */
    public StatsReport report() {
        return new StatsReport(store.strategy(), store.items(), pool.target(),
                StatsRefresh.measure(memory, masterPid, pool.workers(), pool.restarts()));
    }

    // ---- signals ----

    /** What each signal means: the operator's commands, acted on between two polls. */
    private void onSignal(String signal, long now) {
        switch (signal) {
            case "TERM" -> {
                if (!stopping) {
                    log("TERM: graceful stop; no new connections, in-flight requests finish (at most %s s)",
                            config.gracefulTimeoutSeconds());
                    stopping = true;
                    stopDeadline = now + ServerConfig.nanos(config.gracefulTimeoutSeconds());
                    closeListener();
                    pool.stopAll(now);
                }
            }
            case "INT" -> {
                log("INT: quick stop; killing every worker");
                stopping = true;
                closeListener();
                pool.killAll("quick stop");
            }
            case "HUP" -> {
                if (!stopping) {
                    log("HUP: replacing every worker (new ones start, old ones finish their requests)");
                    pool.retireAll("replaced after HUP", now);
                }
            }
            case "TTIN" -> {
                if (!stopping) {
                    pool.grow();
                    log("TTIN: %d workers", pool.target());
                }
            }
            case "TTOU" -> {
                if (!stopping && pool.shrink()) {
                    log("TTOU: %d workers", pool.target());
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
        log.line(format, args);
    }
}
