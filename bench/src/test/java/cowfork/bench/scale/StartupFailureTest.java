// A server that dies or never becomes ready is a failed row with its last lines, and leaves no process behind.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupFailureTest {
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(progress, true, StandardCharsets.UTF_8);
    private final ScaleOptions options = ScaleOptions.parse(new String[] {"--data-size", "16m", "--workers", "1"},
            List.of("immortal"));

    @Test
    void aCowforkServerThatRefusesAFlagIsReportedWithWhatItPrinted() {
        int before = (int) ProcessHandle.current().descendants().count();
        RunResult r = Scale.once("cowfork-immortal-bogus", 1, options, err, () -> ScaleServer.cowfork("immortal", 1,
                16L << 20, List.of("--no-such-flag"), line -> { }), Path.of("bench"));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("ended its output").contains("--no-such-flag");
        assertThat(r.grepLine()).startsWith("scale: server=cowfork-immortal-bogus workers=1 data=16m plateau_pss_kb=-")
                .contains("error=\"");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("cowfork-immortal-bogus with 1 workers failed");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("nothing left running").isLessThanOrEqualTo(before);
    }

    @Test
    void aGunicornThatExitsDuringStartupIsReportedWithItsLastLines() {
        // a "python" that prints a line and exits 3, as a Python without gunicorn would
        Path fake = Path.of("/bin/sh");
        RunResult r = Scale.once("gunicorn-fake", 2, options, err, () -> ScaleServer.gunicorn(fake, 2, 1000, Path.of("."),
                line -> { }), Path.of("bench"));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("gunicorn exited during startup (code").contains("its last lines:");
        assertThat(r.errorSummary()).startsWith("gunicorn exited during startup");
    }
}
