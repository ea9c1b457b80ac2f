// Every subcommand's --help is picocli's, printed through ./cowfork's own path; each accepts --flag=value where it takes --flag value.
package cowfork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import cowfork.support.WatchedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each subcommand below reads its command line with picocli ({@code cowfork.support.Cli}): its
 * {@code --help} is generated ("Usage: ./cowfork NAME ..."), exits 0, and starts nothing. A typo
 * in a flag is refused with exit code 2 and a message that names the flag, in either spelling.
 * Each case runs {@code cowfork.cli.Main} in a JVM of its own, as {@code ./cowfork} does.
 */
class HelpTest {
    /** What a run printed (standard output and error together) and its exit code. */
    private record Run(int exitCode, String output) {
    }

    private static Run cowfork(List<String> args) {
        WatchedProcess p = WatchedProcess.start(SubCommand.command(args), line -> { });
        int code = p.awaitExit(Duration.ofMinutes(2));
        return new Run(code, p.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tour", "results", "lab", "demo 01", "demo 02", "demo 03", "demo 04", "demo 05", "fork-stress",
        "fork-latency", "jvm-gc", "crosscheck", "inspect"})
    void helpIsGeneratedAndAMistypedFlagIsNamed(String subcommand) {
        List<String> args = new ArrayList<>(subcommand.isEmpty() ? List.of() : List.of(subcommand.split(" ")));
        List<String> help = new ArrayList<>(args);
        help.add("--help");
        Run p = cowfork(help);
        assertThat(p.exitCode()).as(p.output()).isZero();
        assertThat(p.output()).as(subcommand).startsWith("Usage: ./cowfork" + (subcommand.isEmpty() ? " " : " " + subcommand + " "))
                .contains("-h, --help");

        List<String> typo = new ArrayList<>(args);
        typo.add("--frobnicate=3");
        Run bad = cowfork(typo);
        assertThat(bad.exitCode()).as(bad.output()).isEqualTo(2);
        assertThat(bad.output()).as(subcommand).contains("Unknown option: '--frobnicate=3'")
                .contains("(./cowfork" + (subcommand.isEmpty() ? "" : " " + subcommand) + " --help shows every option)");
    }

    @Test
    void resultsAndTourTakeBothSpellings() {
        Results.Options joined = Cli.parse(new Results.Options(), new String[] {"--forks=300", "--out=build/results.md"});
        Results.Options apart = Cli.parse(new Results.Options(), new String[] {"--forks", "300", "--out", "build/results.md"});
        assertThat(joined.forks).isEqualTo(apart.forks).isEqualTo(300);
        assertThat(joined.out).isEqualTo(apart.out).isEqualTo(Path.of("build", "results.md"));
        assertThatThrownBy(() -> Cli.parse(new Results.Options(), new String[] {"--forks=0"}))
                .hasMessage("--forks must be at least 1, got 0 (./cowfork results --help shows every option)");
        assertThat(Cli.parse(new Tour.Options(), new String[] {"--quick"}).quick).isTrue();
    }

    @Test
    void topLevelPassesEverythingAfterTheSubcommandOn() {
        Main.Options o = Cli.parse(new Main.Options(), new String[] {"demo", "03", "--predict", "--help"},
                command -> command.setStopAtPositional(true));
        assertThat(o.subcommand).isEqualTo("demo");
        assertThat(o.args).containsExactly("03", "--predict", "--help");
    }
}
