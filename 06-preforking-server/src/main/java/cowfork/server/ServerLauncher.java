// Starts the server as a process of its own (the demo, the benchmark and the tests do), and reads what it prints.
package cowfork.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final String EOF = "<eof>";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Consumer<String> echo;
    private final int port;

    private ServerLauncher(Process process, Consumer<String> echo, Duration timeout) {
        this.process = process;
        this.echo = echo;
        Thread reader = new Thread(this::readOutput, "server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        Matcher m = LISTENING.matcher(awaitLine(0, l -> LISTENING.matcher(l).find(), timeout));
        if (!m.find()) {
            throw new AssertionError("unreachable: the awaited line matched");
        }
        this.port = Integer.parseInt(m.group(1));
    }

    /**
     * Starts {@code Serve --bind 127.0.0.1:0 args...} and waits until it says where it listens.
     * Every line it prints is passed to {@code echo} (e.g. {@code System.out::println}, or a no-op).
     *
     * @throws IllegalStateException if the process cannot be started or does not listen within a minute
     */
    public static ServerLauncher start(Consumer<String> echo, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:") || a.startsWith("-Xmn") || a.startsWith("--enable-native-access")
                    || a.startsWith("--sun-misc-unsafe")) {
                cmd.add(a); // the fork recipe's flags, as this JVM got them
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Serve.class.getName(), "--bind", "127.0.0.1:0"));
        cmd.addAll(args);
        try {
            return new ServerLauncher(new ProcessBuilder(cmd).redirectErrorStream(true).start(), echo, Duration.ofMinutes(1));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the server (" + cmd.get(0) + "): " + e, e);
        }
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                echo.accept(line);
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            synchronized (lines) {
                lines.add(EOF);
                lines.notifyAll();
            }
        }
    }

    /**
     * Waits for a line matching {@code p} at index {@code from} or later, and returns it.
     *
     * @throws AssertionError with the output so far, if none comes in time or the server exits
     */
    public String awaitLine(int from, Predicate<String> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int i = from;
            while (true) {
                for (; i < lines.size(); i++) {
                    if (p.test(lines.get(i))) {
                        return lines.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!lines.isEmpty() && lines.get(lines.size() - 1).equals(EOF))) {
                    throw new AssertionError("the server did not print the expected line within " + timeout
                            + "; its output:\n" + String.join("\n", lines));
                }
                try {
                    lines.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for the server", e);
                }
            }
        }
    }

    /** How many lines the server has printed so far (a mark for {@link #awaitLine}). */
    public int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Everything printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public int masterPid() {
        return (int) process.pid();
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

    /** Stops the server gracefully (TERM), then with SIGKILL if it is still there after {@code grace}. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        try {
            signal(masterPid(), "TERM");
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (IllegalStateException exitedMeanwhile) {
            // kill found no such process: it had already exited
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
