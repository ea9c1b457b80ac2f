// The server's memory by process and by region, as JSON for /stats and as the table the master prints on SIGUSR1.
package cowfork.server.stats;

import cowfork.cow.Smaps;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A snapshot of every process of the server: the master and each worker, with requests
 * served, restarts of its slot, Java heap used and left, and its memory by region read
 * from {@code /proc/PID/smaps} (see {@link MemoryReport}). All sizes are KiB.
 *
 * <pre>
 *   Rss      pages of the region present in the process
 *   Private  of those, pages only this process maps: for a worker, pages copy-on-write copied
 *   Pss      Rss with each shared page divided among its sharers: sums to the real total
 * </pre>
 */
public final class StatsReport {
    /** One process. {@code memory} maps each class of {@link MemoryReport#CLASSES}, and "total", to its fields. */
    public record Row(String name, int slot, int pid, String state, long requests, int restarts, long heapAllocated,
                      long heapLeft, int connections, Map<String, Smaps.Fields> memory) {
        /** Private KiB (clean and dirty) of a class. */
        public long privateKb(String memoryClass) {
            Smaps.Fields f = memory.get(memoryClass);
            return f == null ? 0 : f.privateCleanKb() + f.privateDirtyKb();
        }

        public long rssKb(String memoryClass) {
            Smaps.Fields f = memory.get(memoryClass);
            return f == null ? 0 : f.rssKb();
        }

        public long pssKb(String memoryClass) {
            Smaps.Fields f = memory.get(memoryClass);
            return f == null ? 0 : f.pssKb();
        }
    }

    private final String strategy;
    private final long items;
    private final int targetWorkers;
    private final List<Row> rows;

    public StatsReport(String strategy, long items, int targetWorkers, List<Row> rows) {
        this.strategy = strategy;
        this.items = items;
        this.targetWorkers = targetWorkers;
        this.rows = List.copyOf(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    public String strategy() {
        return strategy;
    }

    public long items() {
        return items;
    }

    public int targetWorkers() {
        return targetWorkers;
    }

    /** The sum of every process's total PSS: what the whole server really costs. */
    public long totalPssKb() {
        return rows.stream().mapToLong(r -> r.pssKb("total")).sum();
    }

    /** The master's total RSS: what one process of the server holds. */
    public long masterRssKb() {
        return rows.isEmpty() ? 0 : rows.get(0).rssKb("total");
    }

    /** The JSON document /stats answers; each process's memory by {@link MemoryJson}, with its two extra fields per class. */
    public String toJson() {
        JsonBytes out = new JsonBytes(1024);
        out.put("{\"refcounts\":\"").put(strategy).put("\",\"items\":").putDecimal(items)
                .put(",\"workers\":").putDecimal(targetWorkers)
                .put(",\"total_pss_kb\":").putDecimal(totalPssKb())
                .put(",\"master_rss_kb\":").putDecimal(masterRssKb())
                .put(",\"processes\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (i > 0) {
                out.put((byte) ',');
            }
            out.put("{\"name\":\"").put(r.name()).put("\",\"slot\":").putDecimal(r.slot())
                    .put(",\"pid\":").putDecimal(r.pid()).put(",\"state\":\"").put(r.state())
                    .put("\",\"requests\":").putDecimal(r.requests()).put(",\"restarts\":").putDecimal(r.restarts())
                    .put(",\"java_heap_allocated_bytes\":").putDecimal(r.heapAllocated())
                    .put(",\"java_heap_left_bytes\":").putDecimal(r.heapLeft())
                    .put(",\"connections\":").putDecimal(r.connections())
                    .put(",\"memory_kb\":");
            MemoryJson.write(out, MemoryJson.of(r.memory()), true);
            out.put((byte) '}');
        }
        return out.put("]}").toString();
    }

    /**
     * The table the master prints: one line per process; for each region its Rss and the
     * part of it that is private, then the process's total PSS.
     */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "refcounts=%s  items=%d  workers=%d  (KiB, from /proc/PID/smaps;"
                + " priv = private pages: copied or never shared)%n", strategy, items, targetWorkers));
        sb.append(String.format(Locale.ROOT, "%-10s %7s %9s %4s |", "process", "pid", "requests", "rst"));
        for (String c : MemoryReport.CLASSES) {
            sb.append(String.format(Locale.ROOT, " %-17s|", c));
        }
        sb.append(String.format(Locale.ROOT, " %9s%n", "PSS"));
        sb.append(String.format(Locale.ROOT, "%-10s %7s %9s %4s |", "", "", "", ""));
        for (int i = 0; i < MemoryReport.CLASSES.size(); i++) {
            sb.append(String.format(Locale.ROOT, " %8s %8s|", "rss", "priv"));
        }
        sb.append(String.format(Locale.ROOT, " %9s%n", "total"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-10s %7d %9s %4s |", r.name(), r.pid(),
                    r.slot() == 0 ? "-" : Long.toString(r.requests()), r.slot() == 0 ? "-" : Integer.toString(r.restarts())));
            for (String c : MemoryReport.CLASSES) {
                sb.append(String.format(Locale.ROOT, " %8d %8d|", r.rssKb(c), r.privateKb(c)));
            }
            sb.append(String.format(Locale.ROOT, " %9d%n", r.pssKb("total")));
        }
        sb.append(String.format(Locale.ROOT, "all %d processes: PSS %d KiB; one process (the master) alone: RSS %d KiB%n",
                rows.size(), totalPssKb(), masterRssKb()));
        return sb.toString();
    }
}
