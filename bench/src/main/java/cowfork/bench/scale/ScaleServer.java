// A server under test in the scale benchmark, cowfork or gunicorn: started, awaited until every worker is up, and always stopped.
package cowfork.bench.scale;

import cowfork.server.tools.ServerLauncher;
import cowfork.support.Sizes;
import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server process tree, ready to serve: its master's pid, its port, the number of items
 * its data set holds. Both kinds are started as their users start them:
 * <pre>
 *   cowfork   java FORK-FLAGS -cp ... cowfork.server.Serve --bind 127.0.0.1:0 --workers W
 *                 --refcounts S --data-size D [--huge-pages]      ready: its "ready:" line
 *   gunicorn  PYTHON -m gunicorn --preload -w W -b 127.0.0.1:PORT --chdir bench app:app
 *                 (ITEMS=N in its environment)                    ready: /health answers and
 *                                                                 W workers are its children
 * </pre>
 * Every wait has a deadline; a server that exits or hangs during startup is killed with its
 * workers, and the error quotes its last lines.
 */
public final class ScaleServer implements AutoCloseable {
    private static final Pattern ITEMS = Pattern.compile("preloaded (\\d+) items");
    private static final Pattern FORKED = Pattern.compile("forked in ([0-9.]+) ms");
    /** From the master's preloaded line: {@code ...; huge_pages=yes heap_thp_kib=276480 heap_kib=331776}. */
    private static final Pattern HEAP_THP = Pattern.compile("heap_thp_kib=(\\d+)");
    /** Startup deadline: preload (about 2 s per GiB for cowfork, 13 s per 1.4 M items for CPython) plus warm-up and fork. */
    static final Duration STARTUP = Duration.ofMinutes(3);

    private final WatchedProcess process;
    private final int port;
    private final long items;

    private ScaleServer(WatchedProcess process, int port, long items) {
        this.process = process;
        this.port = port;
        this.items = items;
    }

    /**
     * Starts {@code ./cowfork serve} with {@code strategy}, {@code workers}, {@code dataBytes}
     * and {@code extra} flags, and waits for its "ready:" line.
     *
     * @throws IllegalStateException if it does not start, exits, or is not ready within
     *         {@link #STARTUP} (it is then killed; the message quotes its last lines)
     */
    public static ScaleServer cowfork(String strategy, int workers, long dataBytes, List<String> extra,
                                      Consumer<String> echo) {
        List<String> args = new ArrayList<>(List.of("--workers", Integer.toString(workers), "--refcounts", strategy,
                "--data-size", Sizes.toArgument(dataBytes)));
        args.addAll(extra);
        ServerLauncher launcher = ServerLauncher.start(echo, args, STARTUP); // the preload comes before "listening on"
        try {
            launcher.awaitLine(0, l -> l.contains("ready:"), STARTUP);
            Matcher m = ITEMS.matcher(launcher.output());
            if (!m.find()) {
                throw new IllegalStateException("the server never said how many items it preloaded:\n"
                        + String.join("\n", launcher.watched().tail(WatchedProcess.TAIL_LINES)));
            }
            return new ScaleServer(launcher.watched(), launcher.port(), Long.parseLong(m.group(1)));
        } catch (RuntimeException e) {
            launcher.watched().close();
            throw e;
        }
    }

    /**
     * Starts gunicorn {@code --preload} under {@code python} with {@code workers} sync workers,
     * serving bench/app.py ({@code benchDir}) over a catalogue of {@code items} items, and waits
     * until /health answers and every worker has been forked.
     *
     * @throws IllegalStateException as {@link #cowfork}
     */
    public static ScaleServer gunicorn(Path python, int workers, long items, Path benchDir, Consumer<String> echo) {
        int port = freePort();
        WatchedProcess p = WatchedProcess.start(List.of(python.toString(), "-m", "gunicorn", "--preload", "-w",
                Integer.toString(workers), "-b", "127.0.0.1:" + port, "--chdir", benchDir.toString(), "app:app"),
                Map.of("ITEMS", Long.toString(items)), echo);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try {
            while (!(healthy(port) && p.process().toHandle().children().count() >= workers)) {
                if (!p.process().isAlive()) {
                    p.awaitExit(Duration.ofSeconds(10)); // let the reader take its last lines
                    throw new IllegalStateException("gunicorn exited during startup (code " + p.process().exitValue()
                            + "); its last lines:\n" + String.join("\n", p.tail(WatchedProcess.TAIL_LINES)));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("gunicorn was not ready within " + STARTUP + "; killed it; its last lines:\n"
                            + String.join("\n", p.tail(WatchedProcess.TAIL_LINES)));
                }
                LockSupport.parkNanos(100_000_000); // polling a process we do not control, bounded by the deadline
            }
            return new ScaleServer(p, port, items);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** A port nobody listens on right now (the kernel's choice for port 0); the server binds it just after. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port: " + e, e);
        }
    }

    /** Whether GET /health answers 200 on 127.0.0.1:{@code port} within 2 s. */
    static boolean healthy(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false; // not listening yet, or not answering yet
        }
    }

    public int masterPid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The number of items its data set holds (cowfork's "preloaded N items"; gunicorn's ITEMS). */
    public long items() {
        return items;
    }

    /** Every "forked in X ms" the master has logged so far, in milliseconds. */
    public List<Double> forkMillis() {
        return forkMillis(process.lines());
    }

    /** How much of the object heap the master says is on huge pages (kB), or -1 if it says nothing (gunicorn). */
    public long heapThpKib() {
        return heapThpKib(process.lines());
    }

    /** The N of the first "heap_thp_kib=N" in {@code lines}, or -1. */
    static long heapThpKib(List<String> lines) {
        for (String l : lines) {
            Matcher m = HEAP_THP.matcher(l);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return -1;
    }

    /** The X of every line with "forked in X ms" ({@code [master] worker 3 (pid 1234) forked in 14.2 ms}), in order. */
    static List<Double> forkMillis(List<String> lines) {
        List<Double> out = new ArrayList<>();
        for (String l : lines) {
            Matcher m = FORKED.matcher(l);
            if (m.find()) {
                out.add(Double.parseDouble(m.group(1)));
            }
        }
        return out;
    }

    /** The server's last {@code n} lines. */
    public List<String> tail(int n) {
        return process.tail(n);
    }

    /**
     * Stops it gracefully (SIGTERM to the master), waits at most 30 s, then kills whatever of
     * its tree is left, including a worker that outlived its master (once the master is gone,
     * its workers are no longer found as its descendants: they are listed before the TERM).
     * Never throws.
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = process.process().descendants().toList();
        if (process.process().isAlive()) {
            process.process().toHandle().destroy(); // SIGTERM: both masters stop their workers and exit
            try {
                process.awaitExit(Duration.ofSeconds(30));
            } catch (IllegalStateException e) {
                // it ignored TERM for 30 s: awaitExit has killed its tree
            }
        }
        process.close();
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly); // a handle knows its start time: never a reused pid
    }
}
