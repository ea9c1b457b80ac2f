// Starts ./cowfork serve as a user would, in a process of its own, and tells the tests what it says and which processes it has.
package cowfork.server.tools;

import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A server started with the JVM running these tests ({@code java.home}, its fork flags and
 * its class path) as {@code java cowfork.server.Serve --bind 127.0.0.1:0 ...}. The test JVM
 * itself never forks: it only spawns this process, which does the forking.
 *
 * <p>Everything is observed from outside: lines on the server's stdout (readiness, worker
 * events), HTTP, and {@code /proc}. Every wait has a deadline ({@link WatchedProcess}): a
 * missed one kills the server and its workers and fails with the server's last lines.
 * {@link #close()} kills by pid only this server's processes, and checks that every one
 * of them is gone.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern BOOTED = Pattern.compile("worker (\\d+) \\(pid (\\d+)\\) booted");

    private final ServerLauncher launcher;
    private final Process process;
    private final Set<Integer> pidsSeen = new HashSet<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ServerProcess(ServerLauncher launcher) {
        this.launcher = launcher;
        this.process = launcher.process();
        pidsSeen.add((int) process.pid());
    }

    /**
     * Starts a server with {@code args} (after {@code --data-size 4m --warmup 4000}, which
     * they may override) and waits for "ready".
     */
    public static ServerProcess start(String... args) {
        ServerProcess s = startWithoutWaiting(args);
        s.awaitLine(l -> l.contains("ready:"), Duration.ofSeconds(60));
        return s;
    }

    /** {@link #start}, with {@code echo} seeing every line as it is read (to note what else was true at that moment). */
    public static ServerProcess startAndAwaitReady(java.util.function.Consumer<String> echo, String... args) {
        ServerProcess s = startWithoutWaiting(echo, args);
        s.awaitLine(l -> l.contains("ready:"), Duration.ofSeconds(60));
        return s;
    }

    public static ServerProcess startWithoutWaiting(String... args) {
        return startWithoutWaiting(line -> { }, args);
    }

    /** Starts a server and returns once it listens; {@code echo} sees every line as it is read (e.g. to time it). */
    public static ServerProcess startWithoutWaiting(java.util.function.Consumer<String> echo, String... args) {
        return startWithoutWaiting(List.of(), echo, args);
    }

    /**
     * As {@link #startWithoutWaiting(java.util.function.Consumer, String...)}, with
     * {@code classPathFirst} before the class path ({@link ServerLauncher#start(java.util.function.Consumer, List,
     * Duration, List)}).
     */
    public static ServerProcess startWithoutWaiting(List<java.nio.file.Path> classPathFirst, java.util.function.Consumer<String> echo,
                                                    String... args) {
        List<String> all = new ArrayList<>(List.of("--data-size", "4m", "--warmup", "4000"));
        all.addAll(List.of(args));
        return new ServerProcess(ServerLauncher.start(echo, all, Duration.ofMinutes(1), classPathFirst));
    }

    /** Waits for a line matching {@code p} (searching from the first line); fails with the output so far. */
    public String awaitLine(Predicate<String> p, Duration timeout) {
        return launcher.awaitLine(0, p, timeout);
    }

    /** Waits for a line matching {@code p} at index {@code from} or later. */
    public String awaitLineAfter(int from, Predicate<String> p, Duration timeout) {
        return launcher.awaitLine(from, p, timeout);
    }

    /** How many lines the server has printed so far (a mark for {@link #awaitLineAfter}). */
    public int lineCount() {
        return launcher.lineCount();
    }

    public String output() {
        return launcher.output();
    }

    public ServerLauncher launcher() {
        return launcher;
    }

    /** The loopback port the server listens on. */
    public int port() {
        return launcher.port();
    }

    public int masterPid() {
        return (int) process.pid();
    }

    public Process process() {
        return process;
    }

    /** The master's live children, from /proc (zombies included: they would be a bug). */
    public List<Integer> workerPids() {
        List<Integer> children = cowfork.support.Processes.childrenOf(masterPid());
        synchronized (pidsSeen) {
            pidsSeen.addAll(children);
        }
        return children;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** GET {@code path} with a fresh java.net.http client request. */
    public HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient client() {
        return http;
    }

    /** A raw socket to the server, for malformed requests. */
    public Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends a signal to the master ("TERM", "TTIN"...). */
    public void signal(String name) {
        signal(masterPid(), name);
    }

    public static void signal(int pid, String name) {
        ServerLauncher.signal(pid, name);
    }

    /** Waits until the master exits; returns its exit code. If it does not exit in time, kills its tree and fails with its last lines. */
    public int awaitExit(Duration timeout) {
        return launcher.watched().awaitExit(timeout);
    }

    /**
     * The pids of this server (master and every worker ever seen) that still run. A zombie
     * counts as gone only if its parent is not the master: a worker orphaned by a killed
     * master is re-parented to pid 1, and this machine's pid 1 does not reap orphans.
     */
    List<Integer> livePids() {
        workerPidsIfMasterAlive();
        List<Integer> alive = new ArrayList<>();
        synchronized (pidsSeen) {
            Matcher m = BOOTED.matcher(output());
            while (m.find()) {
                pidsSeen.add(Integer.parseInt(m.group(2)));
            }
            for (int pid : pidsSeen) {
                char state = cowfork.support.Processes.state(pid);
                boolean orphanZombie = state == 'Z' && cowfork.support.Processes.parentOf(pid) != masterPid();
                if (state != '?' && !orphanZombie) {
                    alive.add(pid);
                }
            }
        }
        return alive;
    }

    private void workerPidsIfMasterAlive() {
        if (process.isAlive()) {
            workerPids();
        }
    }

    /** Waits (polling /proc, bounded) until none of this server's processes exists. */
    public void awaitAllGone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Integer> alive = livePids();
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // polling /proc, bounded by the deadline
            alive = livePids();
        }
        if (!alive.isEmpty()) {
            throw new AssertionError("server processes still alive: " + describe(alive));
        }
    }

    private static String describe(List<Integer> pids) {
        StringBuilder sb = new StringBuilder();
        for (int pid : pids) {
            sb.append(cowfork.support.Processes.describe(pid)).append("; ");
        }
        return sb.toString();
    }

    /**
     * Stops the server if it still runs: INT (quick stop: the master kills and reaps its
     * workers), then SIGKILL if it has not exited within 10 s. Then checks that every
     * process of the server is gone.
     */
    @Override
    public void close() {
        workerPidsIfMasterAlive();
        if (process.isAlive()) {
            try {
                signal("INT");
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    launcher.watched().killTree();
                }
            } catch (IllegalStateException exitedMeanwhile) {
                // kill found no such process: it had already exited
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                launcher.watched().killTree();
            }
        }
        awaitExit(Duration.ofSeconds(10));
        awaitAllGone(Duration.ofSeconds(10));
    }

    /** The socket inodes a process holds, from /proc/PID/fd. */
    public static Set<String> sockets(int pid) {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        inodes.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while we listed them
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return inodes;
    }
}
