// The threads of this JVM and of a child forked from it, read from /proc/PID/task: fork() copies only the thread that calls it.
package cowfork.fork;

import cowfork.support.Processes;
import cowfork.support.Svg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One fork, seen from {@code /proc}: every thread of this JVM (the VM thread, the
 * compilers, the reference handler, the signal dispatcher, ...) and every thread of a child
 * forked from it, which has one: the thread that called {@code fork()}. That is why a
 * forked JVM child can never collect garbage, compile a hot method or handle SIGTERM, and
 * why the recipe (see {@link ForkRecipe}) prepares the parent so that the child never needs to.
 *
 * <p>{@link #svg} draws it for {@code docs/figures} ({@code ./cowfork demo 01 --svg DIR}).
 *
 * @param parentPid  this JVM's pid
 * @param parent     its threads while the child lived, in order of thread id (creation order)
 * @param forkingTid the thread of this JVM that called fork()
 * @param childPid   the child's pid
 * @param child      the child's threads, read while it waited
 */
public record ThreadsAtFork(int parentPid, List<Task> parent, int forkingTid, int childPid, List<Task> child) {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * A thread: its id, and its name as the kernel shows it ({@code /proc/PID/task/TID/comm}:
     * at most 15 bytes, so HotSpot's "C2 CompilerThread0" reads "C2 CompilerThre").
     */
    public record Task(int tid, String name) {
    }

    /**
     * Forks a child that waits, lists the threads of both processes, and ends the child.
     *
     * @throws IllegalStateException if the child did not report within 30 s (it is killed)
     * @throws UncheckedIOException if {@code /proc} cannot be read
     */
    public static ThreadsAtFork measure(Forker forker) {
        int forking = callingThread();
        try (ChildHandle child = forker.startIdle(TIMEOUT)) {
            ThreadsAtFork seen = new ThreadsAtFork(Processes.self(), tasks(Processes.self()), forking, child.pid(), tasks(child.pid()));
            child.send("done");
            child.await().orThrow();
            return seen;
        }
    }

    /** The threads of process {@code pid} now, in order of thread id. @throws UncheckedIOException if /proc cannot be read */
    static List<Task> tasks(int pid) {
        Path dir = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> entries = Files.list(dir)) {
            List<Task> tasks = new ArrayList<>();
            for (Path task : entries.toList()) {
                tasks.add(new Task(Integer.parseInt(task.getFileName().toString()),
                        Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip()));
            }
            tasks.sort(Comparator.comparingInt(Task::tid));
            return tasks;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the threads in " + dir, e);
        }
    }

    /** The id of the thread running this code: {@code /proc/thread-self} links to {@code PID/task/TID}. */
    private static int callingThread() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/thread-self", e);
        }
    }

    private static final int MARGIN = 16;
    private static final int ROW = 16;
    private static final int CHAR = 7; // px per character of 11 px monospace text, rounded up
    private static final int BOX = 150;
    private static final int CHILD_X = MARGIN + BOX + 170;
    private static final String GONE = "#4c84d9";
    private static final String FORKING = "#e03c31";

    /**
     * The figure: the parent's threads one per row, the one that called fork() in red and
     * joined to the child's only thread; the parent's other threads have no counterpart.
     * {@code footer} is the command that regenerates it.
     */
    public String svg(String footer) {
        int rows = Math.max(parent.size(), child.size());
        int top = 76;
        String caption = String.format(Locale.ROOT, "The child has the calling thread only; the parent's other %d threads"
                + " do not exist in it.", parent.size() - 1);
        int width = Math.max(CHILD_X + BOX + 90, 2 * MARGIN + CHAR * Math.max(caption.length(), footer.length()));
        int height = top + rows * ROW + 62;
        Svg svg = new Svg(Svg.Numbers.WHOLE).background("#ffffff");
        svg.text(MARGIN, 22, "font-size=\"13\" font-weight=\"bold\"", String.format(Locale.ROOT,
                "fork() copies one thread: the JVM has %d, its child %d", parent.size(), child.size()));
        svg.text(MARGIN, 50, "font-weight=\"bold\"", "parent JVM, pid " + parentPid);
        svg.text(MARGIN, 64, "", plural(parent.size()) + " (/proc/" + parentPid + "/task)");
        svg.text(CHILD_X, 50, "font-weight=\"bold\"", "forked child, pid " + childPid);
        svg.text(CHILD_X, 64, "", plural(child.size()) + " (/proc/" + childPid + "/task)");
        int forkingRow = 0;
        for (int i = 0; i < parent.size(); i++) {
            Task t = parent.get(i);
            boolean forks = t.tid() == forkingTid;
            forkingRow = forks ? i : forkingRow;
            svg.rect(MARGIN, top + i * ROW, BOX, ROW - 3, forks ? FORKING : GONE);
            svg.text(MARGIN + 4, top + i * ROW + 10, "fill=\"#ffffff\"", t.name());
            svg.text(MARGIN + BOX + 6, top + i * ROW + 10, "fill=\"#555555\"", forks ? "called fork()" : "tid " + t.tid());
        }
        for (int i = 0; i < child.size(); i++) {
            int y = top + (forkingRow + i) * ROW;
            svg.rect(CHILD_X, y, BOX, ROW - 3, FORKING);
            svg.text(CHILD_X + 4, y + 10, "fill=\"#ffffff\"", child.get(i).name());
            svg.text(CHILD_X + BOX + 6, y + 10, "fill=\"#555555\"", "tid " + child.get(i).tid());
        }
        svg.rect(MARGIN + BOX + 96, top + forkingRow * ROW + 6, CHILD_X - (MARGIN + BOX + 96) - 4, 1, FORKING);
        int y = top + rows * ROW + 14;
        svg.text(MARGIN, y, "", caption);
        svg.text(MARGIN, y + 16, "", "Names from /proc/PID/task/TID/comm (15 bytes at most).");
        svg.text(MARGIN, y + 36, "fill=\"#555555\"", footer);
        return svg.document(width, height);
    }

    private static String plural(int threads) {
        return threads + (threads == 1 ? " thread" : " threads");
    }
}
