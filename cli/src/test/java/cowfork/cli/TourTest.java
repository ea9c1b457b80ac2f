// The tour end to end, as ./cowfork tour --quick runs it, in a watched process with a deadline.
package cowfork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.WatchedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ./cowfork tour --quick} end to end, as a user runs it (minus the build, which
 * Maven has just done): a new JVM with the fork flags runs every chapter's demo, and the
 * summary at the end carries each chapter's grep-able line. The tour runs in a
 * {@link WatchedProcess}: a hung demo fails the test at the deadline, with the tour and
 * every process it started killed and its last lines in the message.
 */
class TourTest {

    /** What each chapter's demo must print for the tour's summary. */
    private static final Map<String, List<String>> SUMMARY_LINES = Map.of(
            "02", List.of("cow: child="),
            "03", List.of("refcounts: strategy=inline"),
            "04", List.of("refcounts: strategy=sidetable"),
            "05", List.of("refcounts: strategy=immortal"),
            "06", List.of("server: strategy=inline", "server: strategy=sidetable", "server: strategy=immortal"));

    @Test
    void theQuickTourRunsEveryChapterAndEndsWithTheSummary() {
        WatchedProcess tour = WatchedProcess.start(SubCommand.command(List.of("tour", "--quick")), line -> { });
        int code = tour.awaitExit(Duration.ofMinutes(5));
        String out = tour.output();
        assertThat(code).as("exit code; output:\n%s", out).isZero();

        String summary = out.substring(out.lastIndexOf("Summary ("));
        for (Main.Chapter chapter : Main.CHAPTERS.values()) {
            assertThat(out).contains("Chapter " + chapter.number() + ": " + chapter.title());
            for (String line : SUMMARY_LINES.getOrDefault(chapter.number(), List.of())) {
                assertThat(summary).as("summary of chapter %s", chapter.number()).contains(line);
            }
        }
        assertThat(out).contains("children left behind: 0");
        assertThat(summary).contains("a read-only child copied (ch. 05)");
        assertThat(summary).containsPattern("\\n  immortal +\\| +0 +0 +0 \\| +0 +0 ");
    }

    @Test
    void anUnknownSubcommandIsRefusedWithTheSubcommands() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "cowfork.cli.Main", "tuor"));
        WatchedProcess p = WatchedProcess.start(cmd, line -> { });
        assertThat(p.awaitExit(Duration.ofMinutes(1))).isEqualTo(2);
        assertThat(p.output()).contains("cowfork: unknown subcommand 'tuor': one of tour, demo, results, lab,")
                .contains("(./cowfork --help says what each does)");
    }
}
