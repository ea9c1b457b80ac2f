// Chapter 06's subcommands read their command lines with picocli: a generated --help, and --flag=value as --flag value.
package cowfork.server;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.ThreadedServer;
import cowfork.server.tools.Watch;
import cowfork.support.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLinesTest {
    /** A subcommand's run(args, out, err). */
    @FunctionalInterface
    interface Run {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    static Run subcommand(String name) {
        return switch (name) {
            case "serve" -> Serve::run;
            case "demo 06" -> Demo::run;
            case "watch" -> Watch::run;
            case "serve-threads" -> ThreadedServer::run;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** --help prints picocli's usage on the subcommand's standard output, exits 0 and starts nothing. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "serve|--data-size=BYTES",
        "demo 06|--quick",
        "watch|--rate=N",
        "serve-threads|--threads=N",
    })
    void helpIsTheGeneratedUsage(String name, String aFlag) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = subcommand(name).run(new String[] {"--workers=3", "--help"}, new PrintStream(out), new PrintStream(err));
        assertThat(code).isZero();
        assertThat(err.size()).as("nothing on stderr").isZero();
        assertThat(out.toString()).as("the usage, and nothing started").startsWith("Usage: ./cowfork " + name + " [")
                .contains(aFlag, "-h, --help", "show this help and exit").doesNotContain("listening");
    }

    @Test
    void theDemoReadsBothSpellingsOfAFlag() {
        Demo.Options spaced = Cli.parse(new Demo.Options(), new String[] {"--workers", "3", "--data-size", "8m"});
        Demo.Options joined = Cli.parse(new Demo.Options(), new String[] {"--workers=3", "--data-size=8m"});
        for (Demo.Options o : new Demo.Options[] {spaced, joined}) {
            assertThat(o.workers()).isEqualTo(3);
            assertThat(o.dataSize()).isEqualTo("8m");
            assertThat(o.items()).isEqualTo(5000);
        }
        Demo.Options quick = Cli.parse(new Demo.Options(), new String[] {"--quick"});
        assertThat(quick.dataSize()).isEqualTo("4m");
        assertThat(quick.items()).isEqualTo(500);
        assertThat(Cli.parse(new Demo.Options(), new String[0]).dataSize()).isEqualTo("16m");
    }
}
