// ./cowfork lab [NN]: list the labs with their state, or run one lab's graders against the student's code and print the report.
package cowfork.labs;

import cowfork.fork.ForkRecipe;
import cowfork.support.Cli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./cowfork lab}: the labs and where each student stands; {@code ./cowfork lab NN}:
 * runs lab NN's graders against the files the student edits (the chapter's {@code src/lab/java},
 * which {@code ./cowfork} has just compiled) and prints the report. The exit code is 0 when
 * every check passes, 1 when one fails, 2 on a usage error.
 *
 * <p>Each run leaves its verdict in the chapter's {@code target/lab/last-run.properties},
 * with a digest of the student's files, so the list can say "passing" or "failing" without
 * running anything, and "edited since" when the files changed after the run.
 *
 * <p>{@code ./cowfork lab NN --solution} (for teachers; needs {@code solutions/}) runs the
 * same graders in a new JVM whose class path puts the reference answers before the stubs.
 */
public final class LabMain {
    private LabMain() {
    }

    /** The message the stubs carry: a file that still holds it in every method was not started. */
    static final String STUB_MARK = "new UnsupportedOperationException(\"lab ";
    /** Set in the JVM {@code --solution} starts, so its report says whose code it graded. */
    static final String SOLUTION_PROPERTY = "cowfork.lab.solution";
    /** How long a {@code --solution} run may take before it is killed. */
    static final long SOLUTION_DEADLINE_MINUTES = 10;

    /** The command line of {@code ./cowfork lab}. */
    @Command(name = "./cowfork lab", sortOptions = false, sortSynopsis = false,
            description = {"Without NN: the labs, and where you stand in each.",
                "With NN: runs lab NN's grader on your code (NN-*/LAB.md is the handout); exit code 0 when every check"
                        + " passes, 1 when one fails."})
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Parameters(arity = "0..1", paramLabel = "NN", converter = LabNumber.class, description = "the lab's number, e.g. 04")
        Lab lab;

        @Option(names = "--solution", description = "(teachers) the same grader on the reference answer in solutions/")
        boolean solution;

        @Override
        public void check() {
            if (solution && lab == null) {
                throw new IllegalArgumentException("--solution needs a lab number: ./cowfork lab 04 --solution");
            }
        }
    }

    /** A lab's number on the command line. */
    static final class LabNumber implements Cli.Converter<Lab> {
        @Override
        public Lab parse(String id) {
            return Labs.byId(id);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Cli.parse(new Options(), args);
        if (options == null) {
            return;
        }
        boolean solution = options.solution;
        Path root = Labs.root();
        if (options.lab == null) {
            System.out.println(list(root));
            return;
        }
        Lab lab = options.lab;
        if (solution) {
            System.exit(runWithSolutions(lab, root));
        }
        LabReport report = LabRunner.run(lab, root);
        boolean byTeacher = Boolean.getBoolean(SOLUTION_PROPERTY);
        System.out.println(byTeacher ? report.format().replaceFirst("\n", "  [graded: the reference answer in solutions/]\n") : report.format());
        if (!byTeacher) {
            record(lab, root, report);
        }
        System.exit(report.passed() ? 0 : 1);
    }

    /** The table {@code ./cowfork lab} prints. */
    static String list(Path root) {
        StringBuilder sb = new StringBuilder("labs (the index: docs/exercises.md; the handout: each chapter's LAB.md)\n\n");
        sb.append(String.format(Locale.ROOT, "  %-4s %-44s %-5s %-10s %s%n", "lab", "what you build", "time", "difficulty", "state"));
        for (Lab lab : Labs.all()) {
            sb.append(String.format(Locale.ROOT, "  %-4s %-44s %-5s %-10s %s%n", lab.id(), lab.title(), lab.time(), lab.difficulty(),
                    state(lab, root)));
        }
        sb.append("\n./cowfork lab NN runs one lab's grader on your files and records its verdict here.");
        return sb.toString();
    }

    /** "not started", "failing: 3 of 17 checks pass (last run 10:32)", "passing", or "edited since the last run (...)". */
    static String state(Lab lab, Path root) {
        Path file = recordFile(lab, root);
        String digest = digest(lab, root);
        if (Files.isRegularFile(file)) {
            Properties p = new Properties();
            try {
                p.load(Files.newBufferedReader(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            String verdict = switch (p.getProperty("result", "")) {
                case "passing" -> "passing (" + p.getProperty("ok") + " of " + p.getProperty("total") + " checks)";
                case "not-started" -> "not started";
                default -> "failing: " + p.getProperty("ok") + " of " + p.getProperty("total") + " checks pass";
            };
            String when = " (last run " + p.getProperty("when", "?") + ")";
            return digest.equals(p.getProperty("files")) ? verdict + when : "edited since the last run, which was " + verdict;
        }
        return stubsUntouched(lab, root) ? "not started" : "not run yet (./cowfork lab " + lab.id() + ")";
    }

    private static boolean stubsUntouched(Lab lab, Path root) {
        for (String f : lab.files()) {
            try {
                if (!Files.readString(root.resolve(f)).contains(STUB_MARK)) {
                    return false;
                }
            } catch (IOException e) {
                return false; // a file the student removed or renamed: the grader will say what is missing
            }
        }
        return true;
    }

    private static Path recordFile(Lab lab, Path root) {
        return root.resolve(lab.module()).resolve("target").resolve("lab").resolve("last-run.properties");
    }

    /** Leaves the run's verdict where {@link #state} finds it. */
    static void record(Lab lab, Path root, LabReport report) {
        Properties p = new Properties();
        p.setProperty("result", report.passed() ? "passing" : report.notStarted() ? "not-started" : "failing");
        p.setProperty("ok", Long.toString(report.checksOk()));
        p.setProperty("total", Integer.toString(report.all().size()));
        p.setProperty("files", digest(lab, root));
        p.setProperty("when", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)));
        Path file = recordFile(lab, root);
        try {
            Files.createDirectories(file.getParent());
            try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(w, "./cowfork lab " + lab.id() + ": the last run's verdict");
            }
        } catch (IOException e) {
            System.err.println("cowfork: could not record the verdict in " + file + ": " + e.getMessage());
        }
    }

    /** A digest of the student's files as they are now (a missing file counts as empty). */
    static String digest(Lab lab, Path root) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String f : lab.files()) {
                md.update(f.getBytes(StandardCharsets.UTF_8));
                Path p = root.resolve(f);
                if (Files.isRegularFile(p)) {
                    md.update(Files.readAllBytes(p));
                }
            }
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lab's files", e);
        }
    }

    /**
     * Runs {@code ./cowfork lab NN} again in a new JVM (this one's flags) whose class path
     * starts with the compiled reference answers, so they stand in for the stubs. Its output
     * is this command's output; it is killed if it runs past {@link #SOLUTION_DEADLINE_MINUTES}.
     *
     * @return its exit code
     * @throws IllegalArgumentException if there are no compiled answers (no solutions/, or not built)
     */
    static int runWithSolutions(Lab lab, Path root) throws IOException, InterruptedException {
        Path answers = root.resolve("solutions").resolve("target").resolve("classes");
        if (!Files.isDirectory(answers)) {
            throw new IllegalArgumentException("no compiled reference answers in " + root.relativize(answers)
                    + ": this copy of the course has no solutions/ (the students' copy), or it is not built yet"
                    + " (./mvnw -B -q -DskipTests package)");
        }
        List<String> cmd = ForkRecipe.javaCommand(LabMain.class.getName()); // java, the fork flags, -cp CLASSPATH, main
        int cp = cmd.indexOf("-cp");
        cmd.set(cp + 1, answers + java.io.File.pathSeparator + cmd.get(cp + 1));
        cmd.add(cp, "-D" + SOLUTION_PROPERTY + "=true");
        cmd.add(lab.id());
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start();
        if (!p.waitFor(SOLUTION_DEADLINE_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("the graders on the reference answer ran past " + SOLUTION_DEADLINE_MINUTES
                    + " minutes and were killed");
        }
        return p.exitValue();
    }
}
