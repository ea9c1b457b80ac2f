// The master's /stats work, cut into steps of one process's smaps each, so that no flood of /stats can delay supervision.
package cowfork.server.master;

import cowfork.cow.Smaps;
import cowfork.fork.Processes;
import cowfork.server.protocol.Protocol;
import cowfork.server.stats.AddressRange;
import cowfork.server.stats.DashboardData;
import cowfork.server.stats.StatsReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

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

    private final IntFunction<Map<String, Smaps.Fields>> measure;
    private final int masterPid;
    private final Log log;
    private final Map<Integer, Map<String, Smaps.Fields>> measured = new HashMap<>();
    /** The object heap's page states by pid, read in the same step as the smaps when a /dashboard/data ask is in the round. */
    private final Map<Integer, String> strips = new HashMap<>();
    private final AddressRange objectHeap;
    private final int answerLimit;
    private final long bornNanos = System.nanoTime();
    /** The processes the running round still has to measure. */
    private int[] toMeasure = new int[16];
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
    /** The newest complete round's answer bodies by format (built when it completed, for the formats asked), and its round number. */
    private byte[] json;
    private byte[] table;
    private byte[] dashboard;
    /** Scratch for one answer: the tokens it carries, their formats, its bodies by place, which go whole. */
    private final int[] tokens = new int[Protocol.MAX_ASKS_IN_FLIGHT];
    private final byte[] formats = new byte[Protocol.MAX_ASKS_IN_FLIGHT];
    private final byte[][] bodies = new byte[3][];
    private final boolean[] sent = new boolean[3];
    private final boolean[] saidTooLarge = new boolean[3];

    /**
     * {@code measure}: a process's memory by class (throws if it cannot be read);
     * {@code objectHeap}: the range whose page map /dashboard/data shows (null: none);
     * {@code answerLimit}: the longest answer a worker takes ({@link Protocol#answerLimit}).
     */
    StatsRefresh(IntFunction<Map<String, Smaps.Fields>> measure, int masterPid, AddressRange objectHeap, int answerLimit,
                 Log log) {
        this.measure = measure;
        this.masterPid = masterPid;
        this.objectHeap = objectHeap;
        this.answerLimit = answerLimit;
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
     * step completed a round: then {@code report} builds the report, and the answer bodies the
     * waiting asks need are made from it; {@link #deliver} sends them.
     *
     * @param workers the live workers: the round measures the master first, then each of them
     */
    boolean step(long now, List<WorkerHandle> workers, Supplier<StatsReport> report) {
        if (!running) {
            if (newestAsk - roundStart < 0 || now - (roundStart + MIN_INTERVAL_NANOS) < 0) {
                return false;
            }
            running = true;
            roundStart = now;
            measured.clear();
            strips.clear();
            withPages = false;
            if (toMeasure.length < workers.size() + 1) {
                toMeasure = new int[2 * (workers.size() + 1)];
            }
            toMeasureCount = 0;
            measuredCount = 0;
            toMeasure[toMeasureCount++] = masterPid;
            for (WorkerHandle w : workers) {
                toMeasure[toMeasureCount++] = w.pid();
                for (int i = 0; i < w.asks; i++) {
                    withPages |= w.askFormats[i] == Protocol.FORMAT_DASHBOARD;
                }
            }
            withPages &= objectHeap != null;
        }
        if (measuredCount < toMeasureCount) {
            measureOne(toMeasure[measuredCount++]);
        }
        if (measuredCount < toMeasureCount) {
            return false;
        }
        running = false;
        rounds++;
        answeredBefore = roundStart;
        buildBodies(workers, report);
        return true;
    }

    /** One process's smaps (and its page map, when the round needs it); a process that exited meanwhile is left out. */
    private void measureOne(int pid) {
        try {
            measured.put(pid, measure.apply(pid));
            if (withPages) { // one pagemap read more in this step: bounded by the object heap's size
                String strip = DashboardData.strip(pid, objectHeap);
                if (strip != null) {
                    strips.put(pid, strip);
                }
            }
        } catch (RuntimeException e) {
            char state = Processes.state(pid);
            if (state != '?' && state != 'Z') {
                // Not "it exited": a file the master cannot read or parse. Say so; the report leaves it out.
                log.line("could not measure pid %d (%s): %s; the report leaves it out", pid,
                        Processes.stateName(state), e);
            }
        }
    }

    /** Makes, from the round just completed, the bodies the asks it covers need (each once). */
    private void buildBodies(List<WorkerHandle> workers, Supplier<StatsReport> report) {
        json = null;
        table = null;
        dashboard = null;
        StatsReport r = null;
        for (WorkerHandle w : workers) {
            for (int i = 0; i < w.asks; i++) {
                if (w.askedAt[i] - answeredBefore >= 0) {
                    continue; // came during the round: the next one answers it
                }
                r = r != null ? r : report.get();
                byte f = w.askFormats[i];
                if (f == Protocol.FORMAT_TEXT && table == null) {
                    table = r.toTable().getBytes(StandardCharsets.UTF_8);
                } else if (f == Protocol.FORMAT_DASHBOARD && dashboard == null) {
                    dashboard = DashboardData.json(r, rounds, (answeredBefore - bornNanos) / 1_000_000, heapPages(),
                            strips::get).getBytes(StandardCharsets.UTF_8);
                } else if (f == Protocol.FORMAT_JSON && json == null) {
                    json = r.toJson().getBytes(StandardCharsets.UTF_8);
                }
            }
        }
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
                bodies[k] = k == 1 ? table : k == 2 ? dashboard : json;
                n++;
            }
        }
        if (n == 0) {
            return false;
        }
        int length = Protocol.answerLength(n, bodies, answerLimit, sent);
        int at = w.outbox.startFrame(length);
        if (at < 0) {
            return false;
        }
        w.outbox.commit(Protocol.writeAnswer(w.outbox.array(), at, n, tokens, formats, bodies, sent));
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
                        + " its requests are answered 503; said once", bodies[k].length, answerLimit);
            }
        }
        return true;
    }

    private int heapPages() {
        return objectHeap == null ? 0 : (int) ((objectHeap.end() - objectHeap.start()) >>> 12);
    }

    /** The last complete round's memory of {@code pid}; null if it was not measured. */
    Map<String, Smaps.Fields> memoryOf(int pid) {
        return measured.get(pid);
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
        rows.add(new StatsReport.Row("master", 0, masterPid, "running", 0, 0, 0, 0, 0, master == null ? Map.of() : master));
        for (WorkerHandle w : workers) {
            Map<String, Smaps.Fields> m = memoryOf.apply(w.pid());
            if (m != null) {
                Protocol.Counters c = w.counters;
                rows.add(new StatsReport.Row("worker " + w.slot, w.slot, w.pid(), w.state.name().toLowerCase(Locale.ROOT),
                        c.requests(), restarts.get(w.slot), c.heapAllocated(), c.heapLeft(), c.connections(), m));
            }
        }
        return rows;
    }
}
