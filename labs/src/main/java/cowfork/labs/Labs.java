// The course's labs, in chapter order: what each asks, which files the student edits, which graders judge them.
package cowfork.labs;

import cowfork.heap.RefCounts;
import cowfork.immortal.lab.LabImmortal;
import cowfork.sidetable.lab.LabSideTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every lab, by chapter number, in the order of the course. docs/exercises.md is the index
 * a student reads; each lab's handout is its chapter's {@code LAB.md}.
 */
public final class Labs {
    private Labs() {
    }

    private static final Map<String, Lab> ALL = new LinkedHashMap<>();

    static {
        add(new Lab("01", "01-fork-basics", "fork a child, get its answer, reap it", "2.5 h", "moderate", List.of(
                new Lab.Part("warm-up: count a process's threads", Lab01WarmUpGrader.class,
                        "src/lab/java/cowfork/fork/lab/Threads.java"),
                new Lab.Part("your fork (OneChild)", Lab01Grader.class,
                        "src/lab/java/cowfork/fork/lab/OneChild.java"))));
        add(new Lab("02", "02-cow-demo", "the pagemap reader", "1 h", "easy", List.of(
                new Lab.Part("warm-up: private pages from smaps alone", Lab02WarmUpGrader.class,
                        "src/lab/java/cowfork/cow/lab/SmapsCount.java"),
                new Lab.Part("your pagemap reader (PagemapReader)", Lab02Grader.class,
                        "src/lab/java/cowfork/cow/lab/PagemapReader.java"))));
        add(new Lab("03", "03-refcount-inline", "predict the pages a reading child copies", "2.5 h", "moderate", List.of(
                new Lab.Part("warm-up: a read through borrowed references", Lab03WarmUpGrader.class,
                        "src/lab/java/cowfork/heap/lab/BorrowedSum.java"),
                new Lab.Part("your prediction (CopyPrediction)", Lab03Grader.class,
                        "src/lab/java/cowfork/heap/lab/CopyPrediction.java"))));
        add(new Lab("04", "04-refcount-sidetable", "a side table on a budget, from an empty class", "3 h", "moderate to hard", List.of(
                new Lab.Part("warm-up: which pages of chapter 04's side table hold these counts", Lab04WarmUpGrader.class,
                        "src/lab/java/cowfork/sidetable/lab/TablePages.java"),
                new Lab.Part("your side table (LabSideTable)", Lab04Grader.class,
                        List.of("src/lab/java/cowfork/sidetable/lab/LabSideTable.java"),
                        List.of(new Lab.Service(RefCounts.Factory.class, () -> LabSideTable.FACTORY))))));
        add(new Lab("05", "05-immortal", "immortal objects, in CPython 3.14's scheme", "2.5 h", "moderate", List.of(
                new Lab.Part("warm-up: CPython 3.14's incref", Lab05WarmUpGrader.class,
                        "src/lab/java/cowfork/immortal/lab/Incref314.java"),
                new Lab.Part("your immortal objects (LabImmortal)", Lab05Grader.class,
                        List.of("src/lab/java/cowfork/immortal/lab/LabImmortal.java"),
                        List.of(new Lab.Service(RefCounts.Factory.class, () -> LabImmortal.FACTORY))))));
        add(new Lab("06", "06-preforking-server", "the master's respawn backoff", "1 h", "easy", List.of(
                new Lab.Part("your respawn policy (LabBackoff), in a real server's master", Lab06Grader.class,
                        "src/lab/java/cowfork/server/lab/LabBackoff.java"))));
    }

    private static void add(Lab lab) {
        ALL.put(lab.id(), lab);
    }

    /** Every lab, in chapter order. */
    public static List<Lab> all() {
        return List.copyOf(ALL.values());
    }

    /**
     * The lab of chapter {@code id}.
     *
     * @throws IllegalArgumentException if there is none; the message lists those there are
     */
    public static Lab byId(String id) {
        Lab lab = ALL.get(id);
        if (lab == null) {
            throw new IllegalArgumentException("no lab " + id + "; the labs are " + String.join(", ", ALL.keySet())
                    + " (./cowfork lab lists them)");
        }
        return lab;
    }

    /**
     * The repository's root: the nearest directory, from the working directory up, that holds
     * the {@code cowfork} script and a {@code labs} directory.
     *
     * @throws IllegalStateException if there is none (the command was not started inside the course)
     */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("cowfork")) && Files.isDirectory(d.resolve("labs"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside the course: no directory from " + dir
                + " up holds the cowfork script and labs/; run ./cowfork lab from the course's directory");
    }
}
