// The routes a worker serves, each answering into a reusable body buffer: the application of this server.
package cowfork.server.app;

import cowfork.fork.Syscalls;
import cowfork.server.http.Bytes;
import cowfork.server.http.RequestHead;
import cowfork.server.protocol.Protocol;
import cowfork.server.stats.DashboardAssets;

/**
 * Routes a parsed request to its endpoint and produces the answer: a status, a content
 * type and a body in {@link #body()}. Nothing here allocates.
 *
 * <pre>
 *   GET /                      this list, as text
 *   GET /health                {"status":"ok","pid":...,"requests":...}
 *   GET /item/KEY              one item of the shared object heap as JSON (404 if no such key)
 *   GET /query?from=F&amp;count=N  a small query over N items (default 100, at most 10000)
 *   GET /stats[?format=text]   every worker's memory by region (answered by the master)
 *   GET /sleep?ms=N            a slow handler (at most 60000 ms): the worker is busy meanwhile,
 *                              as a synchronous gunicorn worker would be; only with --debug-endpoints
 *   GET /dashboard             a live view of the memory (DashboardAssets), reading /dashboard/data
 *   GET /dashboard/data        the stats plus page maps of the object heap (answered by the master, DashboardData)
 *   OPTIONS * or OPTIONS /...  the methods every route allows, in Allow (the writer adds it)
 * </pre>
 * HEAD works on every route. Two kinds of route are off unless the {@link Routes} say so:
 * {@code /sleep}, with which N requests hold N workers for a minute, and the process details
 * of {@code /stats} and the dashboard on a bind other clients can reach.
 */
public final class Endpoints {
    /** {@link #route} results. */
    static final int ANSWERED = 0;
    public static final int ASK_MASTER = 1;

    public static final int MAX_QUERY_COUNT = 10_000;
    static final int MAX_SLEEP_MS = 60_000;

    public static final byte[] JSON = Bytes.ascii("application/json");
    public static final byte[] TEXT = Bytes.ascii("text/plain; charset=utf-8");

    private static final byte[] ROOT = Bytes.ascii("/");
    private static final byte[] HEALTH = Bytes.ascii("/health");
    private static final byte[] ITEM = Bytes.ascii("/item/");
    private static final byte[] QUERY = Bytes.ascii("/query");
    private static final byte[] STATS = Bytes.ascii("/stats");
    private static final byte[] SLEEP = Bytes.ascii("/sleep");
    private static final byte[] DASHBOARD = Bytes.ascii("/dashboard");
    private static final byte[] DASHBOARD_FILES = Bytes.ascii("/dashboard/");
    private static final byte[] DASHBOARD_DATA = Bytes.ascii("/dashboard/data");
    private static final byte[] DASHBOARD_JS = Bytes.ascii("/dashboard/uPlot.iife.min.js");
    private static final byte[] DASHBOARD_CSS = Bytes.ascii("/dashboard/uPlot.min.css");
    private static final byte[] DASHBOARD_LICENSE = Bytes.ascii("/dashboard/LICENSE.uPlot");
    private static final byte[] FROM = Bytes.ascii("from");
    private static final byte[] COUNT = Bytes.ascii("count");
    private static final byte[] MS = Bytes.ascii("ms");
    private static final byte[] FORMAT_TEXT = Bytes.ascii("format=text");
    private static final byte[] INDEX = Bytes.ascii("cowfork pre-forked server. Endpoints:\n"
            + "  GET /health\n  GET /item/KEY\n  GET /query?from=F&count=N\n  GET /stats[?format=text]\n"
            + "  GET /sleep?ms=N (with --debug-endpoints)\n  GET /dashboard\n  GET /dashboard/data\n");
    private static final byte[] HEALTH_START = Bytes.ascii("{\"status\":\"ok\",\"pid\":");
    private static final byte[] HEALTH_REQUESTS = Bytes.ascii(",\"requests\":");
    private static final byte[] SLEPT = Bytes.ascii("{\"slept_ms\":");
    private static final byte[] NOT_FOUND = Bytes.ascii("no such item; keys are 0 .. items-1\n");
    private static final byte[] NO_ROUTE = Bytes.ascii("no such endpoint; GET / lists them\n");
    private static final byte[] NO_SLEEP = Bytes.ascii("no such endpoint: /sleep is served only with --debug-endpoints\n");
    private static final byte[] NO_STATS = Bytes.ascii("not served on this address: the process details of /stats and the"
            + " dashboard are served on a loopback bind, or with --expose-stats\n");
    private static final byte[] NOTHING = new byte[0];
    private static final byte[] BAD_QUERY = Bytes.ascii("query parameters: from=F (>= 0) and count=N (1 .. 10000)\n");
    private static final byte[] BAD_SLEEP = Bytes.ascii("sleep takes ms=N with N in 0 .. 60000\n");
    private static final byte[] TOO_LARGE = Bytes.ascii("the answer is larger than the response buffer\n");
    private static final int[] NO_FDS = new int[0];

    private final Store store;
    private final int pid;
    private final byte[] body;
    /** What the answer's body is in: {@link #body}, or a file of the page (never written). */
    private byte[] answer;
    private int status;
    private byte[] contentType;
    private int bodyLength;
    /** For /stats: which format the master should answer in. */
    private byte statsFormat;

    /**
     * Which routes beyond the application's are served.
     *
     * @param sleep {@code /sleep} (--debug-endpoints)
     * @param stats {@code /stats} and the dashboard (on a loopback bind, or with --expose-stats)
     */
    public record Routes(boolean sleep, boolean stats) {}

    private final Routes routes;

    public Endpoints(Store store, int pid, int bodyBytes, Routes routes) {
        this.store = store;
        this.pid = pid;
        this.routes = routes;
        this.body = new byte[bodyBytes];
        this.answer = body;
    }

    public int status() {
        return status;
    }

    public byte[] contentType() {
        return contentType;
    }

    public byte[] body() {
        return answer;
    }

    public int bodyLength() {
        return bodyLength;
    }

    public byte statsFormat() {
        return statsFormat;
    }

    /**
     * Answers the request whose head was parsed from {@code in}; {@code requests} is the
     * worker's count so far (for /health).
     *
     * @return {@link #ANSWERED}, or {@link #ASK_MASTER} for /stats
     */
    public int route(byte[] in, RequestHead head, long requests) {
        if (head.method == RequestHead.OPTIONS) {
            return text(200, NOTHING); // RFC 9110 section 9.3.7: what is allowed is in Allow; every route allows the same
        }
        int path = head.targetStart;
        int pathEnd = head.pathEnd;
        int queryStart = pathEnd < head.targetEnd ? pathEnd + 1 : head.targetEnd;
        int queryEnd = head.targetEnd;
        if (Bytes.startsWith(in, path, pathEnd, ITEM)) {
            int n = store.itemJson(in, path + ITEM.length, pathEnd, body, 0, body.length);
            return n >= 0 ? json(n) : n == Store.NOT_FOUND ? text(404, NOT_FOUND) : text(500, TOO_LARGE);
        }
        if (Bytes.equals(in, path, pathEnd, QUERY)) {
            long from = Bytes.queryLong(in, queryStart, queryEnd, FROM, 0);
            long count = Bytes.queryLong(in, queryStart, queryEnd, COUNT, 100);
            if (from < 0 || count < 1 || count > MAX_QUERY_COUNT) {
                return text(400, BAD_QUERY);
            }
            int n = store.queryJson(from, (int) count, body, 0, body.length);
            return n >= 0 ? json(n) : text(500, TOO_LARGE);
        }
        if (Bytes.equals(in, path, pathEnd, HEALTH)) {
            int p = Bytes.put(body, 0, body.length, HEALTH_START);
            p = Bytes.putDecimal(body, p, body.length, pid);
            p = Bytes.put(body, p, body.length, HEALTH_REQUESTS);
            p = Bytes.putDecimal(body, p, body.length, requests);
            p = Bytes.put(body, p, body.length, '}');
            return json(p);
        }
        if (!routes.stats() && (Bytes.equals(in, path, pathEnd, STATS) || Bytes.equals(in, path, pathEnd, DASHBOARD)
                || Bytes.startsWith(in, path, pathEnd, DASHBOARD_FILES))) {
            return text(404, NO_STATS);
        }
        if (Bytes.equals(in, path, pathEnd, STATS)) {
            statsFormat = Bytes.equals(in, queryStart, queryEnd, FORMAT_TEXT) ? Protocol.FORMAT_TEXT : Protocol.FORMAT_JSON;
            return ASK_MASTER;
        }
        if (Bytes.equals(in, path, pathEnd, DASHBOARD_DATA)) {
            statsFormat = Protocol.FORMAT_DASHBOARD;
            return ASK_MASTER;
        }
        if (Bytes.equals(in, path, pathEnd, DASHBOARD)) {
            return file(DashboardAssets.HTML_TYPE, DashboardAssets.PAGE);
        }
        if (Bytes.equals(in, path, pathEnd, DASHBOARD_JS)) {
            return file(DashboardAssets.JS_TYPE, DashboardAssets.UPLOT_JS);
        }
        if (Bytes.equals(in, path, pathEnd, DASHBOARD_CSS)) {
            return file(DashboardAssets.CSS_TYPE, DashboardAssets.UPLOT_CSS);
        }
        if (Bytes.equals(in, path, pathEnd, DASHBOARD_LICENSE)) {
            return file(TEXT, DashboardAssets.UPLOT_LICENSE);
        }
        if (Bytes.equals(in, path, pathEnd, SLEEP)) {
            if (!routes.sleep()) {
                return text(404, NO_SLEEP);
            }
            long ms = Bytes.queryLong(in, queryStart, queryEnd, MS, -1);
            if (ms < 0 || ms > MAX_SLEEP_MS) {
                return text(400, BAD_SLEEP);
            }
            Syscalls.libc().poll(NO_FDS, 0, (int) ms); // poll over no descriptors: a plain sleep
            int p = Bytes.put(body, 0, body.length, SLEPT);
            p = Bytes.putDecimal(body, p, body.length, ms);
            p = Bytes.put(body, p, body.length, '}');
            return json(p);
        }
        if (pathEnd == path || Bytes.equals(in, path, pathEnd, ROOT)) { // empty: http://host or http://host?q
            return text(200, INDEX);
        }
        return text(404, NO_ROUTE);
    }

    /** A file of the page, answered from its own array (no copy). */
    private int file(byte[] type, byte[] content) {
        status = 200;
        contentType = type;
        answer = content;
        bodyLength = content.length;
        return ANSWERED;
    }

    private int json(int length) {
        answer = body;
        status = 200;
        contentType = JSON;
        bodyLength = length;
        return ANSWERED;
    }

    /** A text answer with a constant body. */
    int text(int code, byte[] message) {
        status = code;
        contentType = TEXT;
        answer = body;
        System.arraycopy(message, 0, body, 0, message.length);
        bodyLength = message.length;
        return ANSWERED;
    }
}
