// Starts the server as a process of its own (the demo, the benchmark and the tests do), and reads what it prints.
package cowfork.server.tools;

import cowfork.fork.ForkRecipe;
import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java <this JVM's fork flags> -cp <this class path> cowfork.server.Serve --bind
 * 127.0.0.1:0 ARGS}: a server in a process of its own, as a user starts it. The calling
 * JVM never forks (it only spawns), so it may have threads; the server does the forking.
 * Lines the server prints are kept, and can be awaited.
 */
public final class ServerLauncher implements AutoCloseable {
    /**
     * The server's entry point, by name: it goes on a command line, and naming the class
     * ({@code Serve.class}) would make this package depend on the one above it.
     */
    public static final String SERVE = "cowfork.server.Serve";

    private static final Pattern LISTENING = Pattern.compile("listening on http://[0-9.]+:(\\d+)"); // any IPv4 bind: reached on 127.0.0.1

    private final WatchedProcess server;
    private final int port;

    /** Waits (at most {@code timeout}) for the line that says where it listens; kills it if that never comes. */
    private ServerLauncher(WatchedProcess server, Duration timeout) {
        this.server = server;
        Matcher m = LISTENING.matcher(server.awaitLine(0, l -> LISTENING.matcher(l).find(), timeout));
        if (!m.find()) {
            throw new AssertionError("unreachable: the awaited line matched");
        }
        this.port = Integer.parseInt(m.group(1));
    }

    /**
     * Starts {@code Serve --bind 127.0.0.1:0 args...} and waits until it says where it listens.
     * Every line it prints is passed to {@code echo} (e.g. {@code System.out::println}, or a no-op).
     *
     * @throws IllegalStateException if the process cannot be started, or does not listen
     *         within a minute (it is then killed with its workers; the message quotes its last lines)
     */
    public static ServerLauncher start(Consumer<String> echo, List<String> args) {
        return start(echo, args, Duration.ofMinutes(1));
    }

    /**
     * As {@link #start(Consumer, List)}, waiting at most {@code timeout} for the line that says
     * where it listens (it comes after the preload: a data set of many GiB needs more than a minute).
     */
    public static ServerLauncher start(Consumer<String> echo, List<String> args, Duration timeout) {
        return start(echo, args, timeout, List.of());
    }

    /**
     * As {@link #start(Consumer, List, Duration)}, with {@code classPathFirst} (directories or
     * jars) before this JVM's class path: what is there stands in for what comes after (a
     * lab's grader registers a student's class as a service this way, for this server only).
     */
    public static ServerLauncher start(Consumer<String> echo, List<String> args, Duration timeout, List<Path> classPathFirst) {
        List<String> cmd = ForkRecipe.javaCommand(SERVE);
        if (!classPathFirst.isEmpty()) {
            int cp = cmd.indexOf("-cp") + 1;
            List<String> first = new ArrayList<>();
            classPathFirst.forEach(p -> first.add(p.toString()));
            first.add(cmd.get(cp));
            cmd.set(cp, String.join(java.io.File.pathSeparator, first));
        }
        cmd.addAll(List.of("--bind", "127.0.0.1:0"));
        cmd.addAll(args);
        return new ServerLauncher(WatchedProcess.start(cmd, echo), timeout);
    }

    /**
     * Waits for a line matching {@code p} at index {@code from} or later, and returns it.
     *
     * @throws IllegalStateException if none comes in time (the server and its workers are
     *         then killed) or the server exits; the message quotes its last lines
     */
    public String awaitLine(int from, Predicate<String> p, Duration timeout) {
        return server.awaitLine(from, p, timeout);
    }

    /** How many lines the server has printed so far (a mark for {@link #awaitLine}). */
    public int lineCount() {
        return server.lineCount();
    }

    /** Everything printed so far. */
    public String output() {
        return server.output();
    }

    /** The server process, watched: its waits have deadlines and kill its whole tree when missed. */
    public WatchedProcess watched() {
        return server;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return server.process();
    }

    public int masterPid() {
        return server.pid();
    }

    /** Sends a signal ("TERM", "TTIN"...) to {@code pid} with kill(1). */
    public static void signal(int pid, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, String.valueOf(pid)).inheritIO().start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + name + " " + pid + " failed: no such process?");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill(1): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        }
    }

    /**
     * Stops the server gracefully (TERM); if it is still there after {@code grace}, kills it
     * and every process it started (SIGKILL).
     */
    public void stop(Duration grace) {
        Process process = server.process();
        if (!process.isAlive()) {
            return;
        }
        try {
            signal(masterPid(), "TERM");
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                server.killTree();
            }
        } catch (IllegalStateException exitedMeanwhile) {
            // kill found no such process: it had already exited
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.killTree();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
