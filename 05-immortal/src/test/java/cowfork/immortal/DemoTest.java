// The three-way demo runs end to end on a small dataset: a line per strategy, the immortal one copies nothing, the leak and the allocator lines, the figure.
package cowfork.immortal;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.PredictLines;
import cowfork.experiment.SharingReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    private static final long UNWRITTEN = SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Demo.main(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static long[] line(String text, String strategy) {
        Matcher m = Pattern.compile("refcounts: strategy=" + strategy + " objects_touched=(\\d+) heap_pages=(\\d+)"
                + " heap_pages_private=(\\d+) table_pages_private=(\\d+)").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4))};
    }

    @Test
    void threeStrategiesOneWorkloadAndOnlyImmortalCopiesNothing(@TempDir Path dir) throws IOException {
        assertThat(run("--size", "512k", "--touch", "0.2", "--svg", dir.toString())).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        long[] inline = line(text, "inline");
        long[] sidetable = line(text, "sidetable");
        long[] immortal = line(text, "immortal");
        assertThat(inline[0]).isPositive().isEqualTo(sidetable[0]).isEqualTo(immortal[0]);
        assertThat(inline[1]).as("same layout under every strategy").isEqualTo(sidetable[1]).isEqualTo(immortal[1]);
        assertThat(inline[2]).isPositive();
        assertThat(sidetable[2]).as("sidetable heap pages private").isLessThanOrEqualTo(UNWRITTEN);
        assertThat(sidetable[3]).isPositive();
        assertThat(immortal[2]).as("immortal heap pages private").isLessThanOrEqualTo(UNWRITTEN);
        assertThat(immortal[3]).as("immortal has no table").isLessThanOrEqualTo(UNWRITTEN);
        assertThat(text).containsPattern("allocator: strategy=immortal new_objects=1 heap_pages_private=2 private_pages=0,\\d+")
                .containsPattern("leak: strategy=immortal objects_freed=0 bytes_freed=0 objects_leaked=[1-9]")
                .containsPattern("leak: strategy=inline objects_freed=[1-9]\\d* bytes_freed=[1-9]\\d* objects_leaked=0")
                .contains("Summary");
        String svg = Files.readString(dir.resolve(Demo.FIGURE));
        assertThat(svg).startsWith("<svg").contains("inline: object heap").contains("immortal: object heap")
                .contains("sidetable: count table").contains("Private bytes per child").endsWith("</svg>\n");
        assertMatrix(text, svg);
        assertThat(text).as("without --predict, no question and no witness").doesNotContain("predict:");
    }

    @Test
    void withPredictImmortalizeAllsWritesAreGuessedThenShownBesideTheModelAndTheKernel() {
        assertThat(run("--size", "512k", "--predict", "90")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher objects = Pattern.compile("== immortal ==\nparent: [\\d,]+ items, ([\\d,]+) objects").matcher(text);
        assertThat(objects.find()).as(text).isTrue();
        assertThat(text).contains("predict: before fork, immortalizeAll stores the immortal count in each of the "
                + objects.group(1) + " objects' headers,").containsPattern("will those stores write\\? > 90\nimmortalizeAll: ");
        long heapPages = line(text, "immortal")[1];
        PredictLines p = PredictLines.in(text);
        assertThat(p.guess()).isEqualTo(90);
        assertThat(p.kernel()).as("pages the parent wrote, seen by the witness").isEqualTo(p.model()).isPositive()
                .isLessThanOrEqualTo(heapPages);
        assertThat(p.pageByPage()).isTrue();
        assertThat(text.indexOf("predict: your guess")).as("at the end of the immortal section")
                .isGreaterThan(text.indexOf("allocator: strategy=immortal")).isLessThan(text.indexOf("The leak:"));
        assertThat(line(text, "immortal")[2]).as("the witness changes nothing the reading child copies").isLessThanOrEqualTo(UNWRITTEN);
    }

    /**
     * The collector's half: a gc: line per placement that matches its prediction, and the matrix:
     * header marks copy more by collecting than inline counts by reading; frozen + immortal copy nothing either way.
     */
    private static void assertMatrix(String text, String svg) {
        assertThat(text.lines().filter(l -> l.startsWith("gc: marks=")).toList()).hasSize(3);
        assertThat(text).containsPattern("gc: marks=frozen objects_live=[1-9]\\d* objects_freed=0 heap_pages=[1-9]\\d*"
                + " heap_pages_private=0 side_pages_private=0").doesNotContain("DIFFERS");
        Matcher m = Pattern.compile("matrix: counts=(\\w+) marks=(\\w+) read_pages_private=(\\d+) collect_pages_private=(\\d+)")
                .matcher(text);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1) + "+" + m.group(2)).isEqualTo("inline+header");
        long inlineRead = Long.parseLong(m.group(3));
        long headerCollect = Long.parseLong(m.group(4));
        assertThat(headerCollect).as("one collection with header marks copies more than the reads").isGreaterThan(inlineRead);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1) + "+" + m.group(2)).isEqualTo("sidetable+bitmap");
        assertThat(Long.parseLong(m.group(4))).isPositive().isLessThan(headerCollect);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1) + "+" + m.group(2)).isEqualTo("immortal+frozen");
        assertThat(m.group(3) + "," + m.group(4)).as("Cinder's recipe copies nothing").isEqualTo("0,0");
        assertThat(m.find()).isFalse();
        assertThat(svg).contains("one full collection").contains("immortal + frozen");
    }

    @Test
    void badArgumentsAreRefusedWithUsage() {
        assertThat(run("--size", "lots")).isEqualTo(2);
        assertThat(run("--touch", "2")).isEqualTo(2);
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(run("--svg")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'lots' is not a size").contains("not a fraction")
                .contains("Unknown option: '--bogus'").contains("Missing required parameter for option '--svg'")
                .contains("(./cowfork demo 05 --help shows every option)");
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ./cowfork demo 05").contains("--quick")
                .contains("--svg=DIR").contains("immortal").contains("--predict[=N]").contains("immortalizeAll");
    }

    @Test
    void bothSpellingsOfAFlagMeanTheSame() {
        assertThat(Demo.parse(new String[] {"--size=1m", "--touch=0.5", "--seed=7", "--svg=out", "--predict=12"}))
                .isEqualTo(Demo.parse(new String[] {"--size", "1m", "--touch", "0.5", "--seed", "7", "--svg", "out", "--predict", "12"}))
                .extracting(o -> o.predict().given().getAsLong()).isEqualTo(12L);
    }
}
