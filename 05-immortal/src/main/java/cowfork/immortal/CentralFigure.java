// The project's central figure: the three strategies' child page maps side by side, and the bytes each child copied, as one SVG.
package cowfork.immortal;

import cowfork.cow.PageMapPicture;
import cowfork.experiment.SharingReport;
import cowfork.support.Sizes;
import cowfork.support.Svg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@link Demo}'s result: chapter 02's {@link PageMapPicture} draws the heap strips
 * (one panel per strategy, same pages, same scale) and the count table's strip; this
 * class stacks those SVGs into one ({@link Svg#stack}) and adds a bar per strategy for
 * the private bytes a child copied (heap + table), then, per combination of counts and
 * marks a runtime shipped, a bar for the pages copied by reading and one for the pages
 * copied by one collection ({@link Demo.Combination}). Only the layout is here; every
 * number comes from the kernel's page maps in the {@link Demo.Run}s.
 */
final class CentralFigure {
    private static final int MARGIN = 16;
    private static final int BAR_HEIGHT = 18;

    private CentralFigure() {
    }

    /**
     * Writes the figure to {@code file}, creating its directory.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    static Path write(Path file, List<Demo.Run> runs, List<Demo.Combination> matrix, String footer) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, svg(runs, matrix, footer));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String svg(List<Demo.Run> runs, List<Demo.Combination> matrix, String footer) {
        SharingReport first = runs.get(0).sharing();
        PageMapPicture heapPicture = PageMapPicture.forPages(first.heapPages(), PageMapPicture.DEFAULT_COLUMNS, 16);
        List<PageMapPicture.Panel> heapPanels = new ArrayList<>();
        for (Demo.Run r : runs) {
            SharingReport s = r.sharing();
            heapPanels.add(new PageMapPicture.Panel(r.strategy() + ": object heap", String.format(Locale.ROOT,
                    "%,d of %,d pages private (%s copied)", s.heapPagesPrivate(), s.heapPages(),
                    Sizes.format((long) s.heapPagesPrivate() * 4096)), s.heapMap()));
        }
        List<String> parts = new ArrayList<>();
        parts.add(heapPicture.svg("A child's object heap after the same read-only work", heapPanels, ""));
        for (Demo.Run r : runs) {
            SharingReport s = r.sharing();
            if (s.tableMap() != null) {
                PageMapPicture tablePicture = PageMapPicture.forPages(s.tablePages(), PageMapPicture.DEFAULT_COLUMNS, 8);
                parts.add(tablePicture.svg("The count table of " + r.strategy() + " in its child", List.of(
                        new PageMapPicture.Panel(r.strategy() + ": count table", String.format(Locale.ROOT,
                                "%,d of %,d pages in use private (%,d reserved)", s.tablePagesPrivate(),
                                s.tablePagesPresent(), s.tablePages()), s.tableMap())), ""));
            }
        }
        parts.add(bars(runs, matrix.isEmpty() ? footer : ""));
        if (!matrix.isEmpty()) {
            parts.add(matrixBars(matrix, footer));
        }
        return Svg.stack(parts);
    }

    /** A bar per strategy: private bytes per child, heap and table, to one scale. */
    private static String bars(List<Demo.Run> runs, String footer) {
        long max = Math.max(1, runs.stream().mapToLong(Demo.Run::privateBytes).max().orElse(1));
        int barMax = 380;
        int width = 2 * MARGIN + 110 + barMax + 150;
        int height = 40 + runs.size() * (BAR_HEIGHT + 8) + 30;
        Svg svg = new Svg(Svg.Numbers.WHOLE).withoutViewBox().background("#ffffff");
        svg.text(MARGIN, 22, "font-size=\"13\" font-weight=\"bold\"", "Private bytes per child (object heap + count table)");
        int y = 36;
        for (Demo.Run r : runs) {
            SharingReport s = r.sharing();
            int heapW = (int) Math.round((double) s.heapPagesPrivate() * 4096 / max * barMax);
            int tableW = (int) Math.round((double) s.tablePagesPrivate() * 4096 / max * barMax);
            svg.text(MARGIN, y + 13, "", r.strategy());
            int x = MARGIN + 110;
            bar(svg, x, y, heapW, "#e03c31");
            bar(svg, x + heapW, y, tableW, "#f39c12");
            svg.text(x + heapW + tableW + 6, y + 13, "", Sizes.format(r.privateBytes())
                    + (s.tableMap() == null ? "" : String.format(Locale.ROOT, " (table %s)",
                    Sizes.format((long) s.tablePagesPrivate() * 4096))));
            y += BAR_HEIGHT + 8;
        }
        svg.text(MARGIN, y + 14, "fill=\"#555555\"", footer);
        return svg.document(width, height);
    }

    /** Per combination, two bars to one scale: pages copied by reading, pages copied by one collection. */
    private static String matrixBars(List<Demo.Combination> matrix, String footer) {
        long max = Math.max(1, matrix.stream().mapToLong(c -> Math.max(c.readingPages(), c.collectingPages())).max().orElse(1));
        int barMax = 380;
        int labelWidth = 150;
        int width = 2 * MARGIN + labelWidth + barMax + 150;
        int height = 56 + matrix.size() * (2 * BAR_HEIGHT + 14) + 30;
        Svg svg = new Svg(Svg.Numbers.WHOLE).withoutViewBox().background("#ffffff");
        svg.text(MARGIN, 22, "font-size=\"13\" font-weight=\"bold\"", "Counts + marks: pages a child copied by reading, and by one collection");
        bar(svg, MARGIN, 32, 12, "#e03c31");
        svg.text(MARGIN + 16, 42, "", "reading (the served requests)");
        bar(svg, MARGIN + 250, 32, 12, "#6c3483");
        svg.text(MARGIN + 266, 42, "", "one full collection");
        int y = 56;
        for (Demo.Combination c : matrix) {
            svg.text(MARGIN, y + 2 * BAR_HEIGHT / 2 + 8, "", c.label());
            int x = MARGIN + labelWidth;
            int readW = (int) Math.round((double) c.readingPages() / max * barMax);
            int collectW = (int) Math.round((double) c.collectingPages() / max * barMax);
            bar(svg, x, y, readW, "#e03c31");
            svg.text(x + readW + 6, y + 13, "", String.format(Locale.ROOT, "%,d pages (%s)", c.readingPages(),
                    Sizes.format(c.readingPages() * 4096)));
            bar(svg, x, y + BAR_HEIGHT + 2, collectW, "#6c3483");
            svg.text(x + collectW + 6, y + BAR_HEIGHT + 15, "", String.format(Locale.ROOT, "%,d pages (%s)", c.collectingPages(),
                    Sizes.format(c.collectingPages() * 4096)));
            y += 2 * BAR_HEIGHT + 14;
        }
        svg.text(MARGIN, y + 14, "fill=\"#555555\"", footer);
        return svg.document(width, height);
    }

    /** A bar {@code w} pixels long and {@link #BAR_HEIGHT} high; none for a length of 0. */
    private static void bar(Svg svg, int x, int y, int w, String fill) {
        if (w > 0) {
            svg.rect(x, y, w, BAR_HEIGHT, fill);
        }
    }
}
