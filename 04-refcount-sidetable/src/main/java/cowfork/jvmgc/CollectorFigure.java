// Draws the jvm-gc: lines of one or more runs as an SVG bar chart: the heap pages each collector's event un-shared.
package cowfork.jvmgc;

import cowfork.support.Svg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns {@code jvm-gc:} lines into a figure: one bar per collector and event, its length
 * the share of the heap pages shared at fork that the event un-shared, a second thin bar
 * the share of the live set's pages (where the old generation is contiguous and it is known).
 *
 * <pre>
 *   java -cp CLASSPATH cowfork.jvmgc.CollectorFigure OUT.svg RESULTS.txt [RESULTS.txt ...]
 * </pre>
 * Each RESULTS file holds the output of one {@link JvmCollectors} run (other lines are ignored).
 */
public final class CollectorFigure {
    private static final int ROW = 22;
    private static final int LABEL_WIDTH = 210;
    private static final int BAR_WIDTH = 360;
    private static final String BOLD = "font-weight=\"bold\"";
    private static final String NORMAL = "font-weight=\"normal\"";

    private CollectorFigure() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CollectorFigure OUT.svg RESULTS.txt [RESULTS.txt ...]");
            System.exit(2);
        }
        List<GcLine> lines = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            for (String l : Files.readAllLines(Path.of(args[i]))) {
                if (l.startsWith(GcLine.PREFIX) && l.contains(" event=")) {
                    lines.add(GcLine.parse(l));
                }
            }
        }
        if (lines.isEmpty()) {
            System.err.println("no jvm-gc: lines with an event in " + String.join(", ", List.of(args).subList(1, args.length)));
            System.exit(1);
        }
        Files.writeString(Path.of(args[0]), svg(lines));
    }

    /** The figure for {@code lines}, in their order, a heading before each JDK's first line. */
    static String svg(List<GcLine> lines) {
        Svg svg = new Svg(Svg.Numbers.WHOLE).background("#ffffff");
        svg.text(16, 22, BOLD, "A forked JVM's Java heap: pages one collection in the parent un-shares");
        int y = 44;
        int jdk = -1;
        for (GcLine l : lines) {
            if (l.jdk() != jdk) {
                jdk = l.jdk();
                y += 10;
                svg.text(16, y, BOLD, "JDK " + jdk + ", live set " + l.liveMb() + " MiB");
                y += ROW - 4;
            }
            svg.text(16, y + 12, NORMAL, l.collector() + " " + l.event());
            if (l.event().equals("not-forked")) {
                svg.text(LABEL_WIDTH, y + 12, NORMAL, "heap is a MAP_SHARED memfd: fork would share it, not copy it");
                y += ROW;
                continue;
            }
            int heapWidth = (int) Math.round(BAR_WIDTH * l.unsharedFraction());
            svg.rect(LABEL_WIDTH, y + 2, BAR_WIDTH, 12, "#e8e8e8");
            svg.rect(LABEL_WIDTH, y + 2, Math.max(heapWidth, 1), 12, l.mapping().equals("shared") ? "#888888" : "#c0392b");
            if (l.livePages().isPresent() && l.livePages().getAsLong() > 0) {
                double live = (double) l.liveUnshared().getAsLong() / l.livePages().getAsLong();
                svg.rect(LABEL_WIDTH, y + 15, Math.max((int) Math.round(BAR_WIDTH * live), 1), 3, "#1f4e79");
            }
            String value = String.format(Locale.ROOT, "%,d of %,d (%.1f%%)%s", l.unsharedAfter(), l.sharedAtFork(),
                    100 * l.unsharedFraction(), l.mapping().equals("shared") ? " MAP_SHARED" : "");
            svg.text(LABEL_WIDTH + BAR_WIDTH + 8, y + 12, NORMAL, value);
            y += ROW;
        }
        y += 8;
        svg.text(16, y, NORMAL, "red: heap pages shared at fork that the event un-shared; blue: the live set's pages (Serial, Parallel);");
        svg.text(16, y + 14, NORMAL, "grey (with --fork-shared-heaps): ZGC's MAP_SHARED heap is never copied: nothing un-shares, nothing is protected");
        return svg.document(LABEL_WIDTH + BAR_WIDTH + 200, y + 30);
    }
}
