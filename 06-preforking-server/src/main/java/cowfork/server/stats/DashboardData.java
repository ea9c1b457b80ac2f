// The JSON behind /dashboard: each process's memory by region and the page states of its object heap, from one stats round.
package cowfork.server.stats;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Smaps;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The document {@code GET /dashboard/data} answers; documented in the README ("Watching it
 * live"). It is built by the master from a completed {@code StatsRefresh} round: the smaps
 * sums of {@link StatsReport}, plus each process's page map of the object heap (one
 * {@code /proc/PID/pagemap} read per process, in the same pass as its smaps).
 *
 * <pre>
 *   {"refcounts":"inline","items":N,"workers":N,"round":N,"uptime_ms":N,"page_kb":4,"object_heap_pages":N,
 *    "processes":[{"name":"worker 1","slot":1,"pid":N,"state":"running","requests":N,"restarts":N,
 *                  "memory_kb":{"object_heap":{"rss":N,"pss":N,"private":N},...,"total":{...}},
 *                  "pages":{"shared":N,"private":N,"not_present":N,"swapped":N,"map":"--#-...."}}, ...]}
 * </pre>
 *
 * {@code map} has one character per page of the object heap, in address order: {@code -}
 * shared, {@code #} private, {@code .} not present, {@code S} swapped (02's
 * {@link PageState} symbols); the four counts add up to {@code object_heap_pages}. Sizes
 * and states only: never a byte of the pages themselves.
 */
public final class DashboardData {
    private DashboardData() {}

    /**
     * The object heap's page states in process {@code pid}, one {@link PageState#symbol()}
     * per page; null if the process is gone or its page map cannot be read (the document
     * then says {@code "pages":null} for it).
     */
    public static String strip(int pid, AddressRange objectHeap) {
        PageMap map;
        try {
            map = PageMap.of(pid, objectHeap.start(), objectHeap.end() - objectHeap.start());
        } catch (RuntimeException gone) {
            return null; // exited meanwhile, or pagemap not readable: the page shows "no data" for it
        }
        char[] s = new char[map.pages()];
        for (int i = 0; i < s.length; i++) {
            s[i] = map.state(i).symbol();
        }
        return new String(s);
    }

    /**
     * The document for {@code report}, with each process's strip from {@code strips}
     * (by pid; null for none).
     *
     * @param round     the stats round the figures come from (increases by one per round)
     * @param uptimeMs  when that round started, in ms since the master started (increases)
     * @param heapPages pages in the object heap
     */
    public static String json(StatsReport report, int round, long uptimeMs, int heapPages, IntFunction<String> strips) {
        StringBuilder sb = new StringBuilder(256 + report.rows().size() * (heapPages + 600));
        sb.append("{\"refcounts\":\"").append(report.strategy()).append("\",\"items\":").append(report.items())
                .append(",\"workers\":").append(report.targetWorkers()).append(",\"round\":").append(round)
                .append(",\"uptime_ms\":").append(uptimeMs).append(",\"page_kb\":4")
                .append(",\"object_heap_pages\":").append(heapPages).append(",\"processes\":[");
        for (int i = 0; i < report.rows().size(); i++) {
            StatsReport.Row r = report.rows().get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"name\":\"").append(r.name()).append("\",\"slot\":").append(r.slot())
                    .append(",\"pid\":").append(r.pid()).append(",\"state\":\"").append(r.state())
                    .append("\",\"requests\":").append(r.requests()).append(",\"restarts\":").append(r.restarts())
                    .append(",\"memory_kb\":{");
            boolean first = true;
            for (Map.Entry<String, Smaps.Fields> e : r.memory().entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                Smaps.Fields f = e.getValue();
                sb.append('"').append(e.getKey().replace(' ', '_').toLowerCase(Locale.ROOT)).append("\":{")
                        .append("\"rss\":").append(f.rssKb()).append(",\"pss\":").append(f.pssKb())
                        .append(",\"private\":").append(f.privateCleanKb() + f.privateDirtyKb()).append('}');
            }
            sb.append("},\"pages\":");
            String strip = strips.apply(r.pid());
            if (strip == null) {
                sb.append("null");
            } else {
                sb.append("{\"shared\":").append(count(strip, PageState.SHARED))
                        .append(",\"private\":").append(count(strip, PageState.PRIVATE))
                        .append(",\"not_present\":").append(count(strip, PageState.NOT_PRESENT))
                        .append(",\"swapped\":").append(count(strip, PageState.SWAPPED))
                        .append(",\"map\":\"").append(strip).append("\"}");
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private static int count(String strip, PageState state) {
        int n = 0;
        char c = state.symbol();
        for (int i = 0; i < strip.length(); i++) {
            if (strip.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
