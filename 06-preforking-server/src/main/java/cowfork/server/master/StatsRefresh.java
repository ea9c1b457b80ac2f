// The master's /stats work, cut into steps of one process's smaps each, so that no flood of /stats can delay supervision.
package cowfork.server.master;

import cowfork.cow.Smaps;
import cowfork.fork.ForkException;
import cowfork.server.protocol.Protocol;
import cowfork.server.stats.AddressRange;
import cowfork.server.stats.DashboardData;
import cowfork.server.stats.MemoryReport;
import cowfork.server.stats.StatsReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Reading {@code /proc/PID/smaps} of every process of the server takes tens of
 * milliseconds. The master is one thread that also reaps, respawns and watches
 * heartbeats, so it never reads them all at once for a client: a /stats request is queued,
 * and the master reads one process per pass of its loop ({@link #step}), answering every
 * queued request when a whole round is done.
 *
 * <pre>
 *   ask ─► queued ──(next round starts: at most one per MIN_INTERVAL)──► measure master, worker 1, ...
 *                                                                       one per loop pass
 *          every ask queued before the round started ◄── answered ──────┘ round complete
 * </pre>
 *
 * <p>Every answer comes from a round that started after the request arrived: never older
 * data than the client asked for, and however many clients ask, at most one round runs
 * per {@link #MIN_INTERVAL_NANOS} (a flood of /stats costs the master one smaps read per
 * pass, not one full read per request).
 */
final class StatsRefresh {
    /** A round starts at most this often. */
    static final long MIN_INTERVAL_NANOS = 200_000_000L;

    /** A request waiting for a round: which worker asked, its token, the format. */
    record Ask(WorkerHandle worker, int token, byte format) {}

    private final MemoryReport memory;
    private final int masterPid;
    private final List<Ask> waiting = new ArrayList<>();
    private final List<Ask> inRound = new ArrayList<>();
    private final Deque<Integer> toMeasure = new ArrayDeque<>();
    private final Map<Integer, Map<String, Smaps.Fields>> measured = new HashMap<>();
    /** The object heap's page states by pid, read in the same step as the smaps when a /dashboard/data ask is in the round. */
    private final Map<Integer, String> strips = new HashMap<>();
    private final AddressRange objectHeap;
    private final long bornNanos = System.nanoTime();
    private boolean withPages;
    private long lastRoundStart = Long.MIN_VALUE / 2;
    private int rounds;

    /** {@code objectHeap}: the range whose page map /dashboard/data shows (null: none). */
    StatsRefresh(MemoryReport memory, int masterPid, AddressRange objectHeap) {
        this.memory = memory;
        this.masterPid = masterPid;
        this.objectHeap = objectHeap;
    }

    /** Queues a request; it is answered by a round that starts after now. */
    void ask(WorkerHandle worker, int token, byte format) {
        waiting.add(new Ask(worker, token, format));
    }

    /** Whether the master has stats work to do now (its poll must not sleep past {@link #nextStepNanos}). */
    boolean busy() {
        return !inRound.isEmpty() || !waiting.isEmpty();
    }

    /** When {@link #step} has something to do next: now during a round, else when the next round may start. */
    long nextStepNanos(long now) {
        if (!inRound.isEmpty()) {
            return now;
        }
        return waiting.isEmpty() ? Long.MAX_VALUE : Math.max(now, lastRoundStart + MIN_INTERVAL_NANOS);
    }

    /**
     * Does at most one process's smaps read. Returns the asks the finished round answers,
     * with their memory by pid, or an empty list while a round runs or none may start yet.
     *
     * @param pids the processes to measure if a round starts now: the master first, then the workers
     */
    List<Ask> step(long now, List<Integer> pids) {
        if (inRound.isEmpty()) {
            if (waiting.isEmpty() || now - (lastRoundStart + MIN_INTERVAL_NANOS) < 0) {
                return List.of();
            }
            inRound.addAll(waiting);
            waiting.clear();
            measured.clear();
            strips.clear();
            withPages = objectHeap != null && inRound.stream().anyMatch(a -> a.format() == Protocol.FORMAT_DASHBOARD);
            toMeasure.clear();
            toMeasure.add(masterPid);
            toMeasure.addAll(pids);
            lastRoundStart = now;
        }
        Integer pid = toMeasure.poll();
        if (pid != null) {
            try {
                measured.put(pid, memory.of(pid));
                if (withPages) { // one pagemap read more in this step: bounded by the object heap's size
                    String strip = DashboardData.strip(pid, objectHeap);
                    if (strip != null) {
                        strips.put(pid, strip);
                    }
                }
            } catch (IllegalArgumentException gone) {
                // it exited meanwhile: the report leaves it out
            }
        }
        if (!toMeasure.isEmpty()) {
            return List.of();
        }
        rounds++;
        List<Ask> done = List.copyOf(inRound);
        inRound.clear();
        return done;
    }

    /**
     * Sends {@code report} to every ask of a completed round whose worker is still in
     * {@code live}: a reaped worker's descriptors are closed, and their numbers may belong to
     * another worker now. A worker that died after asking is skipped (its pidfd says so).
     */
    void answer(List<Ask> asks, StatsReport report, List<WorkerHandle> live) {
        byte[] json = null;
        byte[] table = null;
        byte[] dashboard = null;
        for (Ask ask : asks) {
            if (!live.contains(ask.worker())) {
                continue;
            }
            byte[] body;
            if (ask.format() == Protocol.FORMAT_TEXT) {
                body = table != null ? table : (table = report.toTable().getBytes(StandardCharsets.UTF_8));
            } else if (ask.format() == Protocol.FORMAT_DASHBOARD) {
                body = dashboard != null ? dashboard : (dashboard = DashboardData.json(report, rounds,
                        (lastRoundStart - bornNanos) / 1_000_000, heapPages(), strips::get).getBytes(StandardCharsets.UTF_8));
            } else {
                body = json != null ? json : (json = report.toJson().getBytes(StandardCharsets.UTF_8));
            }
            try {
                ask.worker().process.send(Protocol.statsReply(ask.token(), ask.format(), body));
            } catch (ForkException gone) {
                // it died after asking; the master reaps it when its pidfd fires
            }
        }
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
    static List<StatsReport.Row> measure(MemoryReport memory, int masterPid, List<WorkerHandle> workers, List<Integer> restarts) {
        return rows(masterPid, workers, restarts, pid -> {
            try {
                return memory.of(pid);
            } catch (IllegalArgumentException gone) {
                return null; // it exited between the master's last look and now
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
