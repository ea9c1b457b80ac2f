// One interpreter running one of our scripts: its stdout read line by line against a deadline, its whole process tree killed on failure.
package cowfork.crosscheck;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A started script with one deadline for everything it does. Lines it prints arrive
 * through a queue filled by a reader thread, so waiting for the next line is a bounded
 * {@code poll}, never a sleep. {@link #close()} kills whatever is still running (the
 * script and every process it forked) and waits for it to go, so no run leaves a process
 * behind.
 */
final class ScriptProcess implements AutoCloseable {
    /** Put in the queue when stdout ends (the script exited or closed it). */
    private static final String EOF = new String("<end of output>");

    private final List<String> command;
    private final Process process;
    private final Path stderr;
    private final long deadlineNanos;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<ProcessHandle> forked = new ArrayList<>();

    /**
     * Starts {@code command}; every later wait counts against {@code deadline} from now.
     *
     * @throws IllegalStateException if the program cannot be started (not found, not executable)
     */
    ScriptProcess(List<String> command, Duration deadline) {
        this.command = List.copyOf(command);
        this.deadlineNanos = System.nanoTime() + deadline.toNanos();
        try {
            stderr = Files.createTempFile("cowfork-crosscheck-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
            pb.environment().put("PYTHONHASHSEED", "0"); // the same dict layouts on every run
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        Thread reader = new Thread(this::readStdout, "crosscheck-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process was killed under us; the EOF below says so to whoever waits
        } finally {
            lines.add(EOF);
        }
    }

    /** The pid of the script's own process (the parent of anything it forks). */
    long pid() {
        return process.pid();
    }

    /**
     * The next line the script prints, which must start with {@code prefix}; returns the
     * rest of it.
     *
     * @throws IllegalStateException if the deadline passes first, the output ends, or the
     *         line is another one (the message quotes it, and the script's stderr)
     */
    String expect(String prefix) {
        String line;
        try {
            line = lines.poll(remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for \"" + prefix + "...\"");
        }
        if (line == null) {
            throw failure("no \"" + prefix + "...\" line before the deadline");
        }
        if (line == EOF) {
            throw failure("the output ended" + exitStatus() + " before a \"" + prefix + "...\" line");
        }
        if (!line.startsWith(prefix)) {
            throw failure("expected a \"" + prefix + "...\" line, got \"" + line + "\"");
        }
        return line.substring(prefix.length());
    }

    /**
     * Records {@code pid}, which the script said it forked, so that {@link #close()} kills
     * it even if the script itself is gone by then.
     *
     * @throws IllegalStateException if {@code pid} is not a live child of the script
     */
    void adoptChild(long pid) {
        Optional<ProcessHandle> child = ProcessHandle.of(pid);
        long parent = child.flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        if (parent != process.pid()) {
            throw failure("the script named pid " + pid + " as its child, but that process "
                    + (child.isPresent() ? "has parent " + parent : "does not exist"));
        }
        forked.add(child.get());
    }

    /**
     * Writes {@code line} to the script's stdin and closes it.
     *
     * @throws IllegalStateException if the script is no longer reading
     */
    void sendAndClose(String line) {
        try (OutputStream in = process.getOutputStream()) {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw failure("cannot write to its stdin: " + e.getMessage());
        }
    }

    /**
     * Waits for the script to exit and checks it exited with 0.
     *
     * @throws IllegalStateException if it is still running at the deadline or exited with another status
     */
    void awaitSuccess() {
        try {
            if (!process.waitFor(remainingNanos(), TimeUnit.NANOSECONDS)) {
                throw failure("still running at the deadline");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for it to exit");
        }
        if (process.exitValue() != 0) {
            throw failure("exited with status " + process.exitValue());
        }
    }

    /** " (it exited with status N)" once it has exited (waiting for that within the deadline), else "". */
    private String exitStatus() {
        try {
            if (process.waitFor(remainingNanos(), TimeUnit.NANOSECONDS)) {
                return " (it exited with status " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** An exception naming the command, what went wrong, and the end of its stderr. */
    IllegalStateException failure(String what) {
        return new IllegalStateException(String.join(" ", command) + ": " + what + stderrTail());
    }

    private String stderrTail() {
        try {
            String text = Files.readString(stderr).strip();
            if (text.isEmpty()) {
                return "";
            }
            return " (stderr: " + (text.length() > 800 ? "..." + text.substring(text.length() - 800) : text) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private long remainingNanos() {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    /**
     * Kills whatever of the run is still alive and waits for it to go, then deletes the
     * stderr file. Never throws. The script's children die first, while the script still
     * lives to reap them (a process orphaned by killing its parent first may stay a zombie
     * if nothing reaps orphans, as in some containers); then the script, which this JVM reaps.
     */
    @Override
    public void close() {
        List<ProcessHandle> children = new ArrayList<>(forked);
        process.descendants().forEach(children::add);
        for (ProcessHandle p : children) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : children) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // killed with SIGKILL, which cannot be caught; only reaping it is not ours to do
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            // a temporary file left behind is harmless
        }
    }
}
