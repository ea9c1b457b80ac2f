// Before it forks, the master serves real requests through the real worker code, so the workers inherit it loaded and compiled.
package cowfork.server;

import cowfork.fork.Child;
import cowfork.fork.ForkException;
import cowfork.fork.FrameChannel;
import cowfork.fork.Syscalls;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs a {@link Worker} inside the master, on the real listening socket, with a client on
 * the same thread: the client writes a request, the worker takes a non-blocking step, the
 * client reads the answer. Every path a worker can take is run at least once (errors,
 * timeouts, stats, stopping, retiring, the master vanishing) and the request path many
 * times, so that:
 * <ul>
 *   <li>every class a worker needs is loaded (a forked child must never need the class loader);</li>
 *   <li>the hot path is compiled (a forked child cannot compile: the JIT is excluded at fork
 *       and there are no compiler threads), so workers run at full speed from their first request.</li>
 * </ul>
 * It also measures what it buys: time per request at the start and at the end, and the Java
 * heap allocated per request once warm.
 */
final class WarmUp {
    /** What the warm-up measured. */
    record Result(int requests, long nanos, double firstMicros, double lastMicros, double bytesPerRequest) {
        String describe() {
            return String.format(Locale.ROOT, "warm-up: %d requests in %.1f s; first 1000 at %.1f µs each, last 1000 at"
                    + " %.1f µs each; Java heap allocated per request when warm: %.0f bytes",
                    requests, nanos / 1e9, firstMicros, lastMicros, bytesPerRequest);
        }
    }

    private static final int MSG_DONTWAIT = 0x40;
    private static final int MAX_STEPS = 10_000;

    private final WorkerConfig config;
    private final Store store;
    private final int listenFd;
    private final int port;
    private final SocketLib net = Sockets.lib();
    private final byte[] response = new byte[256 * 1024];
    private final ByteBuffer responseBuffer = ByteBuffer.wrap(response);
    private final byte[] request = new byte[64 * 1024];
    private final ByteBuffer requestBuffer = ByteBuffer.wrap(request);
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private FrameChannel masterSide;
    /** The request in flight is HEAD: its answer has a Content-Length but no body. */
    private boolean expectHeadOnly;
    private Worker worker;

    WarmUp(WorkerConfig config, Store store, int listenFd) {
        this.config = config;
        this.store = store;
        this.listenFd = listenFd;
        this.port = Sockets.boundPort(listenFd);
    }

    /**
     * Serves {@code requests} requests (at least the fixed tour of every path), then every
     * special path.
     *
     * @throws IllegalStateException if the worker code misbehaves (an answer that never comes,
     *         an unexpected status): better to fail in the master than in every worker
     */
    Result run(int requests) {
        List<byte[]> hot = hotRequests();
        // 1. The request path, many times over one kept-alive connection, timed.
        start(config);
        int client = connect();
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
            exchange(client, hot.get(i % hot.size()), true);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocStart;
        long end = System.nanoTime();
        net.close(client);
        // 2. Every other path, a few times each.
        for (int round = 0; round < 20; round++) {
            tourOfErrors();
            stats(FORMAT_JSON_SMALL);
            stats(FORMAT_TEXT_BIG);
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
    static Result runAndReport(WorkerConfig config, Store store, int listenFd, int requests, PrintStream out) {
        Result r = new WarmUp(config, store, listenFd).run(requests);
        out.println(r.describe());
        return r;
    }

    // ---- the scenarios ----

    private List<byte[]> hotRequests() {
        SplittableRandom random = new SplittableRandom(6);
        long items = Math.max(1, store.items());
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            long k = random.nextLong(items);
            list.add(get("/item/" + k));
            if (i % 4 == 0) {
                list.add(get("/query?from=" + k + "&count=" + (1 + random.nextInt(50))));
            }
            if (i % 16 == 0) {
                list.add(get("/health"));
                list.add(request("HEAD /item/" + k + " HTTP/1.1\r\nHost: w\r\n\r\n"));
                list.add(get("/item/no-such-key"));
                list.add(get("/no/such/path"));
                list.add(get("/"));
                list.add(get("/sleep?ms=0"));
                list.add(request("GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: 3\r\n\r\nabc"));
                list.add(request("GET /health HTTP/1.1\nHost: w\nConnection: keep-alive\n\n"));
            }
        }
        return list;
    }

    /** Requests that end their connection: each on a connection of its own. */
    private void tourOfErrors() {
        String[] closing = {
            "BREW /pot HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/2.0\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\n\r\n",
            "GET health HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /he\u0001alth HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\n folded\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nBad Name: x\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nX: a\u0001b\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nHost: v\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: x\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: " + (config.limits().maxBodyBytes() + 1) + "\r\n\r\n",
            "GET /" + "x".repeat(config.limits().maxRequestLine()) + " HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\n" + "X-A: b\r\n".repeat(config.limits().maxHeaderFields() + 1) + "\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nX: " + "y".repeat(config.limits().maxHeadBytes()) + "\r\n\r\n",
            "\u0016\u0003\u0001 TLS hello\r\n\r\n",
            "GET /query?count=0 HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n",
            "GET /sleep?ms=x HTTP/1.0\r\n\r\n",
            "GET /health HTTP/1.0\r\n\r\n",
        };
        for (String r : closing) {
            int client = connect();
            exchange(client, request(r), false);
            net.close(client);
        }
        // Two requests in one packet, then a request that arrives in two parts.
        expectHeadOnly = false;
        int client = connect();
        byte[] two = request("GET /health HTTP/1.1\r\nHost: w\r\n\r\nGET /item/1 HTTP/1.1\r\nHost: w\r\n\r\n");
        send(client, two, 0, two.length);
        awaitResponses(client, 2);
        byte[] split = get("/item/2");
        send(client, split, 0, 10);
        step();
        exchangeRest(client, split, 10);
        net.close(client);
    }

    private static final byte FORMAT_JSON_SMALL = Protocol.FORMAT_JSON;
    private static final byte FORMAT_TEXT_BIG = Protocol.FORMAT_TEXT;

    /** A /stats request, answered by this warm-up in the master's place (small and large bodies). */
    private void stats(byte format) {
        expectHeadOnly = false;
        int client = connect();
        byte[] request = get(format == Protocol.FORMAT_TEXT ? "/stats?format=text" : "/stats");
        send(client, request, 0, request.length);
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
        masterSide.send(FrameChannel.MESSAGE, Protocol.statsReply(token, format, body));
        awaitResponses(client, 1);
        net.close(client);
    }

    /** The graceful stop: an idle connection is closed and the worker finishes. */
    private void stop() {
        int client = connect();
        exchange(client, get("/health"), true);
        masterSide.send(FrameChannel.MESSAGE, new byte[] {Protocol.STOP});
        finish("a graceful stop");
        net.close(client);
    }

    /** A client that stops mid-request gets 408; an idle connection is closed. */
    private void timeouts() {
        start(config.withTimeouts(1_000_000, 1_000_000, 0));
        int slow = connect();
        int idle = connect();
        byte[] partial = get("/health");
        send(slow, partial, 0, 5);
        long deadline = System.nanoTime() + 5_000_000_000L;
        int got = 0;
        while (got == 0 && System.nanoTime() < deadline) {
            worker.step(2);
            drainWorker();
            got = readAvailable(slow, 0);
        }
        if (got <= 0 || !startsWith(response, "HTTP/1.1 408")) {
            throw new IllegalStateException("warm-up: a slow client did not get 408 Request Timeout");
        }
        for (int i = 0; i < 100 && worker.connections() > 0; i++) {
            worker.step(2);
            drainWorker();
        }
        net.close(slow);
        net.close(idle);
        masterSide.send(FrameChannel.MESSAGE, new byte[] {Protocol.STOP});
        finish("the timeout worker's stop");
    }

    /** A worker past its max-requests tells the master it retires, then stops by itself. */
    private void retiring() {
        start(config.withRetireAfter(1));
        int client = connect();
        exchange(client, get("/health"), false);
        finish("a retirement");
        if (nextFromWorker(Protocol.RETIRING) == null) {
            throw new IllegalStateException("warm-up: a worker past its max-requests did not say it retires");
        }
        net.close(client);
    }

    /** When the master's end of the pipe closes, the worker ends at once. */
    private void masterGone() {
        start(config);
        int client = connect();
        exchange(client, get("/health"), true);
        masterSide.close();
        masterSide = null;
        finish("the master's disappearance");
        net.close(client);
    }

    // ---- plumbing ----

    private void start(WorkerConfig workerConfig) {
        if (masterSide != null) {
            masterSide.close();
        }
        int[] up = pipe();
        int[] down = pipe();
        masterSide = new FrameChannel(up[0], down[1]);
        Child child = Child.inThisProcess(new FrameChannel(down[0], up[1]));
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

    private int connect() {
        int fd = net.socket(SocketLib.AF_INET, SocketLib.SOCK_STREAM, 0);
        byte[] addr = Sockets.sockaddrIn("127.0.0.1", port);
        if (fd < 0 || net.connect(fd, addr, addr.length) < 0) {
            throw new ForkException("warm-up connect(127.0.0.1:" + port + ")", Sockets.errno(),
                    "the master could not reach its own listening socket");
        }
        return fd;
    }

    /** Sends a request and steps the worker until its whole answer (or the closing of the connection) arrived. */
    private void exchange(int client, byte[] request, boolean keepAlive) {
        expectHeadOnly = Bytes.startsWith(request, 0, request.length, HEAD);
        send(client, request, 0, request.length);
        awaitResponses(client, 1);
        if (keepAlive && !Bytes.startsWith(response, 0, response.length, HTTP11)) {
            throw new IllegalStateException("warm-up: no HTTP answer to "
                    + new String(request, StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""));
        }
    }

    private void exchangeRest(int client, byte[] request, int from) {
        send(client, request, from, request.length - from);
        awaitResponses(client, 1);
    }

    private void send(int client, byte[] data, int from, int length) {
        // Copied into one buffer wrapped once: the client allocates nothing, so what the
        // warm-up measures per request is the worker's allocation alone.
        System.arraycopy(data, from, request, 0, length);
        requestBuffer.limit(length);
        requestBuffer.position(0);
        long n = net.send(client, requestBuffer, length, SocketLib.MSG_NOSIGNAL);
        if (n != length) {
            throw new IllegalStateException("warm-up: the client could not send its request (" + n + " of " + length + ")");
        }
    }

    /** Steps the worker until {@code count} whole responses (or end of stream) have arrived on {@code client}. */
    private void awaitResponses(int client, int count) {
        int have = 0;
        int done = 0;
        for (int i = 0; i < MAX_STEPS; i++) {
            step();
            int n = readAvailable(client, have);
            if (n < 0) {
                return; // the worker closed the connection
            }
            have += n;
            int p = 0;
            done = 0;
            int len;
            while ((len = completeResponse(p, have)) > 0) {
                p += len;
                done++;
            }
            if (done >= count) {
                return;
            }
        }
        throw new IllegalStateException("warm-up: no complete answer after " + MAX_STEPS + " steps (" + done + " of "
                + count + ", " + have + " bytes)");
    }

    /** Reads what is there without blocking; 0 if nothing, -1 at end of stream. */
    private int readAvailable(int client, int at) {
        ByteBuffer b = responseBuffer;
        b.limit(response.length);
        b.position(at);
        long n = net.recv(client, b, response.length - at, MSG_DONTWAIT);
        if (n == 0) {
            return -1;
        }
        return n < 0 ? 0 : (int) n;
    }

    /** The length of the complete response at {@code response[from..have)}, or 0 if it is not all there. */
    private int completeResponse(int from, int have) {
        int headEnd = HttpParser.findHeadEnd(response, from, have);
        if (headEnd < 0) {
            return 0;
        }
        int cl = indexOf(response, from, headEnd, CONTENT_LENGTH);
        long length = 0;
        if (cl >= 0) {
            int s = cl + CONTENT_LENGTH.length;
            int e = HttpParser.indexOf(response, s, headEnd, (byte) '\r');
            length = HttpParser.parseDecimal(response, s, e);
        }
        long total = headEnd - from + (expectHeadOnly ? 0 : length);
        return have - from >= total ? (int) total : 0;
    }

    private static final byte[] CONTENT_LENGTH = Bytes.ascii("Content-Length: ");
    private static final byte[] HEAD = Bytes.ascii("HEAD ");
    private static final byte[] HTTP11 = Bytes.ascii("HTTP/1.1 ");

    private static int indexOf(byte[] buf, int from, int to, byte[] word) {
        for (int i = from; i + word.length <= to; i++) {
            if (Bytes.equals(buf, i, i + word.length, word)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] buf, String prefix) {
        return Bytes.startsWith(buf, 0, buf.length, Bytes.ascii(prefix));
    }

    private static byte[] get(String target) {
        return request("GET " + target + " HTTP/1.1\r\nHost: warm-up\r\n\r\n");
    }

    private static byte[] request(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int[] pipe() {
        int[] fds = new int[2];
        if (Syscalls.posix().pipe(fds) < 0) {
            throw new ForkException("pipe()", Syscalls.posixErrno(), "the master is out of file descriptors");
        }
        return fds;
    }
}
