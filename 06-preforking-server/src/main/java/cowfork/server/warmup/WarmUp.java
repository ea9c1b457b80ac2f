// Before it forks, the master serves real requests through the real worker code, so the workers inherit it loaded and compiled.
package cowfork.server.warmup;

import cowfork.fork.ChildContext;
import cowfork.fork.FrameChannel;
import cowfork.fork.Syscalls;
import cowfork.server.app.Store;
import cowfork.server.protocol.Protocol;
import cowfork.server.stats.MemoryReport;
import cowfork.server.worker.Sockets;
import cowfork.server.worker.Worker;
import cowfork.server.worker.WorkerConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a {@link Worker} inside the master, on a private loopback listener, with a client
 * on the same thread ({@link LoopbackClient}): the client writes a request, the worker
 * takes a non-blocking step, the client reads the answer. Every path a worker can take is
 * run at least once ({@link WarmUpScenarios}: errors, timeouts, stats, stopping, retiring,
 * the master vanishing) and the request path many times, so that:
 * <ul>
 *   <li>every class a worker needs is loaded (a forked child must never need the class loader);</li>
 *   <li>the hot path is compiled (a forked child cannot compile: the JIT is excluded at fork
 *       and there are no compiler threads), so workers run at full speed from their first request.</li>
 * </ul>
 * It also measures what it buys: time per request at the start and at the end, and the Java
 * heap allocated per request once warm.
 */
public final class WarmUp {
    /** What the warm-up measured. */
    record Result(int requests, long nanos, double firstMicros, double lastMicros, double bytesPerRequest) {
        String describe() {
            return String.format(Locale.ROOT, "warm-up: %d requests in %.1f s; first 1000 at %.1f µs each, last 1000 at"
                    + " %.1f µs each; Java heap allocated per request when warm: %.0f bytes",
                    requests, nanos / 1e9, firstMicros, lastMicros, bytesPerRequest);
        }
    }

    private static final int MAX_STEPS = LoopbackClient.MAX_STEPS;

    private final WorkerConfig config;
    private final Store store;
    private final int listenFd;
    private final LoopbackClient client;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private FrameChannel masterSide;
    private Worker worker;

    /** A warm-up serving on {@code listenFd}: a listening loopback socket of its own, never the public one. */
    WarmUp(WorkerConfig config, Store store, int listenFd) {
        this.config = config;
        this.store = store;
        this.listenFd = listenFd;
        this.client = new LoopbackClient(Sockets.boundPort(listenFd), this::step);
    }

    /**
     * Serves {@code requests} requests (at least the fixed tour of every path), then every
     * special path.
     *
     * @throws IllegalStateException if the worker code misbehaves (an answer that never comes,
     *         an unexpected status): better to fail in the master than in every worker
     */
    Result run(int requests) {
        List<byte[]> hot = WarmUpScenarios.hot(store);
        // 1. The request path, many times over one kept-alive connection, timed.
        start(config);
        int c = client.connect();
        long t0 = System.nanoTime();
        long firstThousand = 0;
        long lastThousandStart = 0;
        long allocStart = 0;
        int n = Math.max(requests, 2000);
        for (int i = 0; i < n; i++) {
            if (i == 1000) {
                firstThousand = System.nanoTime() - t0;
            }
            if (i == n - 1000) {
                lastThousandStart = System.nanoTime();
                allocStart = threads.getCurrentThreadAllocatedBytes();
            }
            client.exchange(c, hot.get(i % hot.size()), true);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocStart;
        long end = System.nanoTime();
        client.close(c);
        // 2. Every other path, a few times each.
        for (int round = 0; round < 20; round++) {
            tourOfErrors();
            if (config.routes().stats()) { // else the workers answer /stats 404, as the tour of errors does
                stats(FORMAT_JSON_SMALL);
                stats(FORMAT_TEXT_BIG);
            }
            worker.rehearseFailure(); // the 500 path's reporting code, resolved before any fork
        }
        stop();
        timeouts();
        retiring();
        masterGone();
        return new Result(n, end - t0, firstThousand / 1000.0 / 1000, (end - lastThousandStart) / 1000.0 / 1000,
                allocated / 1000.0);
    }

    /** Prints what {@link #run} measured. */
    public static Result runAndReport(WorkerConfig config, Store store, int listenFd, int requests, PrintStream out) {
        Result r = new WarmUp(config, store, listenFd).run(requests);
        out.println(r.describe());
        return r;
    }

    // ---- the scenarios ----

    /** Requests that end their connection: each on a connection of its own; then pipelining and a split request. */
    private void tourOfErrors() {
        for (byte[] r : WarmUpScenarios.closing(config)) {
            int c = client.connect();
            client.exchange(c, r, false);
            client.close(c);
        }
        // Two requests in one packet, then a request that arrives in two parts.
        client.expectBodies();
        int c = client.connect();
        byte[] two = WarmUpScenarios.pipelined();
        client.send(c, two, 0, two.length);
        client.awaitResponses(c, 2);
        byte[] split = WarmUpScenarios.get("/item/2");
        client.send(c, split, 0, 10);
        step();
        client.exchangeRest(c, split, 10);
        client.close(c);
        // A client that expects 100-continue: the 100, then the answer once the body is in.
        c = client.connect();
        byte[] expect = WarmUpScenarios.expectContinue();
        client.send(c, expect, 0, expect.length);
        client.awaitResponses(c, 2);
        client.close(c);
    }

    private static final byte FORMAT_JSON_SMALL = Protocol.FORMAT_JSON;
    private static final byte FORMAT_TEXT_BIG = Protocol.FORMAT_TEXT;

    /** A /stats request, answered by this warm-up in the master's place (small and large bodies). */
    private void stats(byte format) {
        client.expectBodies();
        int c = client.connect();
        byte[] request = WarmUpScenarios.get(format == Protocol.FORMAT_TEXT ? "/stats?format=text" : "/stats");
        client.send(c, request, 0, request.length);
        byte[] ask = null;
        for (int i = 0; i < MAX_STEPS && ask == null; i++) {
            step();
            ask = nextFromWorker(Protocol.STATS);
        }
        if (ask == null) {
            throw new IllegalStateException("warm-up: the worker never asked the master for stats");
        }
        int token = Protocol.getInt(ask, 1 + Protocol.COUNTERS);
        byte[] body = new byte[format == Protocol.FORMAT_TEXT ? 3 * config.outBufferBytes() : 100];
        java.util.Arrays.fill(body, (byte) 'x');
        masterSide.send(FrameChannel.MESSAGE, Protocol.answer(token, format, body, MemoryReport.answerLimit(store.regions())));
        client.awaitResponses(c, 1);
        client.close(c);
    }

    /** The graceful stop: an idle connection is closed and the worker finishes. */
    private void stop() {
        int c = client.connect();
        client.exchange(c, WarmUpScenarios.get("/health"), true);
        masterSide.send(FrameChannel.MESSAGE, new byte[] {Protocol.STOP});
        finish("a graceful stop");
        client.close(c);
    }

    /** A client that stops mid-request gets 408; an idle connection is closed. */
    private void timeouts() {
        start(config.withTimeouts(1_000_000, 1_000_000, 0));
        int slow = client.connect();
        int idle = client.connect();
        byte[] partial = WarmUpScenarios.get("/health");
        client.send(slow, partial, 0, 5);
        long deadline = System.nanoTime() + 5_000_000_000L;
        int got = 0;
        while (got == 0 && System.nanoTime() < deadline) {
            worker.step(2);
            drainWorker();
            got = client.readAvailable(slow);
        }
        if (got <= 0 || !client.responseStartsWith("HTTP/1.1 408")) {
            throw new IllegalStateException("warm-up: a slow client did not get 408 Request Timeout");
        }
        for (int i = 0; i < 100 && worker.connections() > 0; i++) {
            worker.step(2);
            drainWorker();
        }
        client.close(slow);
        client.close(idle);
        masterSide.send(FrameChannel.MESSAGE, new byte[] {Protocol.STOP});
        finish("the timeout worker's stop");
    }

    /** A worker past its max-requests tells the master it retires, then stops by itself. */
    private void retiring() {
        start(config.withRetireAfter(1));
        int c = client.connect();
        client.exchange(c, WarmUpScenarios.get("/health"), false);
        finish("a retirement");
        if (nextFromWorker(Protocol.RETIRING) == null) {
            throw new IllegalStateException("warm-up: a worker past its max-requests did not say it retires");
        }
        client.close(c);
    }

    /** When the master's end of the pipe closes, the worker ends at once. */
    private void masterGone() {
        start(config);
        int c = client.connect();
        client.exchange(c, WarmUpScenarios.get("/health"), true);
        masterSide.close();
        masterSide = null;
        finish("the master's disappearance");
        client.close(c);
    }

    // ---- plumbing ----

    private void start(WorkerConfig workerConfig) {
        if (masterSide != null) {
            masterSide.close();
        }
        int[] up = Syscalls.pipe();
        int[] down = Syscalls.pipe();
        masterSide = new FrameChannel(up[0], down[1]);
        ChildContext child = ChildContext.inThisProcess(new FrameChannel(down[0], up[1]));
        worker = new Worker(workerConfig, child, store, listenFd);
        workerFds = new int[] {down[0], up[1]};
    }

    private int[] workerFds;

    private void finish(String what) {
        for (int i = 0; i < MAX_STEPS; i++) {
            if (!worker.step(1)) {
                drainWorker();
                for (int fd : workerFds) {
                    Syscalls.posix().close(fd);
                }
                return;
            }
            drainWorker();
        }
        throw new IllegalStateException("warm-up: the worker did not finish after " + what);
    }

    private void step() {
        worker.step(0);
        drainWorker();
    }

    private final List<byte[]> fromWorker = new ArrayList<>();

    /** Reads what the worker sent (heartbeats, stats requests...) so the pipe never fills. */
    private void drainWorker() {
        if (masterSide == null) {
            return;
        }
        FrameChannel.Frame f;
        while ((f = masterSide.receive(System.nanoTime())) != null) {
            if (f.payload().length > 0 && f.payload()[0] != Protocol.HEARTBEAT) {
                fromWorker.add(f.payload());
            }
        }
    }

    private byte[] nextFromWorker(byte type) {
        for (int i = 0; i < fromWorker.size(); i++) {
            if (fromWorker.get(i)[0] == type) {
                return fromWorker.remove(i);
            }
        }
        return null;
    }
}
