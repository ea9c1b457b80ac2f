package cowfork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./cowfork tour --quick} end to end, as a user runs it (minus the build, which
 * Maven has just done): a new JVM with the fork flags runs every chapter's demo, and the
 * summary at the end carries each chapter's grep-able line.
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
    void theQuickTourRunsEveryChapterAndEndsWithTheSummary() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("cowfork.cli.Main");
        cmd.add("tour");
        cmd.add("--quick");
        Process tour = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        tour.getOutputStream().close();
        String out = new String(tour.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tour.waitFor(5, TimeUnit.MINUTES)).as("the tour finished").isTrue();
        assertThat(tour.exitValue()).as("exit code; output:\n%s", out).isZero();

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
    void anUnknownSubcommandIsRefusedWithTheUsage() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "cowfork.cli.Main", "tuor"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(2);
        assertThat(out).contains("cowfork: unknown subcommand 'tuor'").contains("usage: ./cowfork");
    }
}
