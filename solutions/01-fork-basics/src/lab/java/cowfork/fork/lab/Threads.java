// Lab 01's warm-up, reference answer: a process's threads are the entries of /proc/PID/task.
package cowfork.fork.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Reference answer for lab 01's warm-up (graded by {@code Lab01WarmUpGrader}). */
public final class Threads {
    private Threads() {}

    /**
     * The number of threads process {@code pid} has now: one directory per thread under
     * {@code /proc/PID/task} (man 5 proc).
     *
     * @throws IllegalStateException if the process does not exist
     * @throws UncheckedIOException if /proc cannot be read
     */
    public static int count(int pid) {
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> entries = Files.list(tasks)) {
            return (int) entries.count();
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("no process " + pid + " (" + tasks + " does not exist)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + tasks, e);
        }
    }
}
