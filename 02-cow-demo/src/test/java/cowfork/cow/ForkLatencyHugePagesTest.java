// fork-latency's huge-page rows, checked for what they claim (thp_mib), never for how long a fork took.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A 4 KiB row must never be read as a huge-page one: every {@code fork:} line says how much
 * of the touched block the kernel really put on huge pages, for the JVM and for C. These
 * tests run 8 MiB and 3 forks (well under a second) and assert that figure against what
 * {@link KernelProbe} found on this kernel; the timings are printed, never asserted.
 */
class ForkLatencyHugePagesTest {
    private static final Pattern FORK_LINE = Pattern.compile(
            "^fork: runtime=(jvm|c) pages=(4k|2m) touched_mib=(\\d+) thp_mib=(\\d+) rss_mib=(\\d+) median_us=(\\d+)"
                    + " ms_per_gb=[0-9.]+$", Pattern.MULTILINE);

    private static String run(String thpMode, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ForkLatency.run(args, thpMode, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        return output;
    }

    /** {runtime, pages, touched_mib, thp_mib} of every fork: line. */
    private static List<List<String>> rows(String output) {
        return FORK_LINE.matcher(output).results()
                .map(m -> List.of(m.group(1), m.group(2), m.group(3), m.group(4))).toList();
    }

    @Test
    void bothRowsSayHowMuchOfTheBlockWasReallyOnHugePages() throws Exception {
        KernelProbe.Facts kernel = KernelProbe.probe();
        // Without THP there are no huge-page rows to check; the next test covers that case on any kernel.
        assumeThat(kernel.thp()).as("transparent huge pages on this kernel (%s)", kernel.line())
                .isNotIn("never", "unsupported");
        String output = run(ForkLatency.thpModeOfThisKernel(), "--sizes", "8m", "--forks", "3", "--huge-pages", "both");
        String granted = kernel.thpBacked() ? "8" : "0"; // the whole 2 MiB-aligned block, or none of it
        assertThat(rows(output)).as("%s%n%s", kernel.line(), output).containsExactly(
                List.of("jvm", "4k", "8", "0"), List.of("c", "4k", "8", "0"),
                List.of("jvm", "2m", "8", granted), List.of("c", "2m", "8", granted));
        assertThat(output).contains("fork-ratio: touched_mib=8 jvm_4k_over_2m=");
    }

    @Test
    void onAKernelWithoutHugePagesYesIsRefusedAndBothSaysWhy() throws Exception {
        String never = "never";
        assertThatThrownBy(() -> run(never, "--sizes", "8m", "--forks", "3", "--huge-pages", "yes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--huge-pages yes")
                .hasMessageContaining("'never'");
        String output = run(never, "--sizes", "8m", "--forks", "3");
        assertThat(rows(output)).extracting(r -> r.get(1)).containsOnly("4k").hasSize(2);
        assertThat(output).contains("fork-latency: no huge-page rows: transparent huge pages are 'never'");
    }

    @Test
    void aBadHugePagesValueIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> run(ForkLatency.thpModeOfThisKernel(), "--huge-pages", "maybe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Invalid value for option '--huge-pages': 'maybe' is not one of no, yes, both");
    }
}
