// The students' copy of the course, made as docs/teacher.md says (git archive), holds every lab and no answer, and builds.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/teacher.md tells a teacher to make the students' copy with
 * {@code git archive --format=tar.gz -o cowfork-students.tar.gz HEAD}: {@code .gitattributes}
 * marks {@code solutions/} export-ignore. This test makes that archive of the commit checked
 * out (with this working tree's attributes, so a change to them is tested before it is
 * committed), unpacks it, and checks it: every lab's handout and files are in, nothing
 * under solutions/ is, and Maven reads the copy's reactor without the solutions module.
 * Skipped, with the reason, where there is no git or no repository (a copy made this way).
 */
class StudentCopyTest {
    private static final long DEADLINE_SECONDS = 120;

    @Test
    void theArchiveHasEveryLabAndNoAnswerAndItsReactorHasNoSolutionsModule(@TempDir Path dir) throws Exception {
        Path root = Labs.root();
        Assumptions.assumeTrue(run(root, List.of("git", "rev-parse", "--is-inside-work-tree")).exit == 0,
                "not a git checkout (or no git): the students' copy is made with git archive");
        Path tar = dir.resolve("students.tar");
        Result archive = run(root, List.of("git", "archive", "--format=tar", "--worktree-attributes", "-o", tar.toString(), "HEAD"));
        assertThat(archive.exit).as("git archive: %s", archive.output).isZero();
        Path copy = Files.createDirectory(dir.resolve("cowfork"));
        assertThat(run(copy, List.of("tar", "-xf", tar.toString())).exit).isZero();

        assertThat(copy.resolve("solutions")).as("the answers in the students' copy").doesNotExist();
        assertThat(copy.resolve("pom.xml")).isRegularFile();
        for (Lab lab : Labs.all()) {
            for (String f : lab.files()) {
                if (isCommitted(root, f)) { // a lab file not yet committed is not in HEAD's archive either
                    assertThat(copy.resolve(f)).as("lab %s's file in the copy", lab.id()).isRegularFile();
                }
            }
        }
        String pom = Files.readString(copy.resolve("pom.xml"));
        assertThat(pom.substring(0, pom.indexOf("</modules>"))).as("the modules every copy builds").doesNotContain("<module>solutions</module>");

        Result reactor = run(copy, List.of("./mvnw", "-o", "-B", "-q", "validate"));
        assertThat(reactor.exit).as("./mvnw validate in the students' copy:%n%s", reactor.output).isZero();
    }

    private static boolean isCommitted(Path root, String file) throws IOException, InterruptedException {
        return run(root, List.of("git", "cat-file", "-e", "HEAD:" + file)).exit == 0;
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command in {@code dir}, output captured to a file; killed with everything it started if it runs past the deadline. */
    private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("student-copy", ".log");
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                return new Result(127, e.getMessage()); // no such program
            }
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(command + " ran past " + DEADLINE_SECONDS + " s and was killed:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
