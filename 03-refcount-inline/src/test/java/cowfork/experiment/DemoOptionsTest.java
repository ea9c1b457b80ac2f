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
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    @Test
    void commonFlagsParseAndTheLastOneWins() {
        assertThat(DemoOptions.parse(new String[] {"--size", "1m", "--quick", "--touch", ".25", "--seed", "-3"}))
                .isEqualTo(new DemoOptions(4L << 20, 0.25, -3, null, null, true));
        assertThat(DemoOptions.parse(new String[] {"--quick", "--size", "512k"}))
                .isEqualTo(new DemoOptions(512L << 10, 0.1, DatasetBuilder.DEFAULT_SEED, null, null, true));
        assertThat(DemoOptions.parse(new String[0]))
                .isEqualTo(new DemoOptions(DatasetBuilder.DEFAULT_TARGET, 0.1, DatasetBuilder.DEFAULT_SEED, null, null, false));
        assertThat(DemoOptions.parse(new String[] {"--help", "--seed", "x"})).as("--help stops the parse").isNull();
    }

    @Test
    void optionalFlagsAreUnknownUnlessEnabled() {
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--svg", "out"}))
                .hasMessage("unknown argument '--svg'");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--strategy", "inline"}, DemoOptions.Flag.SVG))
                .hasMessage("unknown argument '--strategy'");
        DemoOptions both = DemoOptions.parse(new String[] {"--svg", "out", "--strategy", "inline"},
                DemoOptions.Flag.SVG, DemoOptions.Flag.STRATEGY);
        assertThat(both.svgDir()).isEqualTo(Path.of("out"));
        assertThat(both.strategy()).isEqualTo("inline");
        assertThat(both.strategyOr("other")).isEqualTo("inline");
        assertThat(DemoOptions.parse(new String[0]).strategyOr("other")).isEqualTo("other");
    }

    @Test
    void badValuesSayWhatIsWrong() {
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--touch", "1.5"})).hasMessageContaining("not a fraction");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--touch", "NaN"})).hasMessageContaining("not a fraction");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--seed", "1.5"})).hasMessage("--seed takes a whole number, got '1.5'");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--size", "1k"})).hasMessageContaining("too small");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--seed"})).hasMessage("--seed needs a value");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--strategy", "nonesuch"}, DemoOptions.Flag.STRATEGY))
                .hasMessageContaining("no refcount strategy named");
    }

    @Test
    void theSkeletonMapsHelpErrorsAndTheBodysCode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        DemoMain.Parser parser = args -> DemoOptions.parse(args);
        List<DemoOptions> ran = new ArrayList<>();
        DemoMain.Body body = ran::add;
        assertThat(DemoMain.run(new String[] {"--help"}, parser, "USAGE", body, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("USAGE" + System.lineSeparator());
        assertThat(DemoMain.run(new String[] {"--bogus"}, parser, "USAGE", body, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("demo: unknown argument '--bogus'" + System.lineSeparator() + "USAGE" + System.lineSeparator());
        assertThat(ran).as("the body runs only on good arguments").isEmpty();
        assertThat(DemoMain.run(new String[] {"--quick"}, parser, "USAGE", body, o, e)).isZero();
        assertThat(ran).extracting(DemoOptions::quick).containsExactly(true);

        err.reset();
        DemoMain.Parser withSvg = args -> DemoOptions.parse(args, DemoOptions.Flag.SVG);
        assertThat(DemoMain.run(new String[] {"--svg", "figs"}, withSvg, "USAGE", opts -> {
            throw new IOException("figs/a.svg");
        }, o, e)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("demo: could not write the figures to figs: figs/a.svg.");
        assertThatThrownBy(() -> DemoMain.run(new String[0], parser, "USAGE", opts -> {
            throw new IllegalStateException("a bug");
        }, o, e)).as("other failures propagate").hasMessage("a bug");
    }
}
