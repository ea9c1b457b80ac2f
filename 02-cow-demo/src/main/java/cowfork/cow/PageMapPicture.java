// A picture of page maps: a strip of characters for the terminal, and the same strip as an SVG figure for the docs.
package cowfork.cow;

import cowfork.support.Svg;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@link PageMap} snapshots of one region, one cell per page, or per group of
 * pages when the region is too big to fit {@code columns x maxRows} cells.
 *
 * <pre>
 *   # private   - shared   . not present   S swapped
 *   1..9  a group with some pages private: 1 = under 20 %, 5 = 50-59 %, 9 = 90 % or more
 *
 *   #-------#-------#-------#-------     one byte written in every 8th page
 * </pre>
 *
 * {@link #strip} is the terminal form; {@link #svg} draws the same cells as coloured
 * squares (blue shared, red private, shades between for groups) for {@code docs/figures},
 * written with {@link Svg}.
 */
public final class PageMapPicture {
    /** Cells per row unless asked otherwise. */
    public static final int DEFAULT_COLUMNS = 64;
    /** Rows per picture unless asked otherwise: 64 x 8 = 512 cells. */
    public static final int DEFAULT_MAX_ROWS = 8;

    private static final int CELL = 8;      // SVG cell size in px
    private static final int PITCH = CELL + 1;
    private static final int MARGIN = 16;

    private final int pages;
    private final int columns;
    private final int pagesPerCell;

    private PageMapPicture(int pages, int columns, int maxRows) {
        if (pages < 1 || columns < 1 || maxRows < 1) {
            throw new IllegalArgumentException("a picture needs at least one page, column and row; got pages=" + pages
                    + " columns=" + columns + " rows=" + maxRows);
        }
        this.pages = pages;
        this.columns = columns;
        long cells = (long) columns * maxRows;
        this.pagesPerCell = (int) ((pages + cells - 1) / cells);
    }

    /** A picture for snapshots of {@code pages} pages, 64 cells wide and at most 8 rows high. */
    public static PageMapPicture forPages(int pages) {
        return new PageMapPicture(pages, DEFAULT_COLUMNS, DEFAULT_MAX_ROWS);
    }

    /**
     * A picture for snapshots of {@code pages} pages, {@code columns} cells wide and at
     * most {@code maxRows} rows high; each cell stands for {@link #pagesPerCell()} pages.
     *
     * @throws IllegalArgumentException if any argument is below 1
     */
    public static PageMapPicture forPages(int pages, int columns, int maxRows) {
        return new PageMapPicture(pages, columns, maxRows);
    }

    /** How many consecutive pages one cell stands for (1 for small regions). */
    public int pagesPerCell() {
        return pagesPerCell;
    }

    /** How many cells the picture has. */
    public int cells() {
        return (pages + pagesPerCell - 1) / pagesPerCell;
    }

    /**
     * The character for cell {@code c} of {@code map}: its page's state symbol, or for a
     * group, '#' / '-' / '.' when the whole group agrees and a digit (tenths private) when not.
     */
    public char symbol(PageMap map, int c) {
        int[] n = tally(map, c);
        int notPresent = n[0], shared = n[1], priv = n[2], swapped = n[3];
        if (swapped > 0) {
            return PageState.SWAPPED.symbol();
        }
        if (priv == 0) {
            return shared == 0 ? PageState.NOT_PRESENT.symbol() : PageState.SHARED.symbol();
        }
        if (shared == 0 && notPresent == 0) {
            return PageState.PRIVATE.symbol();
        }
        int tenths = priv * 10 / (priv + shared + notPresent);
        return (char) ('0' + Math.max(1, Math.min(9, tenths)));
    }

    /**
     * The terminal strip: rows of {@code columns} characters, joined by newlines, each row
     * indented by {@code indent}.
     *
     * @throws IllegalArgumentException if the snapshot's page count differs from this picture's
     */
    public String strip(PageMap map, String indent) {
        check(map);
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells(); c++) {
            if (c % columns == 0) {
                sb.append(c == 0 ? "" : "\n").append(indent);
            }
            sb.append(symbol(map, c));
        }
        return sb.toString();
    }

    /** One line that says what the characters mean, and how many pages a cell is. */
    public String legend() {
        String unit = pagesPerCell == 1 ? "one character per 4 KiB page"
                : "one character per " + pagesPerCell + " pages (" + (pagesPerCell * 4) + " KiB)";
        return unit + ": '#' private, '-' shared, '.' not present, 'S' swapped"
                + (pagesPerCell == 1 ? "" : ", 1-9 some pages private (tenths)");
    }

    /** One process's strip in a figure: a label (e.g. "reader (pid 42)"), a line of numbers, the snapshot. */
    public record Panel(String label, String caption, PageMap map) {}

    /**
     * An SVG figure: a title, one strip of cells per panel, a legend, and {@code footer}
     * (put the command that regenerates the figure there).
     *
     * @throws IllegalArgumentException if a snapshot's page count differs from this picture's
     */
    public String svg(String title, List<Panel> panels, String footer) {
        int rows = (cells() + columns - 1) / columns;
        int width = 2 * MARGIN + columns * PITCH;
        int panelHeight = 34 + rows * PITCH;
        int height = 40 + panels.size() * panelHeight + 56;
        Svg svg = new Svg(Svg.Numbers.WHOLE).background("#ffffff");
        svg.text(MARGIN, 22, "font-size=\"13\" font-weight=\"bold\"", title);
        int y = 40;
        for (Panel p : panels) {
            check(p.map());
            svg.text(MARGIN, y + 12, "font-weight=\"bold\"", p.label());
            svg.text(MARGIN, y + 26, "", p.caption());
            int top = y + 32;
            for (int r = 0; r < rows; r++) {
                // One rectangle per run of equal colours keeps the file small.
                int c = r * columns;
                int rowEnd = Math.min(cells(), (r + 1) * columns);
                while (c < rowEnd) {
                    String colour = colour(p.map(), c);
                    int run = c + 1;
                    while (run < rowEnd && colour(p.map(), run).equals(colour)) {
                        run++;
                    }
                    svg.rect(MARGIN + (c - r * columns) * PITCH, top + r * PITCH, (run - c) * PITCH - 1, CELL, colour);
                    c = run;
                }
            }
            y += panelHeight;
        }
        int x = MARGIN;
        List<String[]> legend = new java.util.ArrayList<>(List.of(new String[] {SHARED, "shared"},
                new String[] {PRIVATE, "private (copied)"}, new String[] {NOT_PRESENT, "not present"}));
        if (pagesPerCell > 1) {
            legend.add(2, new String[] {mix(0.5), "some pages private (redder: more)"});
        }
        for (String[] entry : legend) {
            svg.rect(x, y + 4, CELL, CELL, entry[0]);
            svg.text(x + CELL + 4, y + 12, "", entry[1]);
            x += CELL + 16 + entry[1].length() * 7;
        }
        svg.text(MARGIN, y + 30, "", pagesPerCell == 1 ? "one cell per 4 KiB page"
                : "one cell per " + pagesPerCell + " pages (" + pagesPerCell * 4 + " KiB)");
        svg.text(MARGIN, y + 46, "fill=\"#555555\"", footer);
        return svg.document(width, height);
    }

    private static final String SHARED = "#4c84d9";
    private static final String PRIVATE = "#e03c31";
    private static final String NOT_PRESENT = "#e4e4e4";
    private static final String SWAPPED = "#8e44ad";

    private String colour(PageMap map, int c) {
        int[] n = tally(map, c);
        if (n[3] > 0) {
            return SWAPPED;
        }
        int present = n[1] + n[2];
        if (present == 0) {
            return NOT_PRESENT;
        }
        return n[2] == 0 ? SHARED : n[1] == 0 && n[0] == 0 ? PRIVATE : mix((double) n[2] / (n[0] + present));
    }

    /** Blue (shared) to red (private) by the fraction of private pages, in tenths so runs stay long. */
    private static String mix(double privateFraction) {
        double f = Math.ceil(privateFraction * 10) / 10;
        int r = (int) Math.round(0x4c + f * (0xe0 - 0x4c));
        int g = (int) Math.round(0x84 + f * (0x3c - 0x84));
        int b = (int) Math.round(0xd9 + f * (0x31 - 0xd9));
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    /** Counts of [not present, shared, private, swapped] pages in cell {@code c}. */
    private int[] tally(PageMap map, int c) {
        int[] n = new int[4];
        int end = Math.min(pages, (c + 1) * pagesPerCell);
        for (int i = c * pagesPerCell; i < end; i++) {
            n[map.state(i).ordinal()]++;
        }
        return n;
    }

    private void check(PageMap map) {
        if (map.pages() != pages) {
            throw new IllegalArgumentException("this picture is for " + pages + " pages, the snapshot of pid " + map.pid()
                    + " has " + map.pages());
        }
    }

}
