// The master's /stats work, cut into steps of one process's smaps each, so that no flood of /stats can delay supervision.
package cowfork.server.master;

import cowfork.cow.Smaps;
import cowfork.support.Processes;
import cowfork.server.protocol.Protocol;
import cowfork.server.stats.AddressRange;
import cowfork.server.stats.DashboardData;
import cowfork.server.stats.MemoryReport;
import cowfork.server.stats.PageStrip;
import cowfork.server.stats.SmapsSums;
import cowfork.server.stats.StatsReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Reading {@code /proc/PID/smaps} of every process of the server takes tens of
 * milliseconds. The master is one thread that also reaps, respawns and watches
 * heartbeats, so it never reads them all at once for a client: a /stats request is queued
 * on its worker's handle, and the master reads one process per pass of its loop
 * ({@link #step}); when a whole round is done, each worker gets one answer carrying all
 * the requests the round covers ({@link #deliver}).
 *
 * <pre>
 *   ask ─► queued on its worker ──(next round starts: at most one per MIN_INTERVAL)──► measure master, worker 1, ...
 *                                                                                     one per loop pass
 *          every ask queued before the round started ◄── one answer per worker ──────┘ round complete
 *          (a worker whose pipe is full gets it when the pipe has room, from the newest complete round)
 * </pre>
 *
 * <p>Every answer comes from a round that started after the request arrived: never older
 * data than the client asked for, and however many clients ask, at most one round runs
 * per {@link #MIN_INTERVAL_NANOS} (a flood of /stats costs the master one smaps read per
 * pass, not one full read per request). A worker's requests are bounded
 * ({@link Protocol#MAX_ASKS_IN_FLIGHT}), and so is what the master queues for it (its
 * {@link Outbox}): nothing a client does makes the master wait or grow.
 */
final class StatsRefresh {
    /** A round starts at most this often. */
    static final long MIN_INTERVAL_NANOS = 200_000_000L;

    /** How one process is measured: into {@code sums}; false if it is gone. {@link SmapsSums#read}, but for tests. */
    interface Reader {
        boolean read(SmapsSums sums, int pid);
    }

    private final Reader reader;
    private final List<AddressRange> ranges;
    private final int masterPid;
    private final String strategy;
    private final long items;
    private final Log log;
    private final AddressRange objectHeap;
    private final int answerLimit;
    private final long bornNanos = System.nanoTime();
    /** The round's processes (the master first) and what was read of each, in arrays reused round after round. */
    private int[] pids = new int[0];
    private SmapsSums[] sums = new SmapsSums[0];
    private PageStrip[] strips = new PageStrip[0];
    private boolean[] measuredOk = new boolean[0];
    private boolean[] stripOk = new boolean[0];
    private int measuredCount;
    private int toMeasureCount;
    private boolean running;
    private boolean withPages;
    private long roundStart = Long.MIN_VALUE / 2;
    /** When the newest complete round started: it answers the asks that came before. */
    private long answeredBefore = Long.MIN_VALUE / 2;
    /** When the newest ask arrived (any worker). */
    private long newestAsk = Long.MIN_VALUE / 2;
    private int rounds;
    /** The newest complete round's answer bodies by place (json, text, dashboard) and their lengths; null: not made. */
    private final byte[][] built = new byte[3][];
    private final int[] builtLength = new int[3];
    private final DashboardData dashboard = new DashboardData();
    /** Scratch for one answer: the tokens it carries, their formats, its bodies by place, which go whole. */
    private final int[] tokens = new int[Protocol.MAX_ASKS_IN_FLIGHT];
    private final byte[] formats = new byte[Protocol.MAX_ASKS_IN_FLIGHT];
    private final byte[][] bodies = new byte[3][];
    private final int[] lengths = new int[3];
    private final boolean[] sent = new boolean[3];
    private final boolean[] saidTooLarge = new boolean[3];

    /**
     * A refresher measuring the classes of {@code ranges} ({@link MemoryReport#ranges()}) in
     * the master and its workers, with {@code reader}; {@code objectHeap}: the range whose page
     * map /dashboard/data shows (null: none); {@code answerLimit}: the longest answer a worker
     * takes ({@link Protocol#answerLimit}); {@code strategy} and {@code items} head each report.
     */
    StatsRefresh(Reader reader, List<AddressRange> ranges, int masterPid, AddressRange objectHeap, int answerLimit,
                 String strategy, long items, Log log) {
        this.reader = reader;
        this.ranges = ranges;
        this.masterPid = masterPid;
        this.objectHeap = objectHeap;
        this.answerLimit = answerLimit;
        this.strategy = strategy;
        this.items = items;
        this.log = log;
    }

    /**
     * Queues a request of worker {@code w}; it is answered by a round that starts after
     * {@code now}. Returns false, queuing nothing, if {@code w} already has
     * {@link Protocol#MAX_ASKS_IN_FLIGHT} requests waiting (a worker that breaks its own bound).
     */
    boolean ask(WorkerHandle w, int token, byte format, long now) {
        if (w.asks == w.askTokens.length) {
            return false;
        }
        w.askTokens[w.asks] = token;
        w.askFormats[w.asks] = format;
        w.askedAt[w.asks] = now;
        w.asks++;
        newestAsk = now;
        return true;
    }

    /** Makes the next {@link #step} at or after {@code now} start a round, as an ask would (for tests). */
    void forceRound(long now) {
        newestAsk = now;
    }

    /** When {@link #step} has something to do next: now during a round, else when the next round may start. */
    long nextStepNanos(long now) {
        if (running) {
            return now;
        }
        return newestAsk - roundStart < 0 ? Long.MAX_VALUE : Math.max(now, roundStart + MIN_INTERVAL_NANOS);
    }

    /**
     * Does at most one process's smaps read (a round starts when an ask came after the last
     * round started, and at most one per {@link #MIN_INTERVAL_NANOS}). Returns true when this
     * step completed a round: then the answer bodies the waiting asks need are made from it,
     * and {@link #deliver} sends them.
     *
     * @param workers  the live workers: the round measures the master first, then each of them
     * @param target   how many workers the pool keeps (for the report's head)
     * @param restarts restarts per slot (for the report's rows)
     */
    boolean step(long now, List<WorkerHandle> workers, int target, List<Integer> restarts) {
        if (!running) {
            if (newestAsk - roundStart < 0 || now - (roundStart + MIN_INTERVAL_NANOS) < 0) {
                return false;
            }
            running = true;
            roundStart = now;
            room(workers.size() + 1);
            toMeasureCount = 0;
            measuredCount = 0;
            withPages = false;
            pids[toMeasureCount++] = masterPid;
            for (WorkerHandle w : workers) {
                pids[toMeasureCount++] = w.pid();
                for (int i = 0; i < w.asks; i++) {
                    withPages |= w.askFormats[i] == Protocol.FORMAT_DASHBOARD;
                }
            }
            withPages &= objectHeap != null;
        }
        if (measuredCount < toMeasureCount) {
            measureOne(measuredCount++);
        }
        if (measuredCount < toMeasureCount) {
            return false;
        }
        running = false;
        rounds++;
        answeredBefore = roundStart;
        buildBodies(workers, target, restarts);
        return true;
    }

    /** Room for {@code n} processes in the round's arrays (they grow with TTIN, never shrink). */
    private void room(int n) {
        if (sums.length >= n) {
            return;
        }
        int old = sums.length;
        pids = java.util.Arrays.copyOf(pids, n);
        sums = java.util.Arrays.copyOf(sums, n);
        strips = java.util.Arrays.copyOf(strips, n);
        measuredOk = new boolean[n];
        stripOk = new boolean[n];
        for (int i = old; i < n; i++) {
            sums[i] = new SmapsSums(ranges);
            strips[i] = objectHeap == null ? null : new PageStrip(objectHeap);
        }
    }

    /** Process {@code i} of the round: its smaps (and its page map, when the round needs it); one that exited meanwhile is left out. */
    private void measureOne(int i) {
        int pid = pids[i];
        measuredOk[i] = false;
        stripOk[i] = false;
        try {
            measuredOk[i] = reader.read(sums[i], pid);
            if (measuredOk[i] && withPages) { // one pagemap read more in this step: bounded by the object heap's size
                stripOk[i] = strips[i].read(pid);
            }
        } catch (RuntimeException e) {
            char state = Processes.state(pid);
            if (state != '?' && state != 'Z') {
                // Not "it exited": a file the master cannot read. Say so; the report leaves it out.
                log.line("could not measure pid %d (%s): %s; the report leaves it out", pid,
                        Processes.stateName(state), e);
            }
        }
    }

    /** The round's index of {@code pid}, if it was measured; -1 if not. */
    private int measured(int pid) {
        for (int i = 0; i < toMeasureCount; i++) {
            if (pids[i] == pid) {
                return measuredOk[i] ? i : -1;
            }
        }
        return -1;
    }

    /**
     * Makes, from the round just completed, the bodies the asks it covers need (each once).
     * The dashboard's is written into an array kept from round to round; the /stats table and
     * JSON, asked for rarely, are made as strings.
     */
    private void buildBodies(List<WorkerHandle> workers, int target, List<Integer> restarts) {
        built[0] = built[1] = built[2] = null;
        for (WorkerHandle w : workers) {
            for (int i = 0; i < w.asks; i++) {
                if (w.askedAt[i] - answeredBefore >= 0) {
                    continue; // came during the round: the next one answers it
                }
                int k = Protocol.bodyIndex(w.askFormats[i]);
                if (built[k] != null) {
                    continue;
                }
                if (k == 2) {
                    writeDashboard(workers, target, restarts);
                    built[2] = dashboard.bytes();
                    builtLength[2] = dashboard.length();
                } else {
                    StatsReport r = new StatsReport(strategy, items, target, rows(masterPid, workers, restarts, this::memoryOf));
                    built[k] = (k == 1 ? r.toTable() : r.toJson()).getBytes(StandardCharsets.UTF_8);
                    builtLength[k] = built[k].length;
                }
            }
        }
    }

    /** The /dashboard/data document of the round just completed: the master, then every worker measured in it. */
    private void writeDashboard(List<WorkerHandle> workers, int target, List<Integer> restarts) {
        dashboard.begin(strategy, items, target, rounds, (answeredBefore - bornNanos) / 1_000_000, heapPages());
        int m = measured(masterPid);
        dashboard.process(0, masterPid, "running", 0, 0, m < 0 ? null : sums[m], m >= 0 && stripOk[m] ? strips[m] : null);
        for (WorkerHandle w : workers) {
            int i = measured(w.pid());
            if (i >= 0) {
                dashboard.process(w.slot, w.pid(), w.stateName(), w.counters.requests(), restarts.get(w.slot), sums[i],
                        stripOk[i] ? strips[i] : null);
            }
        }
        dashboard.end();
    }

    /**
     * Queues, in {@code w}'s outbox, one answer to every request of {@code w} that the
     * newest complete round covers, with each body they need once; if it does not fit (the
     * worker has not read what it was sent before), nothing is queued and the requests wait
     * for the outbox to drain or for the next round. Returns whether an answer was queued.
     */
    boolean deliver(WorkerHandle w) {
        int n = 0;
        bodies[0] = bodies[1] = bodies[2] = null;
        for (int i = 0; i < w.asks; i++) {
            if (w.askedAt[i] - answeredBefore < 0) {
                tokens[n] = w.askTokens[i];
                formats[n] = w.askFormats[i];
                int k = Protocol.bodyIndex(formats[n]);
                bodies[k] = built[k];
                lengths[k] = builtLength[k];
                n++;
            }
        }
        if (n == 0) {
            return false;
        }
        int length = Protocol.answerLength(n, bodies, lengths, answerLimit, sent);
        int at = w.outbox.startFrame(length);
        if (at < 0) {
            return false;
        }
        w.outbox.commit(Protocol.writeAnswer(w.outbox.array(), at, n, tokens, formats, bodies, lengths, sent));
        int kept = 0;
        for (int i = 0; i < w.asks; i++) {
            if (w.askedAt[i] - answeredBefore >= 0) { // came during the round: keeps waiting
                w.askTokens[kept] = w.askTokens[i];
                w.askFormats[kept] = w.askFormats[i];
                w.askedAt[kept] = w.askedAt[i];
                kept++;
            }
        }
        w.asks = kept;
        for (int k = 0; k < 3; k++) {
            if (bodies[k] != null && !sent[k] && !saidTooLarge[k]) {
                saidTooLarge[k] = true;
                log.line("a stats answer of %d bytes is more than a worker takes (%d bytes, from the data set's size):"
                        + " its requests are answered 503; said once", lengths[k], answerLimit);
            }
        }
        return true;
    }

    private int heapPages() {
        return objectHeap == null ? 0 : (int) ((objectHeap.end() - objectHeap.start()) >>> 12);
    }

    /** The last complete round's memory of {@code pid}; null if it was not measured (allocates: for the /stats reports). */
    Map<String, Smaps.Fields> memoryOf(int pid) {
        int i = measured(pid);
        return i < 0 ? null : sums[i].toMap();
    }

    /** Rounds completed so far. */
    int rounds() {
        return rounds;
    }

    /** Rows for the master and {@code workers}, measured now; a worker that exits meanwhile is left out. */
    static List<StatsReport.Row> measure(IntFunction<Map<String, Smaps.Fields>> memory, int masterPid,
                                         List<WorkerHandle> workers, List<Integer> restarts) {
        return rows(masterPid, workers, restarts, pid -> {
            try {
                return memory.apply(pid);
            } catch (RuntimeException e) {
                return null; // it exited between the master's last look and now, or cannot be read: left out
            }
        });
    }

    /**
     * Rows for the master and {@code workers}, with each process's memory from
     * {@code memoryOf} (measured earlier, e.g. by a round of this class) and its counters as
     * the master knows them now. A worker without a measurement (it exited, or was forked
     * after the measuring) is left out: the next report lists it.
     */
    static List<StatsReport.Row> rows(int masterPid, List<WorkerHandle> workers, List<Integer> restarts,
                                        IntFunction<Map<String, Smaps.Fields>> memoryOf) {
        List<StatsReport.Row> rows = new ArrayList<>();
        Map<String, Smaps.Fields> master = memoryOf.apply(masterPid);
        // The master's Java heap allocated: what its thread (the one that runs this) has allocated since it started.
        long allocated = ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
        rows.add(new StatsReport.Row("master", 0, masterPid, "running", 0, 0, allocated, 0, 0, master == null ? Map.of() : master));
        for (WorkerHandle w : workers) {
            Map<String, Smaps.Fields> m = memoryOf.apply(w.pid());
            if (m != null) {
                Protocol.Counters c = w.counters;
                rows.add(new StatsReport.Row("worker " + w.slot, w.slot, w.pid(), w.stateName(),
                        c.requests(), restarts.get(w.slot), c.heapAllocated(), c.heapLeft(), c.connections(), m));
            }
        }
        return rows;
    }
}
