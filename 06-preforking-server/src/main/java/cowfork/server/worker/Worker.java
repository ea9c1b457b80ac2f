// A worker: one thread, one poll loop over the shared listening socket, the master's pipe and its client connections.
package cowfork.server.worker;

import cowfork.fork.ChildContext;
import cowfork.fork.ForkException;
import cowfork.fork.PollSet;
import cowfork.fork.Syscalls;
import cowfork.server.app.Endpoints;
import cowfork.server.app.Store;
import cowfork.server.http.HttpParser;
import cowfork.server.protocol.Protocol;
import cowfork.server.stats.MemoryReport;

/**
 * The whole life of a forked worker, as a single-threaded event loop.
 *
 * <pre>
 *   poll(2) over:  [0] the master's control pipe   'G' stop gracefully, 'S' stats answers, EOF master gone
 *                  [1] the listening socket          accept4 until EAGAIN (another worker may win the race)
 *                  [2..] client connections          read, parse, answer, keep alive
 *   every pass:    expire slow clients and idle connections; heartbeat to the master (skipped if its pipe is full)
 * </pre>
 *
 * The ideas are split by file: this class is the loop; {@link Slots} the connection pool,
 * accepting, and who gives up a slot when all are taken; {@link RequestCycle} what one
 * connection does (parse, route, answer, keep alive; a request that throws is answered 500
 * and the others never notice); {@link ResponseWriter} the bytes of an answer;
 * {@link MasterLink} the pipes to the master.
 *
 * <p>A forked JVM child can never collect garbage, so the request path allocates nothing:
 * connections and their buffers come from a pool made when the worker starts, requests are
 * parsed in place ({@link HttpParser}), answers are framed into byte arrays, and the
 * socket calls take those arrays ({@link SocketLib}). The worker measures what it does
 * allocate and retires, telling the master first, before its budget runs out (or after
 * its share of {@code --max-requests}).
 *
 * <p>The master runs this same class before it forks ({@code WarmUp}), so that every
 * path here is loaded and compiled when the children inherit it.
 */
public final class Worker {
    /** Room left in a connection's output buffer for the status line and headers. */
    static final int HEADER_ROOM = 512;
    /** Exit status of a worker whose poll(2) failed with anything but EINTR (EX_OSERR): the master replaces it. */
    public static final int EXIT_POLL_FAILED = 71;

    private final WorkerConfig config;
    private final MasterLink master;
    private final int pid;
    private final SocketLib net = Sockets.lib();
    private final int listenFd;
    private final Slots slots;
    private final RequestCycle cycle;
    /** What the next poll(2) waits for: [0] the master's pipe, [1] the listener, [2..] connections. */
    private final PollSet poll;
    /** Which connection each poll slot from 2 on stood for in the last poll. */
    private final int[] polled;

    /**
     * A worker serving {@code listenFd} with {@code store}, talking to its master through
     * {@code child}. Allocates its whole connection pool now.
     *
     * <p>It takes 01's {@link ChildContext} itself, not an interface over it, on purpose: the warm-up
     * must run the very classes a worker runs. A second implementation of an interface,
     * loaded in the child, makes HotSpot deoptimize the code compiled for the first one
     * (class hierarchy analysis), and deoptimization needs the VM thread that a forked
     * child does not have: the worker hangs in its first request. {@code WarmUp} builds a
     * {@code ChildContext} over pipes for the master's own use.
     */
    public Worker(WorkerConfig config, ChildContext child, Store store, int listenFd) {
        this.config = config;
        int answerLimit = MemoryReport.answerLimit(store.regions());
        this.master = new MasterLink(child, config.heartbeatNanos(), answerLimit);
        this.listenFd = listenFd;
        this.pid = Syscalls.posix().getpid();
        Endpoints endpoints = new Endpoints(store, pid, config.outBufferBytes() - HEADER_ROOM, config.routes());
        ResponseWriter writer = new ResponseWriter(net, pid);
        this.slots = new Slots(config, net, listenFd, writer, master, pid);
        this.cycle = new RequestCycle(config, net, slots, master, writer, endpoints, pid, answerLimit);
        this.poll = PollSet.withRoom(2 + slots.capacity());
        this.polled = new int[slots.capacity()];
    }

    /** Serves until told to stop and every connection is done, or until the master is gone. */
    public void run() {
        master.booted(System.nanoTime(), 0, 0);
        while (step(-1)) {
            // each step polls, serves what is ready, expires what is late
        }
    }

    /**
     * One pass of the loop: waits at most {@code maxWaitMillis} (negative: until the next
     * deadline) for something to do, and does it.
     *
     * @return false once the worker is finished (stopped and drained, or orphaned, or its
     *         poll failed: then the exit status is {@link #EXIT_POLL_FAILED})
     */
    public boolean step(long maxWaitMillis) {
        long now = System.nanoTime();
        long wait = millisUntilNextDeadline(now);
        if (maxWaitMillis >= 0 && maxWaitMillis < wait) {
            wait = maxWaitMillis;
        }
        int polledCount = preparePoll(now);
        int n;
        try {
            n = poll.await(wait); // EINTR (a signal arrived) counts as a timeout: nothing is lost, the loop goes on
        } catch (ForkException e) {
            // EINVAL (more descriptors than RLIMIT_NOFILE), ENOMEM, EFAULT: a worker that cannot
            // wait for work cannot do any; spinning on the error would hide it. Let the master replace us.
            master.log("worker " + pid + ": poll(2) failed: " + Syscalls.describeErrno(e.errno()) + "; exiting with status "
                    + EXIT_POLL_FAILED + " so that the master starts a new worker");
            master.exitCode(EXIT_POLL_FAILED);
            slots.closeAll();
            return false;
        }
        now = System.nanoTime();
        if (n > 0) {
            if (poll.revents(0) != 0) {
                readOrders(now);
            }
            for (int s = 2; s < polledCount; s++) {
                int re = poll.revents(s);
                if (re != 0) {
                    cycle.ready(slots.slot(polled[s - 2]), re, now);
                }
            }
            if (!cycle.stopping() && poll.fd(1) >= 0 && poll.revents(1) != 0) {
                acceptAll(now);
            }
        }
        cycle.expire(now);
        if (cycle.stopping()) {
            slots.closeIdle();
        }
        master.beatIfDue(now, cycle.requests(), slots.count());
        if (master.gone()) {
            slots.closeAll();
            return false;
        }
        return !(cycle.stopping() && slots.count() == 0);
    }

    /** Open client connections. */
    public int connections() {
        return slots.count();
    }

    /** For the warm-up: runs the code that reports a failed request, without one (see {@link RequestCycle}). */
    public String rehearseFailure() {
        return cycle.rehearseFailure();
    }

    /** Heartbeats skipped because the master's pipe was full. */
    long skippedBeats() {
        return master.skippedBeats;
    }

    // ---- the poll set ----

    private int preparePoll(long now) {
        poll.clear();
        poll.add(master.controlFd(), PollSet.IN);
        poll.add(!cycle.stopping() && slots.accepting(now) ? listenFd : -1, PollSet.IN);
        for (int i = 0; i < slots.count(); i++) {
            Connection c = slots.get(i);
            int events = switch (c.state) {
                case Connection.WRITING -> PollSet.OUT;
                case Connection.AWAITING_MASTER -> 0; // only hang-ups are reported
                case Connection.BODY -> c.interimEnd > 0 ? PollSet.IN | PollSet.OUT : PollSet.IN; // a 100 (Continue) still to send
                default -> PollSet.IN;
            };
            polled[poll.add(c.fd, events) - 2] = c.index;
        }
        return poll.size();
    }

    private long millisUntilNextDeadline(long now) {
        long next = slots.nextChange(master.nextBeat(cycle.requests()), now);
        for (int i = 0; i < slots.count(); i++) {
            long d = slots.get(i).deadline;
            if (d - next < 0) {
                next = d;
            }
        }
        long left = next - now;
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }

    // ---- the master ----

    /** The master's messages, each read where it lies in the link's buffer. */
    private void readOrders(long now) {
        while (master.nextOrder()) {
            byte[] b = master.orderBuffer();
            int at = master.orderStart();
            int length = master.orderLength();
            if (length > 0 && b[at] == Protocol.STOP) {
                cycle.stop(); // requests in progress finish, with Connection: close; idle connections close
            } else if (length >= Protocol.ANSWER_HEAD && b[at] == Protocol.STATS) {
                cycle.answerStats(b, at, length, now);
            }
            master.releaseOrder();
        }
    }

    // ---- connections ----

    /** Accepts what is queued, serving each new connection at once. */
    private void acceptAll(long now) {
        Connection c;
        while ((c = slots.acceptOne(now)) != null) {
            cycle.ready(c, PollSet.IN, now); // a client's request usually arrives with its connection
        }
    }

}
