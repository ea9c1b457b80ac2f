// Every subcommand reads its flags the same way: both spellings, the last value wins, errors name the flag.
package cowfork.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CliTest {
    @Command(name = "./cowfork example", description = "An example subcommand.")
    static final class Options {
        @Mixin
        Cli.Help help;

        @Option(names = "--workers", description = "worker processes (default: ${DEFAULT-VALUE})")
        int workers = 2;

        @Option(names = "--data-size", converter = Cli.Size.class, paramLabel = "BYTES", description = "e.g. 32m")
        long dataSize = 32L << 20;
    }

    @Test
    void bothSpellingsOfAFlagAndTheLastValueWins() {
        Options o = Cli.parse(new Options(), new String[] {"--workers", "3", "--data-size=64m", "--workers=5"});
        assertThat(o.workers).isEqualTo(5);
        assertThat(o.dataSize).isEqualTo(64L << 20);
        assertThat(Cli.parse(new Options(), new String[0]).workers).isEqualTo(2);
    }

    @Test
    void badInputNamesTheFlagAndPointsAtHelp() {
        assertThatThrownBy(() -> Cli.parse(new Options(), new String[] {"--workers", "many"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--workers").hasMessageContaining("many")
                .hasMessageEndingWith("(./cowfork example --help shows every option)");
        assertThatThrownBy(() -> Cli.parse(new Options(), new String[] {"--data-size", "lots"}))
                .hasMessageContaining("--data-size").hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Cli.parse(new Options(), new String[] {"--wrokers", "3"}))
                .hasMessageContaining("--wrokers");
        assertThatThrownBy(() -> Cli.parse(new Options(), new String[] {"--workers"}))
                .hasMessageContaining("--workers");
    }

    @Test
    void helpPrintsTheGeneratedUsageAndReturnsNull() {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertThat(Cli.parse(new Options(), new String[] {"--workers", "3", "--help"})).isNull();
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .startsWith("Usage: ./cowfork example")
                .contains("--workers=<workers>", "worker processes (default: 2)", "--data-size=BYTES", "-h, --help");
        assertThat(Cli.usage(new Options())).isEqualTo(printed.toString(StandardCharsets.UTF_8).stripTrailing() + System.lineSeparator());
    }
}
