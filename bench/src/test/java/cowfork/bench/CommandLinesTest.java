// The bench module's subcommands read their command lines with picocli: --help prints the generated usage and runs nothing.
package cowfork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.bench.respawn.RespawnBench;
import cowfork.bench.scale.Scale;
import cowfork.support.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLinesTest {
    /**
     * {@code name}'s --help on {@code out}: its exit code. bench and bench --compare print on
     * standard output from main; their options types are asked here as main asks them.
     */
    static int help(String name, String[] args, PrintStream out) {
        return switch (name) {
            case "bench" -> Cli.parse(new Bench.Options(), args, out) == null ? 0 : 1;
            case "bench --compare" -> Cli.parse(new Compare.Options(), args, out) == null ? 0 : 1;
            case "scale" -> Scale.run(args, out, out);
            case "respawn-bench" -> RespawnBench.run(args, out, out);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The usage on standard output, exit 0, and nothing run (JMH, wrk, a server): the usage is all that is printed. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bench|--help|--strategy=NAME",
        "bench --compare|--compare --help|--budget=DURATION",
        "bench --compare|--compare=inline,immortal -h|--precision=FRACTION",
        "scale|--help|--cap-largest=SECONDS",
        "respawn-bench|-h|--kills=N",
    })
    void helpIsTheGeneratedUsage(String name, String args, String aFlag) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(help(name, args.split(" "), new PrintStream(out))).isZero();
        assertThat(out.toString()).startsWith("Usage: ./cowfork " + name + " [").contains(aFlag, "-h, --help")
                .doesNotContain("Exception");
        assertThat(out.toString().lines().filter(l -> l.startsWith("Usage: ")).count()).as("the usage alone").isEqualTo(1);
    }
}
