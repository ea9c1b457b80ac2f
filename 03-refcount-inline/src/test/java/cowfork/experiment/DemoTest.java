// The demo runs end to end on a small dataset, prints its grep-able line, and the kernel agrees with the prediction.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.PredictLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Demo.main(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aSmallRunPrintsTheLineAndTheKernelMatchesThePrediction() {
        assertThat(run("--size", "512k", "--touch", "0.2")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("refcounts: strategy=inline objects_touched=(\\d+) heap_pages=(\\d+)"
                + " heap_pages_private=(\\d+) table_pages_private=0").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        long touched = Long.parseLong(m.group(1));
        long pages = Long.parseLong(m.group(2));
        long privatePages = Long.parseLong(m.group(3));
        assertThat(touched).isPositive();
        assertThat(privatePages).isPositive().isLessThan(pages);
        assertThat(text).contains("matches the kernel, page for page").contains("The heap in the child");
        Matcher gc = Pattern.compile("gc: marks=header objects_live=(\\d+) objects_freed=(\\d+) heap_pages=(\\d+)"
                + " heap_pages_private=(\\d+) side_pages_private=0\n.*(matches the kernel|DIFFERS)").matcher(text);
        assertThat(gc.find()).as(text).isTrue();
        assertThat(Long.parseLong(gc.group(2))).as("the dropped cycles' lists are freed").isGreaterThanOrEqualTo(8);
        assertThat(Long.parseLong(gc.group(4))).as("header marks copy most of the heap")
                .isGreaterThan(Long.parseLong(gc.group(3)) / 2);
        assertThat(gc.group(5)).isEqualTo("matches the kernel");
        assertThat(text.split("gc: marks=", -1)).as("one gc: line per placement on the class path").hasSize(2);
        assertThat(text).as("without --predict, no question").doesNotContain("predict:");
    }

    @Test
    void withPredictTheGuessTheModelAndTheKernelArePrintedSideBySide() {
        assertThat(run("--size", "512k", "--touch", "0.2", "--predict", "100")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("predict: the read-only child will serve 20% of the items as JSON (inline counts).\n")
                .containsPattern("\n {9}How many of the heap's [\\d,]+ pages will it copy\\? > 100\n");
        Matcher m = Pattern.compile("heap_pages_private=(\\d+) ").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        PredictLines p = PredictLines.in(text);
        assertThat(p.guess()).isEqualTo(100);
        assertThat(p.kernel()).as("the kernel's count is the refcounts: line's").isEqualTo(Long.parseLong(m.group(1)))
                .isEqualTo(p.model());
        assertThat(p.pageByPage()).isTrue();
    }

    @Test
    void predictWithoutAGuessAndWithoutATerminalIsAUsageError() {
        Assumptions.assumeTrue(System.console() == null, "this test JVM has a terminal, where --predict would ask");
        assertThat(run("--predict", "--size", "256k")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: --predict needs your guess when there is no terminal")
                .contains("(./cowfork demo 03 --help shows every option)");
        assertThat(out.toString(StandardCharsets.UTF_8)).as("nothing ran").isEmpty();
    }

    @Test
    void svgWritesThePageStripWithTheCommandThatRegeneratesIt(@TempDir Path dir) throws IOException {
        assertThat(run("--size", "256k", "--touch", "0.2", "--svg", dir.toString())).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("heap_pages=(\\d+) heap_pages_private=(\\d+) ").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        assertThat(text).contains("figure: " + dir.resolve(Demo.FIGURE));
        String svg = Files.readString(dir.resolve(Demo.FIGURE));
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("one cell per 4 KiB page")
                .contains(String.format("%,d of %,d pages copied by the child", Long.parseLong(m.group(2)), Long.parseLong(m.group(1))))
                .contains("./cowfork demo 03 --size 256k --touch 0.2 --seed " + DatasetBuilder.DEFAULT_SEED + " --svg DIR");
    }

    @Test
    void touchingNothingCopiesNothing() {
        assertThat(run("--size=256k", "--touch=0")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("heap_pages_private=0 ");
    }

    @Test
    void badArgumentsAreRefusedWithUsage() {
        assertThat(run("--size", "lots")).isEqualTo(2);
        assertThat(run("--touch", "1.5")).isEqualTo(2);
        assertThat(run("--strategy", "nonesuch")).isEqualTo(2);
        assertThat(run("--bogus")).isEqualTo(2);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(e).contains("'lots' is not a size").contains("not a fraction").contains("no refcount strategy named")
                .contains("Unknown option: '--bogus'").contains("(./cowfork demo 03 --help shows every option)");
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ./cowfork demo 03").contains("--quick")
                .contains("--size=BYTES").contains("inline").contains("--predict[=N]").contains("--svg=DIR");
    }
}
