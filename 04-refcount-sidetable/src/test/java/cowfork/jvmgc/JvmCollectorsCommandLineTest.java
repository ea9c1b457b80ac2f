// ./cowfork jvm-gc's command line: --help prints the generated usage and starts no JVM; a bad option says what is wrong and names it.
package cowfork.jvmgc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JvmCollectorsCommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int command(String... args) {
        return JvmCollectors.command(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageAndRunsNothing() {
        for (String help : new String[] {"--help", "-h"}) {
            out.reset();
            err.reset();
            assertThat(command(help)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .startsWith("Usage: ./cowfork jvm-gc")
                    .contains("--live-mb=N", "--collectors=A,B", "--fork-shared-heaps", "any of Serial,")
                    .doesNotContain("jvm-gc: jdk="); // no JVM was started, so no measurement was printed
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }

    @Test
    void helpAfterOtherOptionsStillOnlyPrintsTheUsage() {
        assertThat(command("--collectors", "Serial", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ");
    }

    @Test
    void anUnknownOptionIsNamedAndPointsAtHelp() {
        assertThat(command("--verbose")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("jvm-gc: Unknown option: '--verbose' (./cowfork jvm-gc --help shows every option)" + System.lineSeparator());
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
