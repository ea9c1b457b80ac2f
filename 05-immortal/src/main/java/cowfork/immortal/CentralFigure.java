// The project's central figure: the three strategies' child page maps side by side, and the bytes each child copied, as one SVG.
package cowfork.immortal;

import cowfork.cow.PageMapPicture;
import cowfork.experiment.SharingReport;
import cowfork.support.Sizes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws {@link Demo}'s result: chapter 02's {@link PageMapPicture} draws the heap strips
 * (one panel per strategy, same pages, same scale) and the count table's strip; this
 * class stacks those SVGs into one and adds a bar per strategy for the private bytes a
 * child copied (heap + table), then, per combination of counts and marks a runtime shipped,
 * a bar for the pages copied by reading and one for the pages copied by one collection
 * ({@link Demo.Combination}). Only the layout is here; every number comes from the
 * kernel's page maps in the {@link Demo.Run}s.
 */
final class CentralFigure {
    private static final int MARGIN = 16;
    private static final int BAR_HEIGHT = 18;
    private static final Pattern SIZE = Pattern.compile("^<svg [^>]*width=\"(\\d+)\" height=\"(\\d+)\"");

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
        return stack(parts);
    }

    /** A bar per strategy: private bytes per child, heap and table, to one scale. */
    private static String bars(List<Demo.Run> runs, String footer) {
        long max = Math.max(1, runs.stream().mapToLong(Demo.Run::privateBytes).max().orElse(1));
        int barMax = 380;
        int width = 2 * MARGIN + 110 + barMax + 150;
        int height = 40 + runs.size() * (BAR_HEIGHT + 8) + 30;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" font-family=\"monospace\" font-size=\"11\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(sb, MARGIN, 22, "font-size=\"13\" font-weight=\"bold\"", "Private bytes per child (object heap + count table)");
        int y = 36;
        for (Demo.Run r : runs) {
            SharingReport s = r.sharing();
            int heapW = (int) Math.round((double) s.heapPagesPrivate() * 4096 / max * barMax);
            int tableW = (int) Math.round((double) s.tablePagesPrivate() * 4096 / max * barMax);
            text(sb, MARGIN, y + 13, "", r.strategy());
            int x = MARGIN + 110;
            rect(sb, x, y, heapW, "#e03c31");
            rect(sb, x + heapW, y, tableW, "#f39c12");
            text(sb, x + heapW + tableW + 6, y + 13, "", Sizes.format(r.privateBytes())
                    + (s.tableMap() == null ? "" : String.format(Locale.ROOT, " (table %s)",
                    Sizes.format((long) s.tablePagesPrivate() * 4096))));
            y += BAR_HEIGHT + 8;
        }
        text(sb, MARGIN, y + 14, "fill=\"#555555\"", footer);
        return sb.append("</svg>\n").toString();
    }

    /** Per combination, two bars to one scale: pages copied by reading, pages copied by one collection. */
    private static String matrixBars(List<Demo.Combination> matrix, String footer) {
        long max = Math.max(1, matrix.stream().mapToLong(c -> Math.max(c.readingPages(), c.collectingPages())).max().orElse(1));
        int barMax = 380;
        int labelWidth = 150;
        int width = 2 * MARGIN + labelWidth + barMax + 150;
        int height = 56 + matrix.size() * (2 * BAR_HEIGHT + 14) + 30;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" font-family=\"monospace\" font-size=\"11\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(sb, MARGIN, 22, "font-size=\"13\" font-weight=\"bold\"", "Counts + marks: pages a child copied by reading, and by one collection");
        rect(sb, MARGIN, 32, 12, "#e03c31");
        text(sb, MARGIN + 16, 42, "", "reading (the served requests)");
        rect(sb, MARGIN + 250, 32, 12, "#6c3483");
        text(sb, MARGIN + 266, 42, "", "one full collection");
        int y = 56;
        for (Demo.Combination c : matrix) {
            text(sb, MARGIN, y + 2 * BAR_HEIGHT / 2 + 8, "", c.label());
            int x = MARGIN + labelWidth;
            int readW = (int) Math.round((double) c.readingPages() / max * barMax);
            int collectW = (int) Math.round((double) c.collectingPages() / max * barMax);
            rect(sb, x, y, readW, "#e03c31");
            text(sb, x + readW + 6, y + 13, "", String.format(Locale.ROOT, "%,d pages (%s)", c.readingPages(),
                    Sizes.format(c.readingPages() * 4096)));
            rect(sb, x, y + BAR_HEIGHT + 2, collectW, "#6c3483");
            text(sb, x + collectW + 6, y + BAR_HEIGHT + 15, "", String.format(Locale.ROOT, "%,d pages (%s)", c.collectingPages(),
                    Sizes.format(c.collectingPages() * 4096)));
            y += 2 * BAR_HEIGHT + 14;
        }
        text(sb, MARGIN, y + 14, "fill=\"#555555\"", footer);
        return sb.append("</svg>\n").toString();
    }

    private static void rect(StringBuilder sb, int x, int y, int w, String fill) {
        if (w > 0) {
            sb.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w)
                    .append("\" height=\"").append(BAR_HEIGHT).append("\" fill=\"").append(fill).append("\"/>\n");
        }
    }

    private static void text(StringBuilder sb, int x, int y, String attributes, String text) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append('"')
                .append(attributes.isEmpty() ? "" : " " + attributes).append('>')
                .append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")).append("</text>\n");
    }

    /** One SVG holding {@code parts} one below the other (nested svg elements, each placed with x and y). */
    private static String stack(List<String> parts) {
        int width = 0;
        int height = 0;
        StringBuilder body = new StringBuilder();
        for (String part : parts) {
            Matcher m = SIZE.matcher(part);
            if (!m.find()) {
                throw new IllegalStateException("not an svg with a width and height: " + part.substring(0, Math.min(80, part.length())));
            }
            body.append(part.replaceFirst("^<svg ", "<svg x=\"0\" y=\"" + height + "\" "));
            width = Math.max(width, Integer.parseInt(m.group(1)));
            height += Integer.parseInt(m.group(2));
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 "
                + width + " " + height + "\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + body + "</svg>\n";
    }
}
