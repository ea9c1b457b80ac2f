// The JSON behind /dashboard: each process's memory by region and the page states of its object heap, from one stats round.
package cowfork.server.stats;

import cowfork.cow.PageState;
import cowfork.server.http.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The document {@code GET /dashboard/data} answers; documented in the README ("Watching it
 * live"). It is written by the master from a completed {@code StatsRefresh} round: each
 * process's smaps sums ({@link SmapsSums}), plus its page map of the object heap
 * ({@link PageStrip}: one {@code /proc/PID/pagemap} read per process, in the same pass as its
 * smaps). It is written into one array, reused round after round: a dashboard polled for
 * hours makes no garbage in the master.
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
    private static final byte[] HEAD = ascii("{\"refcounts\":\"");
    private static final byte[] ITEMS = ascii("\",\"items\":");
    private static final byte[] WORKERS = ascii(",\"workers\":");
    private static final byte[] ROUND = ascii(",\"round\":");
    private static final byte[] UPTIME = ascii(",\"uptime_ms\":");
    private static final byte[] HEAP_PAGES = ascii(",\"page_kb\":4,\"object_heap_pages\":");
    private static final byte[] PROCESSES = ascii(",\"processes\":[");
    private static final byte[] NAME = ascii("{\"name\":\"");
    private static final byte[] MASTER = ascii("master");
    private static final byte[] WORKER = ascii("worker ");
    private static final byte[] SLOT = ascii("\",\"slot\":");
    private static final byte[] PID = ascii(",\"pid\":");
    private static final byte[] STATE = ascii(",\"state\":\"");
    private static final byte[] REQUESTS = ascii("\",\"requests\":");
    private static final byte[] RESTARTS = ascii(",\"restarts\":");
    private static final byte[] MEMORY = ascii(",\"memory_kb\":{");
    private static final byte[] RSS = ascii("\":{\"rss\":");
    private static final byte[] PSS = ascii(",\"pss\":");
    private static final byte[] PRIVATE = ascii(",\"private\":");
    private static final byte[] PAGES = ascii("},\"pages\":");
    private static final byte[] NO_PAGES = ascii("null}");
    private static final byte[] SHARED = ascii("{\"shared\":");
    private static final byte[] PRIVATE_PAGES = ascii(",\"private\":");
    private static final byte[] NOT_PRESENT = ascii(",\"not_present\":");
    private static final byte[] SWAPPED = ascii(",\"swapped\":");
    private static final byte[] MAP = ascii(",\"map\":\"");
    private static final byte[] END_PAGES = ascii("\"}}");
    private static final byte[] END = ascii("]}");
    /** The memory classes' JSON keys, in {@link MemoryReport#CLASSES} order, then "total". */
    private static final byte[][] KEYS = new byte[SmapsSums.TOTAL + 1][];

    static {
        for (int c = 0; c < SmapsSums.TOTAL; c++) {
            KEYS[c] = ascii(MemoryReport.CLASSES.get(c).replace(' ', '_').toLowerCase(Locale.ROOT));
        }
        KEYS[SmapsSums.TOTAL] = ascii("total");
    }

    private byte[] out = new byte[16 << 10];
    private int length;
    private int rows;

    /**
     * Starts a document: the round the figures come from (increases by one per round), when
     * that round started in ms since the master started (increases), the object heap's size.
     */
    public void begin(String strategy, long items, int workers, int round, long uptimeMs, int heapPages) {
        length = 0;
        rows = 0;
        put(HEAD);
        put(strategy);
        put(ITEMS);
        putDecimal(items);
        put(WORKERS);
        putDecimal(workers);
        put(ROUND);
        putDecimal(round);
        put(UPTIME);
        putDecimal(uptimeMs);
        put(HEAP_PAGES);
        putDecimal(heapPages);
        put(PROCESSES);
    }

    /**
     * One process: the master ({@code slot} 0) or worker {@code slot}, its memory by class
     * ({@code memory}; null: not measured, an empty object) and its object heap's page states
     * ({@code strip}; null: none, "pages":null).
     */
    public void process(int slot, int pid, String state, long requests, long restarts, SmapsSums memory, PageStrip strip) {
        ensure(512 + (strip == null ? 0 : strip.symbols().length));
        if (rows++ > 0) {
            put((byte) ',');
        }
        put(NAME);
        if (slot == 0) {
            put(MASTER);
        } else {
            put(WORKER);
            putDecimal(slot);
        }
        put(SLOT);
        putDecimal(slot);
        put(PID);
        putDecimal(pid);
        put(STATE);
        put(state);
        put(REQUESTS);
        putDecimal(requests);
        put(RESTARTS);
        putDecimal(restarts);
        put(MEMORY);
        for (int c = 0; memory != null && c <= SmapsSums.TOTAL; c++) {
            if (c > 0) {
                put((byte) ',');
            }
            put((byte) '"');
            put(KEYS[c]);
            put(RSS);
            putDecimal(memory.kb(c, SmapsSums.RSS));
            put(PSS);
            putDecimal(memory.kb(c, SmapsSums.PSS));
            put(PRIVATE);
            putDecimal(memory.privateKb(c));
            put((byte) '}');
        }
        put(PAGES);
        if (strip == null) {
            put(NO_PAGES);
            return;
        }
        put(SHARED);
        putDecimal(strip.count(PageState.SHARED));
        put(PRIVATE_PAGES);
        putDecimal(strip.count(PageState.PRIVATE));
        put(NOT_PRESENT);
        putDecimal(strip.count(PageState.NOT_PRESENT));
        put(SWAPPED);
        putDecimal(strip.count(PageState.SWAPPED));
        put(MAP);
        put(strip.symbols());
        put(END_PAGES);
    }

    /** Ends the document; it is {@link #bytes()}[0, {@link #length()}). */
    public void end() {
        put(END);
    }

    /** The array the document is in (valid until the next {@link #begin}). */
    public byte[] bytes() {
        return out;
    }

    public int length() {
        return length;
    }

    private void ensure(int more) {
        if (length + more > out.length) {
            out = java.util.Arrays.copyOf(out, Math.max(2 * out.length, length + more)); // the first rounds only
        }
    }

    private void put(byte b) {
        ensure(1);
        out[length++] = b;
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, out, length, b.length);
        length += b.length;
    }

    private void put(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            out[length++] = (byte) ascii.charAt(i);
        }
    }

    private void putDecimal(long v) {
        ensure(20);
        length = Bytes.putDecimal(out, length, out.length, v);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
