// The comparison, not a mode of the pre-forked server: the same endpoints and heap served by N threads of one JVM.
package cowfork.server.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import cowfork.cow.Smaps;
import cowfork.server.app.AtomicRefCounts;
import cowfork.server.app.Endpoints;
import cowfork.server.app.HeapStore;
import cowfork.server.app.LockedStore;
import cowfork.server.app.Store;
import cowfork.server.http.RequestHead;
import cowfork.server.master.ServerConfig;
import cowfork.support.Cli;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * "Why not just threads?" One JVM process, the JDK's {@code com.sun.net.httpserver} with a
 * fixed pool of N threads, serving the worker's routes ({@link Endpoints}, the same class,
 * so the same bytes) from one object heap ({@link HeapStore}, the same data set). Nothing
 * is forked and nothing is copied; in exchange, N threads now read one heap whose every
 * read writes a count. Two ways to make that safe, chosen by {@link Locking}:
 * <pre>
 *   GIL     one lock around every request's heap work, any refcount strategy (CPython's answer):
 *           safe and simple, but the heap work of N threads runs one at a time
 *   ATOMIC  counts changed by atomic adds ({@link AtomicRefCounts}), no lock: heap work runs in
 *           parallel, each incref costs a locked instruction and the count's cache line
 *           bounces between cores (why free-threaded CPython counts per owning thread, PEP 703)
 * </pre>
 * Each thread has its own {@link Endpoints} and body buffer; under ATOMIC also its own
 * {@link HeapStore#view()} (the store's JSON builders are per reader).
 *
 * <p>{@code /stats} answers this one process's memory from {@code /proc/self/smaps_rollup}.
 * With {@code faults} on, {@code GET /fault/exception} throws in the handling thread and
 * {@code GET /fault/oom} fills the Java heap until {@link OutOfMemoryError}: the fault
 * comparison in the README.
 */
public final class ThreadedServer implements AutoCloseable {
    /** How the threads share the heap. */
    public enum Locking { GIL, ATOMIC }

    /** The command line of {@code ./cowfork serve-threads}. */
    @Command(name = "./cowfork serve-threads", sortOptions = false,
            description = "The comparison: one JVM, N threads, no fork; the pre-forked server's endpoints and heap.")
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8000", converter = ServerConfig.Bind.Converter.class,
                description = "where to listen (default: ${DEFAULT-VALUE}; port 0 picks a free one)")
        ServerConfig.Bind bind;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "4",
                description = "handler threads, 1 to 1024 (default: ${DEFAULT-VALUE})")
        int threads;

        @Option(names = "--locking", paramLabel = "gil|atomic", defaultValue = "atomic", converter = LockingConverter.class,
                description = "one lock around the heap work, or atomic counts and no lock (default: ${DEFAULT-VALUE})")
        Locking locking;

        @Option(names = "--refcounts", paramLabel = "NAME", defaultValue = "inline",
                completionCandidates = ServerConfig.Strategies.class,
                description = "strategy under --locking gil: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
        String strategy;

        @Option(names = "--data-size", paramLabel = "BYTES", defaultValue = "32m", converter = Cli.Size.class,
                description = "size of the preloaded data set, k/m/g suffixes (default: ${DEFAULT-VALUE})")
        long dataBytes;

        @Option(names = "--faults",
                description = "serve GET /fault/exception, /fault/oom and /sleep?ms=N (for the fault comparison)")
        boolean faults;

        /** The checks picocli does not make: ranges, and a strategy that exists. */
        @Override
        public void check() {
            Cli.within("--threads", threads, 1, 1024);
            Cli.withinSize("--data-size", dataBytes, 1024, 1L << 40);
            if (locking == Locking.GIL && !HeapStore.strategies().contains(strategy)) {
                throw new IllegalArgumentException("--refcounts " + strategy + " is not available; on the class path: "
                        + HeapStore.strategies());
            }
        }
    }

    /** {@code gil} or {@code atomic}. */
    static final class LockingConverter implements Cli.Converter<Locking> {
        @Override
        public Locking parse(String value) {
            return switch (value) {
                case "gil" -> Locking.GIL;
                case "atomic" -> Locking.ATOMIC;
                default -> throw new IllegalArgumentException("'" + value + "' is neither gil nor atomic");
            };
        }
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final HeapStore store;
    private final Locking locking;
    private final boolean faults;
    private final Endpoints.Routes routes;
    private final ReentrantLock gil = new ReentrantLock();
    private final LongAdder requests = new LongAdder();
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(this::newPerThread);

    /**
     * Binds and starts serving {@code store} on {@code threads} threads.
     *
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalArgumentException if ATOMIC is asked for a store whose counts are not atomic
     */
    public ThreadedServer(HeapStore store, Locking locking, String host, int port, int threads, boolean faults) {
        if (locking == Locking.ATOMIC && !store.heap().refCounts().safeUnderThreads()) {
            throw new IllegalArgumentException("--locking atomic needs atomic counts, this heap's are '"
                    + store.strategy() + "': several threads would lose count updates");
        }
        this.store = store;
        this.locking = locking;
        this.faults = faults;
        // The worker's routes, on the worker's terms: /sleep only when asked, /stats on loopback only.
        this.routes = new Endpoints.Routes(faults, host.startsWith("127."));
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "handler-" + n.incrementAndGet()));
        // The JDK's server writes a response's head and body in two writes; with Nagle's algorithm
        // on, the body waits for the client's delayed ACK (40 ms) on a kept-alive connection.
        // The worker sends both in one write. Read once, when the JDK's server is first created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 2048);
        } catch (IOException e) {
            pool.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Builds the store the locking needs: atomic counts for ATOMIC, the named strategy for GIL. */
    public static HeapStore storeFor(Locking locking, String strategy, long dataBytes) {
        return locking == Locking.ATOMIC ? HeapStore.build(AtomicRefCounts.FACTORY, dataBytes)
                : HeapStore.build(strategy, dataBytes);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    HeapStore store() {
        return store;
    }

    /** A thread's own route table and buffers; under GIL its store takes the one lock. */
    private static final class PerThread {
        final Endpoints endpoints;
        final RequestHead head = new RequestHead();
        byte[] target = new byte[1024];

        PerThread(Endpoints endpoints) {
            this.endpoints = endpoints;
        }
    }

    private PerThread newPerThread() {
        Store s = locking == Locking.ATOMIC ? store.view() : new LockedStore(store, gil);
        return new PerThread(new Endpoints(s, (int) ProcessHandle.current().pid(), 64 * 1024, routes));
    }

    /** Answers one exchange; an exception here is the server's to handle (it closes the connection). */
    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.increment();
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                send(exchange, 405, "only GET and HEAD are served\n".getBytes(StandardCharsets.US_ASCII), -1, head);
                return;
            }
            URI uri = exchange.getRequestURI();
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (faults && path.startsWith("/fault/")) {
                fault(path);
            }
            PerThread t = perThread.get();
            String query = uri.getRawQuery();
            int targetLength = path.length() + (query == null ? 0 : 1 + query.length());
            if (t.target.length < targetLength) {
                t.target = new byte[Math.max(targetLength, 2 * t.target.length)];
            }
            ascii(path, t.target, 0);
            if (query != null) {
                t.target[path.length()] = '?';
                ascii(query, t.target, path.length() + 1);
            }
            t.head.reset();
            t.head.method = head ? RequestHead.HEAD : RequestHead.GET;
            t.head.targetStart = 0;
            t.head.pathEnd = path.length();
            t.head.targetEnd = targetLength;
            Endpoints e = t.endpoints;
            if (e.route(t.target, t.head, requests.sum()) == Endpoints.ASK_MASTER) {
                byte[] stats = memoryJson().getBytes(StandardCharsets.US_ASCII);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                send(exchange, 200, stats, stats.length, head);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", new String(e.contentType(), StandardCharsets.US_ASCII));
            send(exchange, e.status(), e.body(), e.bodyLength(), head);
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body, int length, boolean head) throws IOException {
        int n = length < 0 ? body.length : length;
        exchange.sendResponseHeaders(status, head ? -1 : n == 0 ? -1 : n);
        if (!head && n > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, 0, n);
            }
        }
    }

    /** The injected faults: throws, or fills the Java heap until it cannot, in this handler thread. */
    private static void fault(String path) {
        if (path.equals("/fault/exception")) {
            throw new IllegalStateException("injected: a bug in one request handler");
        }
        if (path.equals("/fault/oom")) {
            List<long[]> hog = new ArrayList<>();
            while (true) { // a leak in one request: every thread of the process shares the heap it fills
                hog.add(new long[1 << 17]);
            }
        }
    }

    /** Copies an ASCII string (a raw URI part: percent-encoded, so ASCII) into {@code out} at {@code at}. */
    private static void ascii(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            out[at + i] = (byte) s.charAt(i);
        }
    }

    /** This process's memory, the whole server's: {"pid":..,"pss_kb":..,"rss_kb":..}. */
    static String memoryJson() {
        long pid = ProcessHandle.current().pid();
        try {
            Smaps.Fields f = Smaps.rollup((int) pid);
            return "{\"pid\":" + pid + ",\"pss_kb\":" + f.pssKb() + ",\"rss_kb\":" + f.rssKb() + "}";
        } catch (RuntimeException e) {
            return "{\"pid\":" + pid + ",\"error\":\"no /proc/self/smaps_rollup\"}";
        }
    }

    /** Stops accepting, lets exchanges in progress finish for up to a second, stops the threads. */
    @Override
    public void close() {
        server.stop(1);
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != SERVING) {
            System.exit(code);
        }
    }

    /** {@link #run} result: the server is serving on its own (non-daemon) threads until the JVM is stopped. */
    static final int SERVING = -1;

    /**
     * Starts the threaded server from command-line flags.
     *
     * @return {@link #SERVING}; 2 for bad flags (the message, naming the flag, on {@code err}); 0 after --help
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Cli.Outcome<Options> parsed = Cli.parse(new Options(), args, "serve-threads", out, err);
        Options o = parsed.options();
        if (o == null) {
            return parsed.exitCode(); // 0 after --help, 2 after bad flags (the message is printed)
        }
        long t0 = System.nanoTime();
        HeapStore store = storeFor(o.locking, o.strategy, o.dataBytes);
        out.printf(Locale.ROOT, "[threads] preloaded %s in %.1f s%n", store.describe(), (System.nanoTime() - t0) / 1e9);
        ThreadedServer server = new ThreadedServer(store, o.locking, o.bind.host(), o.bind.port(), o.threads, o.faults);
        out.printf(Locale.ROOT, "[threads] listening on http://%s:%d%n", o.bind.host(), server.port());
        out.printf(Locale.ROOT, "[threads] ready: %d threads, locking %s, one process (pid %d)%n", o.threads,
                o.locking.name().toLowerCase(Locale.ROOT), ProcessHandle.current().pid());
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop"));
        return SERVING; // the pool's threads keep the JVM alive until TERM or INT runs the hook
    }
}
