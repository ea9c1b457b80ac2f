// A process started by this JVM that can never hang its caller: every wait has a deadline, and a missed one kills its whole tree.
package cowfork.server.tools;

import cowfork.fork.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A child process (stdout and stderr merged) whose output is read by a thread of its own,
 * so that the caller only ever waits with a deadline: for a line ({@link #awaitLine}) or
 * for the exit ({@link #awaitExit}). Reading the output in the calling thread
 * ({@code readAllBytes()}) would block until the process closes its output, and a
 * {@code waitFor(timeout)} after it would never be reached.
 *
 * <p>When a deadline passes, the whole process tree is killed ({@link #killTree}: every
 * descendant, then the process itself; a forking server's workers and a tour's demo JVMs
 * with it) and the error carries the last lines the process printed ({@link #tail}).
 * This is what the tour, the server launcher and every test that starts a process use.
 */
public final class WatchedProcess implements AutoCloseable {
    /** Lines of output a failure message quotes. */
    public static final int TAIL_LINES = 40;

    private final Process process;
    private final String name;
    private final Consumer<String> echo;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private WatchedProcess(Process process, String name, Consumer<String> echo) {
        this.process = process;
        this.name = name;
        this.echo = echo;
        Thread reader = new Thread(this::readOutput, "output-of-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code command} with stdin closed and passes each line it prints to
     * {@code echo} (on the reader thread; a no-op is fine).
     *
     * @throws IllegalStateException if the process cannot be started
     */
    public static WatchedProcess start(List<String> command, Consumer<String> echo) {
        return start(command, Map.of(), echo);
    }

    /**
     * As {@link #start(List, Consumer)}, with {@code env} added to (or replacing entries of)
     * this JVM's environment.
     *
     * @throws IllegalStateException if the process cannot be started
     */
    public static WatchedProcess start(List<String> command, Map<String, String> env, Consumer<String> echo) {
        String name = command.get(0).substring(command.get(0).lastIndexOf('/') + 1);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            p.getOutputStream().close();
            return new WatchedProcess(p, name + " (pid " + p.pid() + ")", echo);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.get(0) + ": " + e, e);
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
        } catch (IOException | RuntimeException e) {
            // the stream was closed under us (the process was killed), or the echo failed: stop reading
        } finally {
            synchronized (lines) {
                ended = true;
                lines.notifyAll();
            }
        }
    }

    /**
     * Waits for a line matching {@code p} at index {@code from} or later, and returns it.
     *
     * @throws IllegalStateException if none comes within {@code timeout} (the process tree is
     *         then killed) or the output ends first; the message quotes the last lines
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
                if (ended) {
                    killTree(); // it closed its output: whatever it still does, nobody reads it
                    throw new IllegalStateException(name + " ended its output before printing the expected line"
                            + tailForMessage());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    lines.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        killTree();
        throw new IllegalStateException(name + " did not print the expected line within " + timeout
                + "; killed it and its descendants" + tailForMessage());
    }

    /**
     * Waits until the process exits and its output has been read; returns its exit code.
     *
     * @throws IllegalStateException if it has not exited within {@code timeout}: the process
     *         tree is then killed, and the message quotes the last lines
     */
    public int awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                awaitEndOfOutput(deadline);
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killTree();
        throw new IllegalStateException(name + " did not exit within " + timeout + "; killed it and its descendants"
                + tailForMessage());
    }

    /** After the exit, the last lines may still be in the pipe: wait for the reader (a child may hold the pipe: bounded). */
    private void awaitEndOfOutput(long deadline) throws InterruptedException {
        synchronized (lines) {
            long left;
            while (!ended && (left = deadline - System.nanoTime()) > 0) {
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /**
     * SIGKILLs every descendant, then the process, and waits (at most 10 s) for the process
     * to be gone. Descendants first: once the process is dead its children are re-parented
     * and no longer found as its descendants.
     */
    public void killTree() {
        List<ProcessHandle> descendants = process.descendants().toList();
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
        process.destroyForcibly();
        long deadline = System.nanoTime() + 10_000_000_000L;
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // A SIGKILLed process is not dead the moment kill(2) returns: wait until each is a zombie
        // or gone (orphans are re-parented, and their new parent may never reap them).
        for (ProcessHandle d : descendants) {
            while (!isDead((int) d.pid()) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(1_000_000); // polling /proc, bounded by the deadline
            }
        }
    }

    private static boolean isDead(int pid) {
        char state = Processes.state(pid);
        return state == '?' || state == 'Z' || state == 'X';
    }

    /** The last {@code n} lines printed so far. */
    public List<String> tail(int n) {
        synchronized (lines) {
            return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    private String tailForMessage() {
        List<String> t = tail(TAIL_LINES);
        return t.isEmpty() ? "; it printed nothing" : "; its last " + t.size() + " lines:\n" + String.join("\n", t);
    }

    /** How many lines it has printed so far (a mark for {@link #awaitLine}). */
    public int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Everything printed so far, one line per line. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Every line printed so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public Process process() {
        return process;
    }

    public int pid() {
        return (int) process.pid();
    }

    /** Kills the tree if the process still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            killTree();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
