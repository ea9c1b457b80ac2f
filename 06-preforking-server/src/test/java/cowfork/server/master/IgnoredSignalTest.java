// A master started with SIGINT ignored cannot see INT: it says so at start, instead of ignoring INT without a word.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ForkRecipe;
import cowfork.server.tools.ServerLauncher;
import cowfork.support.WatchedProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A background job of a non-interactive shell starts with SIGINT ignored, and a process
 * keeps an ignored signal ignored across exec; HotSpot then installs no handler for it, and
 * {@code sun.misc.Signal.handle} says so only by returning SIG_IGN as the old handler. The
 * master used to print "INT quick stop" and then never stop on INT. Here the server is
 * started through {@code bash -c "trap '' INT; exec java ..."}.
 */
class IgnoredSignalTest {

    @Test
    void aMasterStartedWithSigintIgnoredSaysSoAndStillStopsOnTerm() {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "trap '' INT; exec \"$@\"", "bash"));
        command.addAll(ForkRecipe.javaCommand(ServerLauncher.SERVE));
        command.addAll(List.of("--bind", "127.0.0.1:0", "--workers", "1", "--data-size", "4m", "--warmup", "0"));
        try (WatchedProcess server = WatchedProcess.start(command, line -> { })) {
            server.awaitLine(0, l -> l.contains("ready:"), Duration.ofSeconds(60));
            assertThat(server.output()).contains("SIGINT is ignored by this process").doesNotContain("SIGTERM is ignored");
            ServerLauncher.signal(server.pid(), "TERM");
            assertThat(server.awaitExit(Duration.ofSeconds(60))).isZero();
        }
    }
}
