// A JVM whose collector has no eden (Shenandoah) forks an idle child without the GC step, and refuses the whole recipe with advice: checked in a real second JVM.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.support.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recipe's GC step needs an eden to know whether a child has room; chapter 04 forks
 * idle children from JVMs whose collector has none, to watch what that collector writes.
 * The test JVM runs Serial GC, so this starts the same java with Shenandoah, runs
 * {@link Attempt}, and reads what it printed.
 */
class ForkWithoutEdenTest {
    private static final long DEADLINE_SECONDS = 60;

    @Test
    void withoutAnEdenAnIdleChildIsForkedWithoutTheGcStepAndTheWholeRecipeIsRefused(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "-XX:+UseShenandoahGC", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), Attempt.class.getName());
        Path out = dir.resolve("attempt.out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        String printed;
        try {
            assertThat(p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS))
                    .as("the second JVM ended within %d s: %s", DEADLINE_SECONDS, command).isTrue();
            printed = Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // its child dies with it (PR_SET_PDEATHSIG)
            }
        }
        assumeThat(printed).as("this JDK has Shenandoah (some builds leave it out)").doesNotContain("UseShenandoahGC");
        assertThat(p.exitValue()).as("exit code of the second JVM, which printed:%n%s", printed).isZero();
        assertThat(printed).contains("eden free: 0\n");
        Matcher idle = Pattern.compile("idle child (\\d+) of (\\d+), forked by (\\d+), state (.)").matcher(printed);
        assertThat(idle.find()).as(printed).isTrue();
        assertThat(idle.group(2)).as("the child's parent is the second JVM").isEqualTo(idle.group(3));
        assertThat(idle.group(4).charAt(0)).as("alive, waiting: running or blocked in read(2)").isIn('R', 'S');
        assertThat(printed).contains("released: exited with code 0")
                .contains("whole recipe: refused: this JVM's collector has no eden memory pool")
                .contains("leave out COLLECT_GARBAGE");
    }

    /** The second JVM's main: one idle child without the GC step, then the whole recipe. */
    static final class Attempt {
        public static void main(String[] args) {
            Forker forker = Forker.builder().checkFlags(false).without(ForkRecipe.Precaution.COLLECT_GARBAGE).build();
            System.out.println("eden free: " + forker.recipe().edenFree());
            try (ChildHandle child = forker.startIdle(Duration.ofSeconds(20))) {
                System.out.println("idle child " + child.pid() + " of " + Processes.parentOf(child.pid())
                        + ", forked by " + Processes.self() + ", state " + child.state());
                child.send("go");
                System.out.println("released: " + child.await(Duration.ofSeconds(20)).status());
            }
            try {
                Forker.builder().checkFlags(false).build();
                System.out.println("whole recipe: built");
            } catch (IllegalStateException e) {
                System.out.println("whole recipe: refused: " + e.getMessage());
            }
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }
}
