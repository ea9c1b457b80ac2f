// The bench module's subcommands read their command lines with picocli: --help prints the generated usage and runs nothing.
package cowfork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.bench.respawn.RespawnBench;
import cowfork.bench.scale.Scale;
import cowfork.server.StandardOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLinesTest {
    /** Runs {@code name}'s entry point with {@code args} as ./cowfork would; its exit code (0 for a main that returned). */
    static int run(String name, String[] args, PrintStream other) throws Exception {
        return switch (name) {
            case "bench" -> {
                Bench.main(args);
                yield 0;
            }
            case "scale" -> Scale.run(args, other, other);
            case "respawn-bench" -> RespawnBench.run(args, other, other);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Standard output is where Cli prints --help; nothing else is printed, and nothing runs (JMH, wrk, a server). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bench|--help|./cowfork bench [-h]|--strategy=NAME",
        "bench|--compare --help|./cowfork bench --compare [-h]|--budget=DURATION",
        "bench|--compare=inline,immortal -h|./cowfork bench --compare [-h]|--precision=FRACTION",
        "scale|--help|./cowfork scale [-h]|--cap-largest=SECONDS",
        "respawn-bench|-h|./cowfork respawn-bench [-h]|--kills=N",
    })
    void helpIsTheGeneratedUsage(String name, String args, String usage, String aFlag) throws Exception {
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        StandardOutput help = StandardOutput.of(() -> run(name, args.split(" "), new PrintStream(other)));
        assertThat(help.code()).isZero();
        assertThat(other.size()).as("nothing else printed").isZero();
        assertThat(help.text()).startsWith("Usage: " + usage).contains(aFlag, "-h, --help");
    }
}
