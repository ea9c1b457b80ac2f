// The master: forks the workers, watches them with one poll loop, replaces the dead, kills the stuck, obeys signals.
package cowfork.server.master;

import cowfork.fork.ForkException;
import cowfork.fork.ForkRecipe;
import cowfork.fork.Forker;
import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import cowfork.server.app.Store;
import cowfork.server.stats.AddressRange;
import cowfork.server.stats.DashboardAssets;
import cowfork.server.stats.MemoryReport;
import cowfork.server.stats.SmapsSums;
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
 *                  each worker's order pipe, for room    only while its Outbox holds something: write it
 *   every pass:    one step of /stats work (one process's smaps, see StatsRefresh); a finished
 *                    round queues one answer per worker
 *                  kill workers whose heartbeat is older than --timeout (or that outlive a stop)
 *                  fork a worker for every slot without a running one (with backoff while workers die booting)
 * </pre>
 *
 * <p>The master never waits for a worker: its ends of the pipes are non-blocking, what it
 * has to say waits in the worker's {@link Outbox} until poll reports room, and everything
 * a worker can make it queue is bounded. A worker busy with one slow request, not reading
 * its pipe, delays nothing but its own answers.
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
    /** Exit status when poll(2) fails (EX_OSERR), as a worker's: a master that cannot wait cannot supervise. */
    public static final int EXIT_POLL_FAILED = 71;

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
    /** The poll set of one pass: [0] signals, then per polled worker its messages, its exit, its orders (for room). */
    private final PollSet poll = PollSet.withRoom(16);
    private WorkerHandle[] polled = new WorkerHandle[8];
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
        AddressRange objectHeap = MemoryReport.objectHeap(store.regions());
        int answerLimit = MemoryReport.answerLimit(store.regions());
        // What a worker allocates as it starts, its stats buffers sized for this data set's answers,
        // must fit the eden: refused here, before any fork, with the arithmetic (ServerConfig checked
        // the pool with the smallest answers when it read the flags).
        String tooBig = config.workerHeapProblem(ForkRecipe.edenCapacity(), answerLimit);
        if (tooBig != null) {
            throw new IllegalArgumentException(tooBig);
        }
        DashboardAssets.load(); // the page's files are read here, before any fork: a worker never loads a class
        // A worker's heap budget is the eden free at its fork; collect before a fork when less than
        // this is free: what it allocates as it starts, and at least 64 MiB (or the whole eden if smaller).
        long budget = config.childHeapBudget(answerLimit);
        Forker forker = Forker.builder().childHeapBudget(budget).deadline(Duration.ofDays(3650)).build();
        this.pool = new WorkerPool(config, store, listenFd, forker, log, answerLimit);
        this.stats = new StatsRefresh(SmapsSums::read, memory.ranges(), masterPid, objectHeap, answerLimit,
                store.strategy(), store.items(), log);
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
            for (String name : signals.ignored()) {
                log("SIG%s is ignored by this process (it was started with it ignored, as a shell's background job is"
                        + " for INT, nohup for HUP), so %s does nothing here; use the others", name, name);
            }
            pool.reconcile(System.nanoTime(), signals);
            while (!(stopping && pool.workers().isEmpty())) {
                if (!loopOnce()) {
                    return EXIT_POLL_FAILED;
                }
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
     * {@link #MAX_FRAMES_PER_PASS} of its frames, and what its pipe has room for; then one
     * step of /stats work, then deadlines and respawns. Every step is bounded and none
     * waits for a worker, so nothing a client does (a flood of requests, of /stats, a request
     * that keeps its worker busy) delays a signal, a respawn or the heartbeat accounting by
     * more than one pass; and every time is read from the clock when it is used, never
     * carried over from before the other steps.
     *
     * @return false if poll(2) failed: the workers have been killed and reaped, the master exits
     */
    private boolean loopOnce() {
        List<WorkerHandle> workers = pool.workers();
        if (polled.length < workers.size()) {
            polled = new WorkerHandle[2 * workers.size()];
        }
        poll.clear();
        poll.add(signals.fd(), PollSet.IN);
        for (int i = 0; i < workers.size(); i++) {
            WorkerHandle w = workers.get(i);
            polled[i] = w;
            // At the end of its messages the pipe reports a hang-up on every poll: stop watching it
            // and wait for the exit descriptor, which says when the worker can be reaped.
            poll.add(w.process.endOfMessages() ? -1 : w.process.messageFd(), PollSet.IN);
            poll.add(w.process.exitFd(), PollSet.IN);
            poll.add(w.outbox.pending() ? w.process.orderFd() : -1, PollSet.OUT);
        }
        int count = workers.size();
        int n;
        try {
            n = poll.await(moreToRead ? 0 : PollSet.millisUntil(nextWakeUp(System.nanoTime())));
        } catch (ForkException e) {
            pollFailed(e);
            return false;
        }
        moreToRead = false;
        if (n > 0 && poll.ready(0)) {
            for (String s : signals.drain()) {
                onSignal(s, System.nanoTime());
            }
        }
        if (n > 0) {
            for (int i = 0; i < count; i++) {
                WorkerHandle w = polled[i];
                polled[i] = null;
                if (!pool.workers().contains(w)) {
                    continue; // reaped meanwhile (a signal's quick stop): its descriptors are closed
                }
                boolean message = poll.ready(1 + 3 * i);
                boolean exited = poll.ready(2 + 3 * i);
                boolean room = poll.writable(3 + 3 * i);
                if (exited) {
                    frames.read(w, Integer.MAX_VALUE); // it is dead: what it sent is all in the pipe, and finite
                    pool.reap(w, System.nanoTime(), stopping);
                    continue;
                }
                if (message) {
                    moreToRead |= frames.read(w, MAX_FRAMES_PER_PASS);
                }
                if (room) {
                    pool.flush(w);
                    if (!w.outbox.pending() && stats.deliver(w)) {
                        pool.flush(w); // answers a round covered but that did not fit before
                    }
                }
            }
        }
        answerStats();
        pool.noticeNotReading(System.nanoTime());
        pool.killOverdue(System.nanoTime(), stopping ? stopDeadline : Long.MAX_VALUE);
        if (!stopping) {
            pool.reconcile(System.nanoTime(), signals);
        }
        return true;
    }

    /**
     * poll(2) failed with something other than EINTR (EINVAL: more descriptors than
     * RLIMIT_NOFILE allows; ENOMEM). Going round again would fail again at once, deaf to
     * signals and workers alike, at full speed. As gunicorn's arbiter does with an error in
     * its main loop, the master says why, kills and reaps its workers, and exits.
     */
    private void pollFailed(ForkException e) {
        log("%s; killing every worker and exiting with status %d", e.getMessage(), EXIT_POLL_FAILED);
        stopping = true;
        closeListener();
        pool.killAll("the master's poll(2) failed");
        for (WorkerHandle w : List.copyOf(pool.workers())) {
            pool.reap(w, System.nanoTime(), true);
        }
    }

    /** When the poll must wake at the latest: the next deadline of a worker, a fork, /stats work or a stop; at most a second. */
    private long nextWakeUp(long now) {
        long next = pool.nextDeadline(now, now + SECOND);
        next = Math.min(next, stats.nextStepNanos(now));
        return Math.min(next, stopDeadline);
    }

    /**
     * One step of /stats work (one process's smaps at most); when it completes a round, one
     * answer per worker with requests the round covers is queued and written as far as its
     * pipe takes it.
     */
    private void answerStats() {
        List<WorkerHandle> workers = pool.workers();
        if (!stats.step(System.nanoTime(), workers, pool.target(), pool.restarts())) {
            return;
        }
        for (WorkerHandle w : workers) {
            if (stats.deliver(w)) {
                pool.flush(w);
            }
        }
    }

    /** Every process's memory, now. */
    public StatsReport report() {
        return new StatsReport(store.strategy(), store.items(), pool.target(),
                StatsRefresh.measure(memory::of, masterPid, pool.workers(), pool.restarts()));
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
