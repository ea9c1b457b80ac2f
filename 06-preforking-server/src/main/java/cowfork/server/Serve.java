// ./cowfork serve: preload the data set, bind, warm up, fork the workers, supervise until a stop signal.
package cowfork.server;

import cowfork.cow.Region;
import cowfork.fork.ForkException;
import cowfork.fork.ForkRecipe;
import cowfork.server.app.HeapStore;
import cowfork.server.master.Master;
import cowfork.server.master.ServerConfig;
import cowfork.server.warmup.WarmUp;
import cowfork.server.worker.Sockets;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The server's entry point, in the order a pre-forking server does things (gunicorn
 * {@code --preload}, unicorn {@code preload_app true}):
 * <ol>
 *   <li>build the application's data set in the object heap, with the chosen refcount strategy;</li>
 *   <li>let the store prepare for fork (immortal objects are made immortal here);</li>
 *   <li>bind the listening socket (the workers inherit it);</li>
 *   <li>warm the request path up by serving requests in the master ({@link WarmUp}), because
 *       a forked JVM can neither load classes safely nor compile; on a private loopback
 *       listener, so that clients of the public one wait in its backlog for a real worker;</li>
 *   <li>fork the workers and supervise them ({@link Master}).</li>
 * </ol>
 * The line {@code listening on http://HOST:PORT} says where, and {@code ready: N workers}
 * that every worker has booted (tests and scripts wait for both).
 */
public final class Serve {
    private Serve() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the server until it is stopped; returns the exit code (0 stopped, 1 no object heap could be mapped, 2 bad flags). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ServerConfig config;
        try {
            config = ServerConfig.parse(out, args);
        } catch (IllegalArgumentException e) { // the message names the flag and points at --help
            err.println("serve: " + e.getMessage());
            return 2;
        }
        if (config == null) { // --help: the usage is printed
            return 0;
        }
        if (!HeapStore.strategies().contains(config.refcounts())) {
            err.println("serve: --refcounts " + config.refcounts() + " is not available; on the class path: "
                    + HeapStore.strategies());
            return 2;
        }
        ForkRecipe.requireForkFlags();
        long t0 = System.nanoTime();
        HeapStore store;
        try {
            store = HeapStore.build(config.refcounts(), config.dataBytes(),
                    config.hugePages() ? Region.HugePages.ALLOWED : Region.HugePages.NEVER);
        } catch (ForkException e) { // mmap refused (too big), or madvise(MADV_HUGEPAGE) on a kernel without THP
            err.println("serve: cannot map the object heap: " + e.getMessage());
            return 1;
        }
        String tooBig = config.workerHeapProblem(store);
        if (tooBig != null) { // refused before the warm-up and any fork, with the arithmetic
            err.println("serve: " + tooBig);
            return 2;
        }
        // One grep-able line (the scale benchmark parses it): how the heap was built, and how
        // much of it the kernel really put on huge pages (asking is not getting: see chapter 02).
        out.printf(Locale.ROOT, "[master] preloaded %s in %.1f s; %s%n", store.describe(), (System.nanoTime() - t0) / 1e9,
                store.hugePages());
        // Before the warm-up: the warm-up must see the objects as the workers will (immortal ones
        // take another branch in incref), or the workers would leave the compiled code on their first request.
        String prepared = store.prepareForFork();
        if (!prepared.isEmpty()) {
            out.println("[master] " + prepared);
        }
        int listenFd = Sockets.listen(config.host(), config.port(), config.backlog());
        out.printf(Locale.ROOT, "[master] listening on http://%s:%d%n", config.host(), Sockets.boundPort(listenFd));
        if (config.warmupRequests() > 0) {
            // On a listener of its own: the public one is already announced, and a client that
            // connects now must wait in its backlog for a real worker, never meet the warm-up.
            int warmUpFd = Sockets.listen("127.0.0.1", 0, 128);
            try {
                out.print("[master] ");
                WarmUp.runAndReport(config.workerConfig(), store, warmUpFd, config.warmupRequests(), out);
            } finally {
                Sockets.lib().close(warmUpFd);
            }
        } else {
            out.println("[master] no warm-up (--warmup 0): workers will run the request path interpreted");
        }
        out.flush();
        return new Master(config, store, listenFd, out).run();
    }
}
