// A real Worker on a real loopback socket, run on a thread of the test JVM (no fork): for tests of the worker's own behaviour.
package cowfork.server.worker;

import cowfork.fork.ChildContext;
import cowfork.fork.FrameChannel;
import cowfork.fork.Syscalls;
import cowfork.server.Interrupts;
import cowfork.server.app.Endpoints;
import cowfork.server.app.Store;
import cowfork.server.http.Bytes;
import cowfork.server.http.HttpParser;
import cowfork.server.stats.AddressRange;
import cowfork.server.tools.RawHttp;
import cowfork.server.warmup.WarmUp;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the exact {@link Worker} class a forked worker runs, over pipes standing in for the
 * master (as {@link WarmUp} does) and a listening socket on a free port, stepping it on a
 * thread of its own until {@link #close()}. Small limits and timeouts make the edge cases
 * quick to reach. {@link #close()} stops the thread within a deadline and closes every
 * descriptor it opened.
 */
public final class WorkerHarness implements AutoCloseable {
    static final HttpParser.Limits LIMITS = new HttpParser.Limits(256, 20, 1024, 512);
    /** What a worker serves by default on a loopback bind: no /sleep, the stats. */
    static final Endpoints.Routes DEFAULT_ROUTES = new Endpoints.Routes(false, true);

    final int port;
    final Worker worker;
    private final int listenFd;
    private final int[] fds;
    private final FrameChannel masterSide;
    private final Thread loop;
    private final Thread drain;
    private final AtomicReference<Throwable> crash = new AtomicReference<>();
    private volatile boolean stopped;

    /**
     * A worker with {@code connections} slots, the given keep-alive and client timeouts (ms),
     * a heartbeat every {@code heartbeatMs} (0: every step), serving {@code store}. With
     * {@code drainMaster} false, nobody reads what the worker sends its master.
     */
    public WorkerHarness(int connections, long keepAliveMs, long clientTimeoutMs, long heartbeatMs, Store store,
                  boolean drainMaster) {
        listenFd = Sockets.listen("127.0.0.1", 0, 1024);
        port = Sockets.boundPort(listenFd);
        int[] up = pipe();
        int[] down = pipe();
        fds = new int[] {up[0], up[1], down[0], down[1]};
        masterSide = new FrameChannel(up[0], down[1]);
        ChildContext child = ChildContext.inThisProcess(new FrameChannel(down[0], up[1]));
        WorkerConfig config = new WorkerConfig(LIMITS, keepAliveMs * 1_000_000, clientTimeoutMs * 1_000_000, connections,
                16 * 1024, heartbeatMs * 1_000_000, Long.MAX_VALUE, 0, DEFAULT_ROUTES);
        worker = new Worker(config, child, store, listenFd);
        loop = new Thread(() -> {
            try {
                while (!stopped && worker.step(20)) {
                    // the worker's own loop, stepped so that close() can end it
                }
            } catch (Throwable t) {
                crash.set(t);
            }
        }, "worker-harness");
        drain = new Thread(() -> {
            try {
                while (!stopped) {
                    masterSide.receive(System.nanoTime() + 50_000_000L);
                }
            } catch (RuntimeException closed) {
                // the worker's side closed
            }
        }, "master-drain");
        loop.start();
        if (drainMaster) {
            drain.start();
        }
    }

    public WorkerHarness(int connections, Store store) {
        this(connections, 5_000, 10_000, 1_000, store, true);
    }

    /** A blocking client socket to the worker, with a read timeout of {@code readTimeoutMs}. */
    Socket connect(int readTimeoutMs) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(readTimeoutMs);
        return s;
    }

    /** Sends {@code request} on a fresh connection and reads one response (null: closed without one). */
    public RawHttp.Response exchange(String request, boolean head) throws IOException {
        try (Socket s = connect(5_000)) {
            RawHttp.send(s, request);
            return RawHttp.read(s.getInputStream(), head);
        }
    }

    /** The worker thread's exception, if it threw (a test asserts there is none). */
    public Throwable crash() {
        return crash.get();
    }

    /** CPU time the worker's thread has used so far, in nanoseconds. */
    long workerCpuNanos() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadCpuTime(loop.getId());
    }

    boolean workerRunning() {
        return loop.isAlive();
    }

    /** {@link #stop}, keeping an interrupt ({@link Interrupts}). */
    @Override
    public void close() {
        Interrupts.keep("stopping the worker", this::stop);
    }

    private void stop() throws InterruptedException {
        stopped = true;
        loop.join(5_000);
        drain.join(5_000);
        if (loop.isAlive()) {
            throw new AssertionError("the worker thread did not stop within 5 s");
        }
        Sockets.lib().close(listenFd);
        for (int fd : fds) {
            Syscalls.posix().close(fd);
        }
    }

    private static int[] pipe() {
        int[] p = new int[2];
        if (Syscalls.posix().pipe(p) < 0) {
            throw new IllegalStateException("pipe() failed");
        }
        return p;
    }

    /** A tiny data set: item K is {"id":"item-K"}; the key "boom" throws, as a buggy store would. */
    static final class FakeStore implements Store {
        @Override
        public String strategy() {
            return "fake";
        }

        @Override
        public long items() {
            return 1000;
        }

        @Override
        public int itemJson(byte[] key, int keyStart, int keyEnd, byte[] out, int pos, int limit) {
            String k = new String(key, keyStart, keyEnd - keyStart, StandardCharsets.US_ASCII);
            if (k.equals("boom")) {
                throw new IllegalStateException("the store failed on purpose for key boom");
            }
            if (!k.matches("[0-9]{1,3}")) {
                return NOT_FOUND;
            }
            return Bytes.put(out, pos, limit, Bytes.ascii("{\"id\":\"item-" + k + "\"}"));
        }

        @Override
        public int queryJson(long from, int count, byte[] out, int pos, int limit) {
            return Bytes.put(out, pos, limit, Bytes.ascii("{\"from\":" + from + ",\"count\":" + count + "}"));
        }

        @Override
        public List<AddressRange> regions() {
            return List.of();
        }

        @Override
        public String prepareForFork() {
            return "";
        }

        @Override
        public String describe() {
            return "fake store";
        }
    }
}
