// A process started by this JVM that can never hang its caller: every wait has a deadline, and a missed one kills its whole tree.
package cowfork.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
 * with it, and any process it said it started: {@link #adopt}) and the error carries
 * the last lines the process printed ({@link #tail}). This is what the tour, the server
 * launcher, the crosscheck's interpreters, the JVM-collector runs, fork-latency's C
 * baseline and every test that starts a process use.
 */
public final class WatchedProcess implements AutoCloseable {
    /** Lines of output a failure message quotes. */
    public static final int TAIL_LINES = 40;

    /** How long {@link #killTree} waits for a killed descendant's parent to reap it: 2 s. */
    private static final long REAP_GRACE_NANOS = 2_000_000_000L;

    private final Process process;
    private final String name;
    private final Consumer<String> echo;
    private final List<String> lines = new ArrayList<>();
    private final List<ProcessHandle> adopted = new ArrayList<>();
    private boolean ended;

    /** What the process reads: nothing (its stdin is closed at once), or what {@link #sendAndClose} writes. */
    public enum Input { CLOSED, OPEN }

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
        return start(command, env, Input.CLOSED, echo);
    }

    /**
     * As {@link #start(List, Map, Consumer)}; with {@link Input#OPEN} the process's stdin
     * stays open until {@link #sendAndClose} (a script whose child waits to be released).
     *
     * @throws IllegalStateException if the process cannot be started
     */
    public static WatchedProcess start(List<String> command, Map<String, String> env, Input input,
                                       Consumer<String> echo) {
        String name = command.get(0).substring(command.get(0).lastIndexOf('/') + 1);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            if (input == Input.CLOSED) {
                p.getOutputStream().close();
            }
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
        return awaitLine(from, "the expected line", p, timeout);
    }

    /**
     * As {@link #awaitLine(int, Predicate, Duration)}; a failure names the line it waited for
     * as {@code expected} ("a \"ready ...\" line").
     */
    public String awaitLine(int from, String expected, Predicate<String> p, Duration timeout) {
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
                    String how = howItEnded();
                    killTree(); // it closed its output: whatever it still does, nobody reads it
                    throw new IllegalStateException(name + " ended its output before printing " + expected + how
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
        throw new IllegalStateException(name + " did not print " + expected + " within " + timeout
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
     * Writes {@code line} to the process's stdin and closes it (started with {@link Input#OPEN}).
     *
     * @throws IllegalStateException if the process no longer reads it (its tree is then killed)
     */
    public void sendAndClose(String line) {
        try (OutputStream in = process.getOutputStream()) {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            killTree();
            throw new IllegalStateException(name + ": cannot write to its stdin: " + e.getMessage() + tailForMessage(), e);
        }
    }

    /**
     * Counts {@code other}, a process this one says it started, as part of the tree: killed
     * with it even once it has been re-parented (its parent dead) and is no longer found
     * among the descendants.
     */
    public void adopt(ProcessHandle other) {
        synchronized (adopted) {
            adopted.add(other);
        }
    }

    /**
     * SIGKILLs every descendant (and adopted process), then the process, and waits (at most
     * 10 s in all) for each to be gone. Descendants first, while the process still lives to
     * reap them: once it is dead its children are re-parented, no longer found as its
     * descendants, and left as zombies until their new parent reaps them (a container's
     * init may take its time, or never). A zombie whose parent does not reap it within
     * {@link #REAP_GRACE_NANOS} (the parent is hung, or reaps nothing) is left to it.
     */
    public void killTree() {
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
        synchronized (adopted) {
            adopted.stream().filter(a -> !descendants.contains(a)).forEach(descendants::add);
        }
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        // A SIGKILLed process is not dead the moment kill(2) returns: wait until each is gone, or
        // a zombie its parent has not reaped within the grace.
        for (ProcessHandle d : descendants) {
            long zombieSince = 0;
            while (System.nanoTime() - deadline < 0) {
                char state = Processes.state((int) d.pid());
                if (state == '?') {
                    break;
                }
                if (state == 'Z' || state == 'X') {
                    if (zombieSince == 0) {
                        zombieSince = System.nanoTime();
                    } else if (System.nanoTime() - zombieSince > REAP_GRACE_NANOS) {
                        break;
                    }
                }
                LockSupport.parkNanos(1_000_000); // polling /proc, bounded by the deadline
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How the process ended, for a failure message: "; it exited with status 1", or for a
     * death by signal, as Java and the shell report it, "; it exited with status 137 (128 + 9:
     * killed by signal 9 (SIGKILL))"; empty if it still runs a second after closing its output.
     */
    private String howItEnded() {
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                return "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
        int status = process.exitValue();
        return "; it exited with status " + status + (status > 128 && status <= 128 + 64
                ? " (128 + " + (status - 128) + ": killed by signal " + (status - 128) + " ("
                + Processes.signalName(status - 128) + "))" : "");
    }

    /**
     * Kills the process tree and returns the error to throw: {@code what} went wrong, said of
     * this process, with its last lines; for a caller that finds a line it awaited wrong.
     */
    public IllegalStateException failure(String what) {
        killTree();
        return new IllegalStateException(name + ": " + what + tailForMessage());
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

    /** Kills the tree if the process, or a process it adopted, still runs. */
    @Override
    public void close() {
        boolean adoptedAlive;
        synchronized (adopted) {
            adoptedAlive = adopted.stream().anyMatch(ProcessHandle::isAlive);
        }
        if (process.isAlive() || adoptedAlive) {
            killTree();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
