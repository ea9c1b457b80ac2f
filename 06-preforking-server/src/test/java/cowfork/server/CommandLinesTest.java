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

    /**
     * --help prints picocli's usage on standard output (where Cli prints it), exits 0 and
     * starts nothing: a server would print "listening" and never return.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "serve|--data-size=BYTES",
        "demo 06|--quick",
        "watch|--rate=N",
        "serve-threads|--threads=N",
    })
    void helpIsTheGeneratedUsage(String name, String aFlag) throws Exception {
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        StandardOutput help = StandardOutput.of(() -> subcommand(name).run(new String[] {"--help"}, new PrintStream(other),
                new PrintStream(other)));
        assertThat(help.code()).isZero();
        assertThat(other.size()).as("nothing else printed, nothing started").isZero();
        assertThat(help.text()).startsWith("Usage: ./cowfork " + name + " [-h]").contains(aFlag, "-h, --help", "show this help and exit");
    }

    @Test
    void theDemoReadsBothSpellingsOfAFlag() {
        Demo.Options spaced = Cli.parse(new Demo.Options(), new String[] {"--workers", "3", "--data-size", "8m"}).check();
        Demo.Options joined = Cli.parse(new Demo.Options(), new String[] {"--workers=3", "--data-size=8m"}).check();
        for (Demo.Options o : new Demo.Options[] {spaced, joined}) {
            assertThat(o.workers()).isEqualTo(3);
            assertThat(o.dataSize()).isEqualTo("8m");
            assertThat(o.items()).isEqualTo(5000);
        }
        Demo.Options quick = Cli.parse(new Demo.Options(), new String[] {"--quick"}).check();
        assertThat(quick.dataSize()).isEqualTo("4m");
        assertThat(quick.items()).isEqualTo(500);
        assertThat(Cli.parse(new Demo.Options(), new String[0]).check().dataSize()).isEqualTo("16m");
    }
}
