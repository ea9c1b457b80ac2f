// The command line of ./cowfork serve, read by picocli: gunicorn's flag names where gunicorn has one, each checked with a clear error.
package cowfork.server.master;

import cowfork.fork.ForkRecipe;
import cowfork.server.app.Endpoints;
import cowfork.server.app.HeapStore;
import cowfork.server.http.HttpParser;
import cowfork.server.protocol.Protocol;
import cowfork.server.worker.Sockets;
import cowfork.server.worker.WorkerConfig;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every setting of the server, read from flags ({@link Flags}). Names follow gunicorn's where it has the
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

    /** Defaults for everything. */
    public static ServerConfig defaults() {
        return Cli.parse(new Flags(), new String[0]).config();
    }

    /**
     * Parses {@code args}; returns null for {@code --help}, after printing the generated usage.
     *
     * @throws IllegalArgumentException for an unknown flag, a missing value or a value out of
     *         range; the message names the flag and says what it accepts
     */
    public static ServerConfig parse(String... args) {
        return parse(System.out, args);
    }

    /** As {@link #parse(String...)}, printing the usage of {@code --help} on {@code helpOut}. */
    public static ServerConfig parse(PrintStream helpOut, String... args) {
        Flags flags = Cli.parse(new Flags(), args, helpOut);
        if (flags == null) {
            return null;
        }
        ServerConfig config = flags.config();
        // The smallest stats answer here; the master checks again with its data set's (Master's constructor).
        String tooBig = config.workerHeapProblem(ForkRecipe.edenCapacity(), Protocol.answerLimit(0));
        if (tooBig != null) {
            throw new IllegalArgumentException(tooBig);
        }
        return config;
    }

    /** The usage {@code ./cowfork serve --help} prints. */
    public static String usage() {
        return Cli.usage(new Flags()).stripTrailing();
    }

    /** The command line of {@code ./cowfork serve}, as picocli reads it; {@link #config} checks it. */
    @Command(name = "./cowfork serve", sortOptions = false,
            description = "The pre-forked HTTP server: preload the data set, bind, warm up, fork the workers, supervise.",
            footer = "Signals to the master: TERM graceful stop, INT quick stop, HUP replace every worker, TTIN one worker"
                    + " more, TTOU one fewer, USR1 print the memory table.")
    public static final class Flags implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = {"-b", "--bind"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8000", converter = Bind.Converter.class,
                description = "where to listen (default: ${DEFAULT-VALUE}; port 0 picks a free one)")
        Bind bind;

        @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "2",
                description = "worker processes, 1 to 512 (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--refcounts", paramLabel = "NAME", defaultValue = "inline", completionCandidates = Strategies.class,
                description = "refcount strategy of the object heap: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
        String refcounts;

        @Option(names = "--data-size", paramLabel = "BYTES", defaultValue = "32m", converter = Cli.Size.class,
                description = "size of the preloaded data set, 64k to 64g, k/m/g suffixes (default: ${DEFAULT-VALUE})")
        long dataBytes;

        @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30", converter = Seconds.class,
                description = "kill a worker whose heartbeat is older than this (default: ${DEFAULT-VALUE})")
        double timeout;

        @Option(names = "--graceful-timeout", paramLabel = "SECONDS", defaultValue = "30", converter = Seconds.class,
                description = "how long TERM waits for in-flight requests (default: ${DEFAULT-VALUE})")
        double graceful;

        @Option(names = "--max-requests", paramLabel = "N", defaultValue = "0",
                description = "recycle a worker after N requests, 0 = never (default: ${DEFAULT-VALUE})")
        long maxRequests;

        @Option(names = "--max-requests-jitter", paramLabel = "N", defaultValue = "0",
                description = "add 0..N to each worker's max-requests (default: ${DEFAULT-VALUE})")
        long jitter;

        @Option(names = "--keep-alive", paramLabel = "SECONDS", defaultValue = "5", converter = Seconds.class,
                description = "close an idle kept-alive connection after this (default: ${DEFAULT-VALUE})")
        double keepAlive;

        @Option(names = "--client-timeout", paramLabel = "SECONDS", defaultValue = "10", converter = Seconds.class,
                description = "a client must send a whole request within this (default: ${DEFAULT-VALUE})")
        double clientTimeout;

        @Option(names = "--worker-connections", paramLabel = "N", defaultValue = "64",
                description = "connections one worker serves at once, 1 to 10000 (default: ${DEFAULT-VALUE})")
        int connections;

        @Option(names = "--limit-request-line", paramLabel = "BYTES", defaultValue = "4094",
                description = "longest request line (default: ${DEFAULT-VALUE})")
        int line;

        @Option(names = "--limit-request-fields", paramLabel = "N", defaultValue = "100",
                description = "most header fields (default: ${DEFAULT-VALUE})")
        int fields;

        @Option(names = "--limit-request-head", paramLabel = "BYTES", defaultValue = "8190",
                description = "largest request line plus headers (default: ${DEFAULT-VALUE})")
        int headBytes;

        @Option(names = "--limit-request-body", paramLabel = "BYTES", defaultValue = "65536",
                description = "largest request body (default: ${DEFAULT-VALUE})")
        long body;

        @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000",
                description = "requests the master serves itself before forking, 0 = none (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--heap-reserve", paramLabel = "BYTES", defaultValue = "16m", converter = Cli.Size.class,
                description = "a worker retires when less Java heap than this is left (default: ${DEFAULT-VALUE})")
        long reserve;

        @Option(names = "--backlog", paramLabel = "N", defaultValue = "2048",
                description = "listen(2) backlog (default: ${DEFAULT-VALUE})")
        int backlog;

        @Option(names = "--huge-pages", arity = "0..1", paramLabel = "yes|no", fallbackValue = "yes", converter = YesNo.class,
                description = "let 2 MiB transparent huge pages back the object heap (madvise; fork copies 512x fewer"
                        + " page-table entries)")
        boolean hugePages;

        @Option(names = "--expose-stats", description = "serve /stats and the dashboard (pids, memory layout) on a bind that"
                + " is not loopback too; on loopback they are always served")
        boolean exposeStats;

        @Option(names = "--debug-endpoints", description = "serve GET /sleep?ms=N, a handler that holds its worker")
        boolean debugEndpoints;

        @Option(names = "--debug-crash-workers",
                description = "every worker exits (status 70) as it boots: watch the respawn backoff")
        boolean debugCrashWorkers;

        /** The ranges, and the head against the line; Cli.parse runs it. */
        @Override
        public void check() {
            Cli.within("--workers", workers, 1, 512);
            Cli.withinSize("--data-size", dataBytes, 64L << 10, 64L << 30);
            seconds("--timeout", timeout, 0.1);
            seconds("--graceful-timeout", graceful, 0);
            Cli.within("--max-requests", maxRequests, 0, Long.MAX_VALUE / 2);
            Cli.within("--max-requests-jitter", jitter, 0, Long.MAX_VALUE / 2);
            seconds("--keep-alive", keepAlive, 0);
            seconds("--client-timeout", clientTimeout, 0.01);
            Cli.within("--worker-connections", connections, 1, 10_000);
            Cli.within("--limit-request-line", line, 16, 1 << 20);
            Cli.within("--limit-request-fields", fields, 1, 10_000);
            Cli.within("--limit-request-head", headBytes, 16, 1 << 20);
            Cli.within("--limit-request-body", body, 0, Long.MAX_VALUE / 2);
            Cli.within("--warmup", warmup, 0, 10_000_000);
            Cli.withinSize("--heap-reserve", reserve, 0, 1L << 40);
            Cli.within("--backlog", backlog, 1, 65535);
            if (headBytes < line) {
                throw new IllegalArgumentException("--limit-request-head (" + headBytes + ") must be at least"
                        + " --limit-request-line (" + line + "): the head includes the request line");
            }
        }

        /** The configuration these (checked) flags describe. */
        ServerConfig config() {
            return new ServerConfig(bind.host(), bind.port(), workers, refcounts, dataBytes, timeout, graceful,
                    maxRequests, jitter, keepAlive, clientTimeout, connections, line, fields, headBytes, body, warmup,
                    reserve, backlog, hugePages, debugEndpoints, exposeStats, debugCrashWorkers);
        }

        private static void seconds(String flag, double value, double min) {
            if (!(value >= min) || value > 86_400) {
                throw new IllegalArgumentException(flag + " must be between " + min + " and 86400 seconds, got " + value);
            }
        }
    }

    /** {@code --bind HOST:PORT}: an IPv4 address and a port, 0 to 65535 (0 picks a free one). */
    public record Bind(String host, int port) {
        /** Reads HOST:PORT; the address is checked now, with the message {@link Sockets#sockaddrIn} gives. */
        public static final class Converter implements Cli.Converter<Bind> {
            @Override
            public Bind parse(String value) {
                int colon = value.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("'" + value + "' is not HOST:PORT, e.g. 127.0.0.1:8000");
                }
                String host = value.substring(0, colon);
                String portText = value.substring(colon + 1);
                int port;
                try {
                    port = Integer.parseInt(portText);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("the port '" + portText + "' is not a whole number from 0 to 65535");
                }
                Sockets.sockaddrIn(host, port); // checks the address now, with its own message
                return new Bind(host, port);
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Seconds, whole or not: 30, 0.5. */
    static final class Seconds implements Cli.Converter<Double> {
        @Override
        public Double parse(String value) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not seconds: use a number such as 30 or 0.5");
            }
        }
    }

    /** A switch's optional value: {@code --huge-pages} alone, or {@code --huge-pages=yes|no} (true and false too). */
    static final class YesNo implements Cli.Converter<Boolean> {
        @Override
        public Boolean parse(String value) {
            return switch (value) {
                case "yes", "true" -> true;
                case "no", "false" -> false;
                default -> throw new IllegalArgumentException("'" + value + "' is not yes or no: the flag alone means yes");
            };
        }
    }

    /** The refcount strategies on the class path, for --help. */
    public static final class Strategies implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return HeapStore.strategies().iterator();
        }
    }

    /**
     * Why a worker of this configuration could not start beside {@code store} (its stats
     * buffers are sized for the data set's longest answer), or null if it can: {@code serve}
     * asks as soon as the data set is built, before it warms up or forks.
     */
    public String workerHeapProblem(cowfork.server.app.Store store) {
        return workerHeapProblem(ForkRecipe.edenCapacity(), cowfork.server.stats.MemoryReport.answerLimit(store.regions()));
    }

    /**
     * Why a worker could not fit its heap in {@code edenBytes}, or null if it can (or the
     * eden is unknown: -1). A forked worker cannot collect garbage, so everything it
     * allocates comes from the eden free at its fork, the whole eden at best: first of all
     * its connection pool and its three stats buffers ({@code answerLimit} bytes each),
     * allocated when it starts. A worker whose buffers do not fit hangs in its constructor,
     * and the master forks them forever.
     */
    String workerHeapProblem(long edenBytes, int answerLimit) {
        WorkerConfig w = workerConfig();
        long need = workerHeapBytes(answerLimit);
        if (edenBytes < 0 || need <= edenBytes) {
            return null;
        }
        long other = need - w.poolBytes();
        long perConnection = w.inBufferBytes() + w.outBufferBytes();
        long fit = Math.max(0, (edenBytes - other) / perConnection);
        if (other > edenBytes) { // the stats buffers alone: a data set too large for this eden
            return String.format(java.util.Locale.ROOT, "a worker needs %s for three stats buffers of %s each (the"
                            + " longest /dashboard/data answer for this data set) and %s for the rest, more than the %s"
                            + " of eden it can allocate: a forked worker cannot collect garbage (-Xmn sizes the eden);"
                            + " use a smaller --data-size", Sizes.format(3L * answerLimit), Sizes.format(answerLimit),
                    Sizes.format(other - 3L * answerLimit + w.poolBytes()), Sizes.format(edenBytes));
        }
        return String.format(java.util.Locale.ROOT, "--worker-connections %d needs %s of buffers in each worker"
                        + " (%d x (%d B in, from --limit-request-head, + %d B out)), more than the %s of eden a worker"
                        + " can allocate with its other %s (three stats buffers of %s, and 1.0 MiB): a forked worker"
                        + " cannot collect garbage, so what it allocates must fit the eden free at fork (-Xmn sizes it)."
                        + " At most %d connections fit; or lower --limit-request-head",
                workerConnections, Sizes.format(w.poolBytes()), workerConnections, w.inBufferBytes(), w.outBufferBytes(),
                Sizes.format(edenBytes), Sizes.format(other), Sizes.format(answerLimit), fit);
    }

    /**
     * What a worker allocates when it starts: its connection pool, three buffers of the
     * longest stats answer (the one it receives from the master, and the two it answers
     * from: {@code answerLimit} bytes each) and a mebibyte for the rest (poll arrays, the
     * connections' own objects). It retires when less than --heap-reserve is left, so it can
     * start with less.
     */
    long workerHeapBytes(int answerLimit) {
        return workerConfig().poolBytes() + 3L * answerLimit + (1L << 20);
    }

    /**
     * The eden a worker needs free at its fork: what it allocates when it starts, and at
     * least 64 MiB or four reserves. The fork recipe collects before a fork when less is free.
     */
    long childHeapBudget(int answerLimit) {
        return Math.max(Math.max(64L << 20, heapReserveBytes * 4), workerHeapBytes(answerLimit));
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

    static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }
}
