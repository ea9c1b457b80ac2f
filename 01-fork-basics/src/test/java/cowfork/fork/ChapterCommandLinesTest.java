// ./cowfork demo 01 and fork-stress read their flags with picocli: both spellings, the checks they made by hand, a generated --help.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChapterCommandLinesTest {
    private static ForkStress.Options stress(String... args) {
        return Cli.parse(new ForkStress.Options(), args);
    }

    @Test
    void forkStressTakesBothSpellingsAndRepeatsWithout() {
        ForkStress.Options joined = stress("--forks=1000", "--without=quiet_jit", "--deadline-ms=5000", "--gdb");
        ForkStress.Options apart = stress("--forks", "1000", "--without", "QUIET_JIT", "--deadline-ms", "5000", "--gdb");
        assertThat(joined).usingRecursiveComparison().isEqualTo(apart);
        assertThat(joined.forks).isEqualTo(1000);
        assertThat(joined.without).containsExactly(ForkRecipe.Precaution.QUIET_JIT);
        assertThat(stress("--without", "FLUSH_STDIO", "--without", "COLLECT_GARBAGE").without)
                .containsExactly(ForkRecipe.Precaution.FLUSH_STDIO, ForkRecipe.Precaution.COLLECT_GARBAGE);
        assertThat(stress("--forks", "10_000").forks).isEqualTo(10_000);
    }

    @Test
    void forkStressRefusesWhatItCannotRunAndNamesTheFlag() {
        assertThatThrownBy(() -> stress("--forks", "0")).hasMessageStartingWith("--forks must be at least 1, got 0");
        assertThatThrownBy(() -> stress("--deadline-ms", "-5")).hasMessageStartingWith("--deadline-ms must be at least 1, got -5");
        assertThatThrownBy(() -> stress("--forks", "many")).hasMessageStartingWith("Invalid value for option '--forks': 'many'");
        assertThatThrownBy(() -> stress("--without", "SLEEP"))
                .hasMessageStartingWith("Invalid value for option '--without' (STEP): 'SLEEP' is not a step: FLUSH_STDIO, COLLECT_GARBAGE or QUIET_JIT");
        assertThatThrownBy(() -> stress("--without")).hasMessageStartingWith("Missing required parameter for option '--without'");
        assertThatThrownBy(() -> stress("--fork", "3")).hasMessageEndingWith("(./cowfork fork-stress --help shows every option)");
    }

    @Test
    void demoOneTakesBothSpellings() {
        Demo.Options o = Cli.parse(new Demo.Options(), new String[] {"--quick", "--svg=figs"});
        assertThat(o.quick).isTrue();
        assertThat(o.svgDir).isEqualTo(Path.of("figs"));
        assertThat(Cli.parse(new Demo.Options(), new String[] {"--svg", "figs"}).svgDir).isEqualTo(Path.of("figs"));
        assertThatThrownBy(() -> Cli.parse(new Demo.Options(), new String[] {"--svg"}))
                .hasMessageStartingWith("Missing required parameter for option '--svg'");
    }

    @Test
    void helpIsGenerated() {
        assertThat(Cli.usage(new ForkStress.Options())).startsWith("Usage: ./cowfork fork-stress")
                .contains("--forks=N", "(default: 10000)", "--deadline-ms=MS", "--gdb", "--without=STEP", "-h, --help");
        assertThat(Cli.usage(new Demo.Options())).startsWith("Usage: ./cowfork demo 01").contains("--quick", "--svg=DIR");
    }
}
