// The JSON behind /dashboard: each process's memory by region and the page states of its object heap, from one stats round.
package cowfork.server.stats;

import cowfork.cow.PageState;

/**
 * The document {@code GET /dashboard/data} answers; documented in the README ("Watching it
 * live"). It is written by the master from a completed {@code StatsRefresh} round: each
 * process's smaps sums ({@link SmapsSums}), plus its page map of the object heap
 * ({@link PageStrip}: one {@code /proc/PID/pagemap} read per process, in the same pass as its
 * smaps). It is written into one array ({@link JsonBytes}), reused round after round: a
 * dashboard polled for hours makes no garbage in the master. The memory by class is
 * {@link MemoryJson}'s, the writer /stats uses too.
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
    private static final byte[] HEAD = JsonBytes.ascii("{\"refcounts\":\"");
    private static final byte[] ITEMS = JsonBytes.ascii("\",\"items\":");
    private static final byte[] WORKERS = JsonBytes.ascii(",\"workers\":");
    private static final byte[] ROUND = JsonBytes.ascii(",\"round\":");
    private static final byte[] UPTIME = JsonBytes.ascii(",\"uptime_ms\":");
    private static final byte[] HEAP_PAGES = JsonBytes.ascii(",\"page_kb\":4,\"object_heap_pages\":");
    private static final byte[] PROCESSES = JsonBytes.ascii(",\"processes\":[");
    private static final byte[] NAME = JsonBytes.ascii("{\"name\":\"");
    private static final byte[] MASTER = JsonBytes.ascii("master");
    private static final byte[] WORKER = JsonBytes.ascii("worker ");
    private static final byte[] SLOT = JsonBytes.ascii("\",\"slot\":");
    private static final byte[] PID = JsonBytes.ascii(",\"pid\":");
    private static final byte[] STATE = JsonBytes.ascii(",\"state\":\"");
    private static final byte[] REQUESTS = JsonBytes.ascii("\",\"requests\":");
    private static final byte[] RESTARTS = JsonBytes.ascii(",\"restarts\":");
    private static final byte[] MEMORY = JsonBytes.ascii(",\"memory_kb\":");
    private static final byte[] PAGES = JsonBytes.ascii(",\"pages\":");
    private static final byte[] NO_PAGES = JsonBytes.ascii("null}");
    private static final byte[] SHARED = JsonBytes.ascii("{\"shared\":");
    private static final byte[] PRIVATE_PAGES = JsonBytes.ascii(",\"private\":");
    private static final byte[] NOT_PRESENT = JsonBytes.ascii(",\"not_present\":");
    private static final byte[] SWAPPED = JsonBytes.ascii(",\"swapped\":");
    private static final byte[] MAP = JsonBytes.ascii(",\"map\":\"");
    private static final byte[] END_PAGES = JsonBytes.ascii("\"}}");
    private static final byte[] END = JsonBytes.ascii("]}");

    private final JsonBytes out = new JsonBytes(16 << 10);
    private int rows;

    /**
     * Starts a document: the round the figures come from (increases by one per round), when
     * that round started in ms since the master started (increases), the object heap's size.
     */
    public void begin(String strategy, long items, int workers, int round, long uptimeMs, int heapPages) {
        out.clear();
        rows = 0;
        out.put(HEAD).put(strategy).put(ITEMS).putDecimal(items).put(WORKERS).putDecimal(workers)
                .put(ROUND).putDecimal(round).put(UPTIME).putDecimal(uptimeMs).put(HEAP_PAGES).putDecimal(heapPages)
                .put(PROCESSES);
    }

    /**
     * One process: the master ({@code slot} 0) or worker {@code slot}, its memory by class
     * ({@code memory}; null: not measured, an empty object) and its object heap's page states
     * ({@code strip}; null: none, "pages":null).
     */
    public void process(int slot, int pid, String state, long requests, long restarts, SmapsSums memory, PageStrip strip) {
        out.ensure(512 + (strip == null ? 0 : strip.symbols().length));
        if (rows++ > 0) {
            out.put((byte) ',');
        }
        out.put(NAME);
        if (slot == 0) {
            out.put(MASTER);
        } else {
            out.put(WORKER).putDecimal(slot);
        }
        out.put(SLOT).putDecimal(slot).put(PID).putDecimal(pid).put(STATE).put(state)
                .put(REQUESTS).putDecimal(requests).put(RESTARTS).putDecimal(restarts).put(MEMORY);
        MemoryJson.write(out, memory, false);
        out.put(PAGES);
        if (strip == null) {
            out.put(NO_PAGES);
            return;
        }
        out.put(SHARED).putDecimal(strip.count(PageState.SHARED))
                .put(PRIVATE_PAGES).putDecimal(strip.count(PageState.PRIVATE))
                .put(NOT_PRESENT).putDecimal(strip.count(PageState.NOT_PRESENT))
                .put(SWAPPED).putDecimal(strip.count(PageState.SWAPPED))
                .put(MAP).put(strip.symbols()).put(END_PAGES);
    }

    /** Ends the document; it is {@link #bytes()}[0, {@link #length()}). */
    public void end() {
        out.put(END);
    }

    /** The array the document is in (valid until the next {@link #begin}). */
    public byte[] bytes() {
        return out.bytes();
    }

    public int length() {
        return out.length();
    }
}
