// The comparison demo runs end to end on a small dataset: one grep-able line per strategy, neither table copies a heap page, the dense one copies fewer table pages, and the kernel matches every prediction.
package cowfork.sidetable;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.DemoOptions;
import cowfork.experiment.PredictLines;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingReport;
import cowfork.heap.Heap;
import cowfork.heap.InlineRefCounts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Demo.main(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static final Pattern LINE = Pattern.compile("(?m)^refcounts: strategy=(\\w+) objects_touched=(\\d+) heap_pages=(\\d+)"
            + " heap_pages_private=(\\d+) table_pages_private=(\\d+)$");

    @Test
    void aSmallRunComparesTheThreeStrategiesOnTheSameObjects(@TempDir Path dir) throws Exception {
        assertThat(run("--size", "512k", "--touch", "0.2", "--svg", dir.toString(), "--jvm-gc", "none")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher m = LINE.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        assertThat(m.group(1)).isEqualTo("inline");
        long inlineTouched = Long.parseLong(m.group(2));
        long inlineHeapPrivate = Long.parseLong(m.group(4));
        assertThat(Long.parseLong(m.group(5))).as("inline has no table").isLessThanOrEqualTo(SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES);
        assertThat(m.find()).as(text).isTrue();
        assertThat(m.group(1)).isEqualTo("sidetable");
        assertThat(Long.parseLong(m.group(2))).as("the same objects touched").isEqualTo(inlineTouched);
        assertThat(Long.parseLong(m.group(4))).as("no heap page copied").isLessThanOrEqualTo(SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES);
        long tablePrivate = Long.parseLong(m.group(5));
        assertThat(tablePrivate).isPositive().isLessThanOrEqualTo(inlineHeapPrivate);
        assertThat(m.find()).as(text).isTrue();
        assertThat(m.group(1)).isEqualTo("dense");
        assertThat(Long.parseLong(m.group(2))).as("the same objects touched").isEqualTo(inlineTouched);
        assertThat(Long.parseLong(m.group(4))).as("no heap page copied").isLessThanOrEqualTo(SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES);
        assertThat(Long.parseLong(m.group(5))).as("4 bytes per object instead of 8 per granule: fewer table pages")
                .isPositive().isLessThan(tablePrivate);
        assertThat(m.find()).as("one line per strategy").isFalse();
        assertThat(inlineTouched).as("the objects chapter 03's and 05's demos touch: the same served items")
                .isEqualTo(servedByTheOtherChapters(512 << 10, 0.2, DatasetBuilder.DEFAULT_SEED));
        assertThat(text).doesNotContain("DIFFERS").doesNotContain("prediction=differs")
                .contains("inline: heap").contains("sidetable: table").contains("dense: table");
        assertThat(text.lines().filter(l -> l.startsWith("sparse: ")).count()).as("3 workloads x 3 strategies").isEqualTo(9);
        assertThat(Files.readString(dir.resolve("04-heap-inline-vs-sidetable.svg"))).startsWith("<svg").contains("sidetable")
                .contains("dense")
                .as("the figure's regenerate command, in a form --size parses").contains("./cowfork demo 04 --size 512k --touch 0.2 ");
        assertThat(dir.resolve("04-sidetable-table.svg")).exists();
        assertThat(Files.readString(dir.resolve("04-dense-table.svg"))).startsWith("<svg");
        assertGcLines(text);
        assertThat(text).as("without --predict, no question").doesNotContain("predict:");
    }

    @Test
    void withPredictTheSideTablesCountIsGuessedThenShownBesideTheModelAndTheKernel() {
        assertThat(run("--size", "512k", "--touch", "0.2", "--jvm-gc", "none", "--predict", "40")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher inline = LINE.matcher(text);
        assertThat(inline.find()).as(text).isTrue();
        assertThat(text).containsPattern("  inline +built .*\npredict: with inline counts, the child that serves 20% of the items as"
                + " JSON copied " + String.format("%,d", Long.parseLong(inline.group(4))) + " of the heap's [\\d,]+ pages\\.\n")
                .containsPattern("heap and table together\\? > 40\n  sidetable built ");
        Matcher table = LINE.matcher(text);
        while (table.find() && !table.group(1).equals("sidetable")) {
            // the inline line comes first
        }
        assertThat(table.group(1)).isEqualTo("sidetable");
        PredictLines p = PredictLines.in(text);
        assertThat(p.guess()).isEqualTo(40);
        assertThat(p.kernel()).as("the side table's heap and table pages").isEqualTo(Long.parseLong(table.group(4))
                + Long.parseLong(table.group(5))).isEqualTo(p.model()).isPositive();
        assertThat(p.pageByPage()).isTrue();
        assertThat(text.indexOf("predict: your guess")).as("at the end of section 1")
                .isLessThan(text.indexOf("2. Sparse but uniform")).isGreaterThan(text.indexOf("predicted for dense"));
    }

    /** One gc: line per placement, header first: header marks copy most heap pages, the bitmap only the sweep's and bitmap pages. */
    private static void assertGcLines(String text) {
        Matcher gc = Pattern.compile("gc: marks=(\\w+) objects_live=(\\d+) objects_freed=(\\d+) heap_pages=(\\d+)"
                + " heap_pages_private=(\\d+) side_pages_private=(\\d+)\n.*\\((\\d+) of them the sweep's frees\\).*: (matches|DIFFERS)")
                .matcher(text);
        assertThat(gc.find()).as(text).isTrue();
        assertThat(gc.group(1)).isEqualTo("header");
        long headerPrivate = Long.parseLong(gc.group(5));
        assertThat(headerPrivate).isGreaterThan(Long.parseLong(gc.group(4)) / 2);
        assertThat(gc.group(8)).isEqualTo("matches");
        assertThat(gc.find()).as(text).isTrue();
        assertThat(gc.group(1)).isEqualTo("bitmap");
        assertThat(Long.parseLong(gc.group(3))).as("the same cycles freed").isPositive();
        assertThat(Long.parseLong(gc.group(5))).as("bitmap: only the sweep's frees").isEqualTo(Long.parseLong(gc.group(7)))
                .isLessThan(headerPrivate / 10);
        assertThat(Long.parseLong(gc.group(6))).as("bitmap pages: 1/128 of the heap").isPositive()
                .isLessThanOrEqualTo(Long.parseLong(gc.group(4)) / 128 + 1);
        assertThat(gc.group(8)).isEqualTo("matches");
        assertThat(gc.find()).as("one gc: line per placement").isFalse();
    }

    /** How many objects serving {@code touch} of the items touches, as chapters 03 and 05 choose them. */
    private static long servedByTheOtherChapters(long size, double touch, long seed) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(size), InlineRefCounts.FACTORY)) {
            Dataset data = DatasetBuilder.build(heap, size, seed, DatasetBuilder.Progress.none());
            return new ServedItems(data, touch, seed).touchedObjects(heap).length;
        }
    }

    @Test
    void badArgumentsAreRefusedWithUsage() {
        assertThat(run("--size", "lots")).isEqualTo(2);
        assertThat(run("--touch", "2")).isEqualTo(2);
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(run("--jvm-gc")).isEqualTo(2);
        assertThat(run("--size", "1k")).isEqualTo(2);
        assertThat(run("--seed", "x1")).isEqualTo(2);
        assertThat(run("--touch")).isEqualTo(2);
        assertThat(run("--jvm-gc", "G1,CMS")).isEqualTo(2);
        assertThat(run("--strategy", "inline")).as("chapter 03's flag").isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'lots' is not a size").contains("not a fraction")
                .contains("Unknown option: '--bogus'").contains("too small").contains("'x1' is not a whole number")
                .contains("Missing required parameter for option '--touch'").contains("Missing required parameter for option '--jvm-gc'")
                .contains("Invalid value for option '--jvm-gc': 'CMS' is not one of Serial, Parallel, G1, ZGC, Shenandoah").contains("Unknown options: '--strategy'")
                .contains("(./cowfork demo 04 --help shows every option)");
    }

    @Test
    void goodArgumentsParse() {
        assertThat(Demo.parse(new String[] {"--quick", "--touch", ".25", "--seed", "-3"}))
                .isEqualTo(new DemoOptions(4L << 20, 0.25, -3, null, null, true));
        assertThat(Demo.parse(new String[] {"--touch", "1", "--size", "1m", "--svg", "out"}))
                .isEqualTo(Demo.parse(new String[] {"--touch=1", "--size=1m", "--svg=out", "--jvm-gc=none"}))
                .isEqualTo(new DemoOptions(1L << 20, 1.0, 2024, null, Path.of("out"), false));
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ./cowfork demo 04").contains("--quick")
                .contains("--svg=DIR").contains("sidetable").contains("--jvm-gc=LIST").contains("--predict[=N]");
    }
}
