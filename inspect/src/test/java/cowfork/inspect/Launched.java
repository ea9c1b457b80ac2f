// A server started for a test as a process of its own, its output in a file, its whole tree killed at the end.
package cowfork.inspect;

import cowfork.fork.ForkRecipe;
import cowfork.support.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a server (gunicorn, unicorn, Puma, a JVM tree) whose output goes to a file, not a
 * pipe: this module's tests also fork the test JVM, and a fork must find no extra thread
 * (01's recipe), so nothing here reads a pipe on a thread of its own. Every wait polls the
 * file or /proc until a condition holds or a deadline passes; {@link #close} kills the whole
 * tree (descendants first) and waits until it is gone.
 */
final class Launched implements AutoCloseable {
    private static final long POLL_NANOS = 20_000_000;

    private final Process process;
    private final Path output;
    private final String name;

    private Launched(Process process, Path output, String name) {
        this.process = process;
        this.output = output;
        this.name = name;
    }

    /** Starts {@code command} in {@code dir} with {@code env} added; stdin stays open (a process may wait for it to close). */
    static Launched start(List<String> command, Map<String, String> env, Path dir) {
        try {
            Path out = Files.createTempFile("cowfork-inspect-", ".log");
            ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            b.environment().putAll(env);
            Process p = b.start();
            return new Launched(p, out, command.get(0) + " (pid " + p.pid() + ")");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e, e);
        }
    }

    /** {@code java <this JVM's fork flags> -cp <this class path> mainClass args...} (01's {@link ForkRecipe#javaCommand}). */
    static List<String> java(String mainClass, String... args) {
        List<String> cmd = ForkRecipe.javaCommand(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    int pid() {
        return (int) process.pid();
    }

    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    /**
     * Waits for a line of output that {@code p} finds, and returns its matcher.
     *
     * @throws IllegalStateException if the process exits first or the deadline passes (the output is quoted)
     */
    Matcher awaitLine(Pattern p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : output().split("\n")) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            check(deadline, "a line matching " + p);
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Waits for the process to exit and returns its exit code.
     *
     * @throws IllegalStateException if it has not exited within {@code timeout} (it is then killed)
     */
    int awaitExit(Duration timeout) {
        try {
            if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        throw new IllegalStateException(name + " did not exit within " + timeout + "; killed it. It printed:\n" + output());
    }

    /** Waits until the process has {@code n} children (a pre-forking master has forked its workers). */
    List<Integer> awaitChildren(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Integer> children = Processes.childrenOf(pid());
            if (children.size() >= n) {
                return children;
            }
            check(deadline, n + " children (it has " + children.size() + ")");
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private void check(long deadline, String what) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before " + what + "; it printed:\n" + output());
        }
        if (System.nanoTime() - deadline > 0) {
            close();
            throw new IllegalStateException(name + " did not show " + what + " in time; killed it. It printed:\n" + output());
        }
    }

    /** Kills every descendant, then the process, and waits (at most 10 s each) until they are gone. */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle d : descendants) {
                d.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not end " + name + " and its descendants: " + e, e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // a stray log in /tmp is not worth failing a test for
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
