// A JVM started without the recipe's flags refuses to fork and says which flags to add: checked in a real second JVM.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test JVM runs with the fork flags (surefire passes them), so the refusal can only be
 * seen in another JVM. This one starts the same java with the same class path and the
 * opposite flags spelled out (G1, perf data on: a small machine's ergonomics might
 * otherwise pick Serial GC by itself), runs {@link Attempt}, and reads what it printed.
 */
class RequireForkFlagsTest {
    private static final long DEADLINE_SECONDS = 60;

    /** Exit codes of {@link Attempt}. */
    static final int REFUSED = 3;
    static final int FORKED = 4;

    @Test
    void aForkInAJvmWithoutTheRecipeFlagsIsRefusedWithAdvice(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "-XX:+UseG1GC", "-XX:+UsePerfData", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), Attempt.class.getName());
        Path out = dir.resolve("attempt.out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS))
                    .as("the second JVM ended within %d s: %s", DEADLINE_SECONDS, command).isTrue();
            String printed = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("exit code of the second JVM, which printed:%n%s", printed).isEqualTo(REFUSED);
            assertThat(printed).contains("refused: this JVM is not set up to fork safely; start it with")
                    .contains("-XX:+UseSerialGC").contains("-XX:-UsePerfData").contains("01-fork-basics/README.md")
                    .doesNotContain("forked");
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    void theTestJvmItselfHasTheFlags() {
        // The other half of the contract: here, with the flags, the check passes quietly.
        assertThatCode(ForkRecipe::requireForkFlags).doesNotThrowAnyException();
    }

    /** The second JVM's main: try one fork through the public API and report what happened. */
    static final class Attempt {
        public static void main(String[] args) {
            try {
                byte[] answer = Forker.safe().call(child -> new byte[] {1});
                System.out.println("forked: the child answered " + answer.length + " byte(s)");
                System.out.flush();
                Runtime.getRuntime().halt(FORKED);
            } catch (IllegalStateException e) {
                System.out.println("refused: " + e.getMessage());
                System.out.flush();
                Runtime.getRuntime().halt(REFUSED);
            }
        }
    }
}
