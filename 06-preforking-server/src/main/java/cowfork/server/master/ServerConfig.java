// The command line of ./cowfork serve: gunicorn's flag names where gunicorn has one, each checked with a clear error.
package cowfork.server.master;

import cowfork.fork.ForkRecipe;
import cowfork.server.app.Endpoints;
import cowfork.server.http.HttpParser;
import cowfork.server.worker.Sockets;
import cowfork.server.worker.WorkerConfig;
import cowfork.support.CommandLine;
import cowfork.support.Sizes;

/**
 * Every setting of the server, parsed from flags. Names follow gunicorn's where it has the
 * same setting ({@code --bind}, {@code --workers}, {@code --timeout}, {@code --graceful-timeout},
 * {@code --max-requests}, {@code --max-requests-jitter}, {@code --keep-alive},
 * {@code --worker-connections}, {@code --limit-request-line}, {@code --limit-request-fields}).
 *
 * <p>Three things are off unless asked for: {@code /sleep} ({@code --debug-endpoints}), with
 * which N requests hold N workers for up to a minute; the process details of {@code /stats}
 * and the dashboard on an address other than loopback ({@code --expose-stats}); and workers
 * that exit as they boot ({@code --debug-crash-workers}), to watch the respawn backoff.
 */
public record ServerConfig(String host, int port, int workers, String refcounts, long dataBytes, double timeoutSeconds,
                           double gracefulTimeoutSeconds, long maxRequests, long maxRequestsJitter,
                           double keepAliveSeconds, double clientTimeoutSeconds, int workerConnections,
                           int limitRequestLine, int limitRequestFields, int limitRequestHead, long limitRequestBody,
                           int warmupRequests, long heapReserveBytes, int backlog, boolean hugePages,
                           boolean debugEndpoints, boolean exposeStats, boolean debugCrashWorkers) {

    public static final String USAGE = """
            usage: ./cowfork serve [flags]
              --bind HOST:PORT           where to listen (default 127.0.0.1:8000; port 0 picks a free one)
              --workers N                worker processes (default 2)
              --refcounts NAME           refcount strategy of the object heap: %s (default inline)
              --data-size BYTES          size of the preloaded data set, k/m/g suffixes (default 32m)
              --timeout SECONDS          kill a worker whose heartbeat is older than this (default 30)
              --graceful-timeout SECONDS how long TERM waits for in-flight requests (default 30)
              --max-requests N           recycle a worker after N requests, 0 = never (default 0)
              --max-requests-jitter N    add 0..N to each worker's max-requests (default 0)
              --keep-alive SECONDS       close an idle kept-alive connection after this (default 5)
              --client-timeout SECONDS   a client must send a whole request within this (default 10)
              --worker-connections N     connections one worker serves at once (default 64)
              --limit-request-line BYTES longest request line (default 4094)
              --limit-request-fields N   most header fields (default 100)
              --limit-request-head BYTES largest request line plus headers (default 8190)
              --limit-request-body BYTES largest request body (default 65536)
              --warmup N                 requests the master serves itself before forking, 0 = none (default 20000)
              --heap-reserve BYTES       a worker retires when less Java heap than this is left (default 16m)
              --backlog N                listen(2) backlog (default 2048)
              --huge-pages               let 2 MiB transparent huge pages back the object heap
                                         (madvise; fork copies 512x fewer page-table entries)
              --expose-stats             serve /stats and the dashboard (pids, memory layout) on a bind that
                                         is not loopback too; on loopback they are always served
              --debug-endpoints          serve GET /sleep?ms=N, a handler that holds its worker
              --debug-crash-workers      every worker exits (status 70) as it boots: watch the respawn backoff
            signals to the master: TERM graceful stop, INT quick stop, HUP replace every worker,
              TTIN one worker more, TTOU one fewer, USR1 print the memory table
            """;

    /** Defaults for everything. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8000, 2, "inline", 32L << 20, 30, 30, 0, 0, 5, 10, 64, 4094, 100, 8190,
                65536, 20_000, 16L << 20, 2048, false, false, false, false);
    }

    /**
     * Parses {@code args}; returns null for {@code --help}.
     *
     * @throws IllegalArgumentException for an unknown flag, a missing value or a value out of
     *         range; the message names the flag and says what it accepts
     */
    public static ServerConfig parse(String... args) {
        ServerConfig d = defaults();
        String host = d.host;
        int port = d.port;
        int workers = d.workers;
        String refcounts = d.refcounts;
        long dataBytes = d.dataBytes;
        double timeout = d.timeoutSeconds;
        double graceful = d.gracefulTimeoutSeconds;
        long maxRequests = d.maxRequests;
        long jitter = d.maxRequestsJitter;
        double keepAlive = d.keepAliveSeconds;
        double clientTimeout = d.clientTimeoutSeconds;
        int connections = d.workerConnections;
        int line = d.limitRequestLine;
        int fields = d.limitRequestFields;
        int headBytes = d.limitRequestHead;
        long body = d.limitRequestBody;
        int warmup = d.warmupRequests;
        long reserve = d.heapReserveBytes;
        int backlog = d.backlog;
        boolean hugePages = d.hugePages;
        boolean debugEndpoints = d.debugEndpoints;
        boolean exposeStats = d.exposeStats;
        boolean debugCrashWorkers = d.debugCrashWorkers;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (flag.equals("--help") || flag.equals("-h")) {
                return null;
            } else if (flag.equals("--huge-pages")) { // a switch: it takes no value
                hugePages = true;
                continue;
            } else if (flag.equals("--debug-endpoints")) {
                debugEndpoints = true;
                continue;
            } else if (flag.equals("--expose-stats")) {
                exposeStats = true;
                continue;
            } else if (flag.equals("--debug-crash-workers")) {
                debugCrashWorkers = true;
                continue;
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args[++i];
            }
            switch (flag) {
                case "--bind", "-b" -> {
                    int colon = value.lastIndexOf(':');
                    if (colon < 0) {
                        throw new IllegalArgumentException("--bind takes HOST:PORT, e.g. 127.0.0.1:8000; got '" + value + "'");
                    }
                    host = value.substring(0, colon);
                    port = (int) CommandLine.wholeNumber(flag, value.substring(colon + 1), 0, 65535);
                    Sockets.sockaddrIn(host, port); // checks the address now, with its own message
                }
                case "--workers", "-w" -> workers = (int) CommandLine.wholeNumber(flag, value, 1, 512);
                case "--refcounts" -> refcounts = value;
                case "--data-size" -> dataBytes = bytes(flag, value, 64L << 10, 64L << 30);
                case "--timeout", "-t" -> timeout = seconds(flag, value, 0.1);
                case "--graceful-timeout" -> graceful = seconds(flag, value, 0);
                case "--max-requests" -> maxRequests = CommandLine.wholeNumber(flag, value, 0, Long.MAX_VALUE / 2);
                case "--max-requests-jitter" -> jitter = CommandLine.wholeNumber(flag, value, 0, Long.MAX_VALUE / 2);
                case "--keep-alive" -> keepAlive = seconds(flag, value, 0);
                case "--client-timeout" -> clientTimeout = seconds(flag, value, 0.01);
                case "--worker-connections" -> connections = (int) CommandLine.wholeNumber(flag, value, 1, 10_000);
                case "--limit-request-line" -> line = (int) CommandLine.wholeNumber(flag, value, 16, 1 << 20);
                case "--limit-request-fields" -> fields = (int) CommandLine.wholeNumber(flag, value, 1, 10_000);
                case "--limit-request-head" -> headBytes = (int) CommandLine.wholeNumber(flag, value, 16, 1 << 20);
                case "--limit-request-body" -> body = CommandLine.wholeNumber(flag, value, 0, Long.MAX_VALUE / 2);
                case "--warmup" -> warmup = (int) CommandLine.wholeNumber(flag, value, 0, 10_000_000);
                case "--heap-reserve" -> reserve = bytes(flag, value, 0, 1L << 40);
                case "--backlog" -> backlog = (int) CommandLine.wholeNumber(flag, value, 1, 65535);
                case "--huge-pages" -> hugePages = yesNo(flag, value);
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'; --help lists the flags");
            }
        }
        if (headBytes < line) {
            throw new IllegalArgumentException("--limit-request-head (" + headBytes + ") must be at least"
                    + " --limit-request-line (" + line + "): the head includes the request line");
        }
        ServerConfig config = new ServerConfig(host, port, workers, refcounts, dataBytes, timeout, graceful, maxRequests,
                jitter, keepAlive, clientTimeout, connections, line, fields, headBytes, body, warmup, reserve, backlog,
                hugePages, debugEndpoints, exposeStats, debugCrashWorkers);
        String tooBig = config.workerHeapProblem(ForkRecipe.edenCapacity());
        if (tooBig != null) {
            throw new IllegalArgumentException(tooBig);
        }
        return config;
    }

    /**
     * Why a worker could not fit its heap in {@code edenBytes}, or null if it can (or the
     * eden is unknown: -1). A forked worker cannot collect garbage, so everything it
     * allocates comes from the eden free at its fork, the whole eden at best: first of all
     * its connection pool, allocated when it starts. A pool that does not fit hangs every
     * worker in its constructor, and the master forks them forever.
     */
    String workerHeapProblem(long edenBytes) {
        WorkerConfig w = workerConfig();
        if (edenBytes < 0 || workerHeapBytes() <= edenBytes) {
            return null;
        }
        long perConnection = w.inBufferBytes() + w.outBufferBytes();
        long fit = Math.max(0, (edenBytes - (workerHeapBytes() - w.poolBytes())) / perConnection);
        return String.format(java.util.Locale.ROOT, "--worker-connections %d needs %s of buffers in each worker"
                        + " (%d x (%d B in, from --limit-request-head, + %d B out)), more than the %s of eden a worker"
                        + " can allocate with its other %s: a forked worker cannot collect garbage, so what it allocates"
                        + " must fit the eden free at fork (-Xmn sizes it). At most %d connections fit; or lower"
                        + " --limit-request-head",
                workerConnections, Sizes.format(w.poolBytes()), workerConnections, w.inBufferBytes(), w.outBufferBytes(),
                Sizes.format(edenBytes), Sizes.format(workerHeapBytes() - w.poolBytes()), fit);
    }

    /**
     * What a worker allocates when it starts: its connection pool, its answer buffer (as
     * large as an output buffer) and a mebibyte for the rest (poll arrays, the connections'
     * own objects). It retires when less than --heap-reserve is left, so it can start with less.
     */
    long workerHeapBytes() {
        WorkerConfig w = workerConfig();
        return w.poolBytes() + w.outBufferBytes() + (1L << 20);
    }

    /**
     * The eden a worker needs free at its fork: what it allocates when it starts, and at
     * least 64 MiB or four reserves. The fork recipe collects before a fork when less is free.
     */
    long childHeapBudget() {
        return Math.max(Math.max(64L << 20, heapReserveBytes * 4), workerHeapBytes());
    }

    /** Whether the server listens on loopback only (127.0.0.0/8), where only this machine's clients reach it. */
    boolean loopback() {
        return host.startsWith("127.");
    }

    /** What each worker is configured with (its retirement point is set per worker by the master). */
    public WorkerConfig workerConfig() {
        long heartbeat = Math.min(1_000_000_000L, nanos(timeoutSeconds) / 4);
        return new WorkerConfig(new HttpParser.Limits(limitRequestLine, limitRequestFields, limitRequestHead,
                limitRequestBody), nanos(keepAliveSeconds), nanos(clientTimeoutSeconds), workerConnections, 16 * 1024,
                heartbeat, Long.MAX_VALUE, heapReserveBytes, new Endpoints.Routes(debugEndpoints, exposeStats || loopback()));
    }

    /** A new worker's retirement point: --max-requests plus 0..--max-requests-jitter, or never. */
    long retireAfter(java.util.SplittableRandom jitter) {
        if (maxRequests == 0) {
            return Long.MAX_VALUE;
        }
        return maxRequests + (maxRequestsJitter > 0 ? jitter.nextLong(maxRequestsJitter + 1) : 0);
    }

    /** {@code --huge-pages=yes} or {@code =no} (the bare flag means yes). */
    private static boolean yesNo(String flag, String value) {
        return switch (value) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new IllegalArgumentException(flag + " is a switch (or " + flag + "=yes|no); got '" + value + "'");
        };
    }

    static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }

    private static double seconds(String flag, String value, double min) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes seconds, e.g. 30 or 0.5; got '" + value + "'");
        }
        if (!(v >= min) || v > 86_400) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and 86400 seconds, got " + value);
        }
        return v;
    }

    /** A size as {@link Sizes#parse} (64m, 1g, 65536) from {@code min} to {@code max}; a refusal names the flag. */
    public static long bytes(String flag, String value, long min, long max) {
        try {
            return Sizes.parse(value, min, max);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }
}
