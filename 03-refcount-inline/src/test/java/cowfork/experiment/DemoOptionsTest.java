// The demos' shared command line: the common flags, the opt-in ones refused unless enabled, last flag wins, and the exit codes of the skeleton.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import cowfork.heap.RefCountStrategies;
import cowfork.support.Cli;
import picocli.CommandLine.Command;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    /** A demo that adds no flag of its own. */
    @Command(name = "./cowfork demo 99")
    static final class Bare extends DemoOptions.Command {
        @Override
        protected String question() {
            return "how many?";
        }
    }

    private static DemoOptions parse(String... args) {
        return DemoOptions.parse(new Bare(), args);
    }

    private static DemoOptions parse03(String... args) {
        return DemoOptions.parse(new Demo.Options(), args);
    }

    @Test
    void commonFlagsParseAndTheLastOneWins() {
        assertThat(parse("--size", "1m", "--quick", "--touch", ".25", "--seed", "-3"))
                .isEqualTo(new DemoOptions(4L << 20, 0.25, -3, null, null, true));
        assertThat(parse("--quick", "--size", "512k"))
                .isEqualTo(new DemoOptions(512L << 10, 0.1, DatasetBuilder.DEFAULT_SEED, null, null, true));
        assertThat(parse())
                .isEqualTo(new DemoOptions(DatasetBuilder.DEFAULT_TARGET, 0.1, DatasetBuilder.DEFAULT_SEED, null, null, false));
        assertThat(parse("--help", "--seed", "x")).as("--help stops the parse").isNull();
    }

    @Test
    void bothSpellingsOfAFlagMeanTheSame() {
        assertThat(parse03("--size=1m", "--touch=.25", "--seed=-3", "--svg=out", "--strategy=inline"))
                .isEqualTo(parse03("--size", "1m", "--touch", ".25", "--seed", "-3", "--svg", "out", "--strategy", "inline"))
                .isEqualTo(new DemoOptions(1L << 20, 0.25, -3, "inline", Path.of("out"), false));
    }

    @Test
    void flagsADemoDoesNotDeclareAreUnknownToIt() {
        assertThatThrownBy(() -> parse("--strategy", "inline"))
                .hasMessage("Unknown options: '--strategy', 'inline' (./cowfork demo 99 --help shows every option)");
        DemoOptions both = parse03("--svg", "out", "--strategy", "inline");
        assertThat(both.svgDir()).isEqualTo(Path.of("out"));
        assertThat(both.strategy()).isEqualTo("inline");
        assertThat(both.strategyOr("other")).isEqualTo("inline");
        assertThat(parse().strategyOr("other")).isEqualTo("other");
    }

    @Test
    void badValuesSayWhatIsWrongAndNameTheFlag() {
        assertThatThrownBy(() -> parse("--touch", "1.5"))
                .hasMessageStartingWith("Invalid value for option '--touch': '1.5' is not a fraction between 0 and 1");
        assertThatThrownBy(() -> parse("--touch", "NaN")).hasMessageContaining("not a fraction");
        assertThatThrownBy(() -> parse("--seed", "1.5"))
                .hasMessageStartingWith("Invalid value for option '--seed': '1.5' is not a whole number");
        assertThatThrownBy(() -> parse("--size", "1k")).hasMessageStartingWith("--size 1024 is too small");
        assertThatThrownBy(() -> parse("--seed")).hasMessageStartingWith("Missing required parameter for option '--seed'");
        assertThatThrownBy(() -> parse03("--strategy", "nonesuch"))
                .hasMessageStartingWith("Invalid value for option '--strategy': ").hasMessageContaining("no refcount strategy named");
    }

    @Test
    void helpIsGeneratedAndListsTheStrategies() {
        assertThat(Cli.usage(new Demo.Options())).startsWith("Usage: ./cowfork demo 03 [-h] [--quick] [--size=BYTES]")
                .contains("--touch=FRACTION", "--seed=N", "(default: 2024)", "--predict[=N]")
                .contains("one of " + String.join(", ", RefCountStrategies.names()));
    }

    @Test
    void theSkeletonMapsHelpErrorsAndTheBodysCode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        List<DemoOptions> ran = new ArrayList<>();
        DemoMain.Body body = ran::add;
        assertThat(DemoMain.run(new String[] {"--help"}, new Bare(), body, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(Cli.usage(new Bare()));
        assertThat(DemoMain.run(new String[] {"--bogus"}, new Bare(), body, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("demo: Unknown option: '--bogus' (./cowfork demo 99 --help shows every option)" + System.lineSeparator());
        assertThat(ran).as("the body runs only on good arguments").isEmpty();
        assertThat(DemoMain.run(new String[] {"--quick"}, new Bare(), body, o, e)).isZero();
        assertThat(ran).extracting(DemoOptions::quick).containsExactly(true);

        err.reset();
        assertThat(DemoMain.run(new String[] {"--svg", "figs"}, new Demo.Options(), opts -> {
            throw new IOException("figs/a.svg");
        }, o, e)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("demo: could not write the figures to figs: figs/a.svg.");
        assertThatThrownBy(() -> DemoMain.run(new String[0], new Bare(), opts -> {
            throw new IllegalStateException("a bug");
        }, o, e)).as("other failures propagate").hasMessage("a bug");
    }
}
