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
                .hasMessageStartingWith("Invalid value for option '--data-size': 'lots' is not a size");
        assertThatThrownBy(() -> Cli.parse(new Options(), new String[] {"--wrokers", "3"}))
                .hasMessageContaining("--wrokers");
        assertThatThrownBy(() -> Cli.parse(new Options(), new String[] {"--workers"}))
                .hasMessageContaining("--workers");
    }

    @Command(name = "./cowfork checked")
    static final class CheckedOptions implements Cli.Checked {
        @Option(names = "--forks")
        int forks = 10;

        @Override
        public void check() {
            Cli.within("--forks", forks, 3, 100);
        }
    }

    @Test
    void wholeNumbersTakeUnderscoresAndChecksNameTheFlag() {
        assertThat(Cli.parse(new CheckedOptions(), new String[] {"--forks=1_0"}).forks).isEqualTo(10);
        assertThatThrownBy(() -> Cli.parse(new CheckedOptions(), new String[] {"--forks", "1.5"}))
                .hasMessageStartingWith("Invalid value for option '--forks': '1.5' is not a whole number");
        assertThatThrownBy(() -> Cli.parse(new CheckedOptions(), new String[] {"--forks", "2"}))
                .hasMessage("--forks must be between 3 and 100, got 2 (./cowfork checked --help shows every option)");
        assertThatThrownBy(() -> Cli.within("--n", 0, 1, Long.MAX_VALUE)).hasMessage("--n must be at least 1, got 0");
    }

    static final class Answer extends Cli.OneOf {
        Answer() {
            super(java.util.List.of("no", "yes"));
        }
    }

    @Test
    void oneOfAFewWordsListsThemWhenTheValueIsNone() {
        assertThat(new Answer().convert("yes")).isEqualTo("yes");
        assertThatThrownBy(() -> new Answer().convert("maybe")).hasMessage("'maybe' is not one of no, yes");
    }

    @Test
    void helpPrintsTheGeneratedUsageAndReturnsNull() {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertThat(Cli.parse(new Options(), new String[] {"--workers", "3", "--help"})).isNull();
            assertThat(Cli.parse(new Options(), new String[] {"--workers", "many", "--help"})).as("--help wins").isNull();
            printed.reset();
            assertThat(Cli.parse(new Options(), new String[] {"--help"})).isNull();
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .startsWith("Usage: ./cowfork example")
                .contains("--workers=<workers>", "worker processes (default: 2)", "--data-size=BYTES", "-h, --help");
        assertThat(Cli.usage(new Options())).isEqualTo(printed.toString(StandardCharsets.UTF_8).stripTrailing() + System.lineSeparator());
    }

    @Test
    void aSizeOutOfRangeIsSaidInTheUnitsAReaderTypes() {
        assertThat(Cli.withinSize("--data-size", 32L << 20, 64 << 10, 64L << 30)).isEqualTo(32L << 20);
        assertThatThrownBy(() -> Cli.withinSize("--data-size", 1024, 64 << 10, 64L << 30))
                .hasMessage("--data-size must be between 64.0 KiB and 64.0 GiB, got 1.0 KiB");
    }

    @Test
    void aCommandThatPrintsItsOwnErrorsGetsItsExitCode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        Cli.Outcome<Options> bad = Cli.parse(new Options(), new String[] {"--workers", "many"}, "example", o, e);
        assertThat(bad.options()).isNull();
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("example: ").contains("--workers", "many");
        Cli.Outcome<Options> help = Cli.parse(new Options(), new String[] {"--help"}, "example", o, e);
        assertThat(help.options()).isNull();
        assertThat(help.exitCode()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ./cowfork example");
        assertThat(Cli.parse(new Options(), new String[] {"--workers=4"}, "example", o, e).options().workers).isEqualTo(4);
    }
}
