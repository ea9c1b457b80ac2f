// A line chart as hand-written SVG (axes with round ticks, a legend, a caption): the scale benchmark's two figures, no chart library.
package cowfork.bench.scale;

import cowfork.support.Svg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws series of (x, y) points against linear axes that start at 0 and end at a round
 * number above the largest value:
 * <pre>
 *   title
 *   y label |                        legend: -- name
 *     ticks |    /----------                 -- name
 *           |   /
 *           +----------------- x label
 *   caption (the command that regenerates the figure), wrapped
 * </pre>
 * Text is plain SVG {@code <text>} in a generic monospace family ({@link Svg}): the
 * browser or viewer chooses the font, nothing is rasterised here. {@link #x} and {@link #y} are the scale
 * (value to pixel) the points are drawn with.
 */
public final class LineChart {
    /**
     * One line: its name in the legend and its points, in x order. A dashed series is drawn
     * in the colour of the solid series before it (its companion: a server's master RSS
     * beside its total PSS); the legend names the first dashed series once, in grey.
     */
    public record Series(String name, List<double[]> points, boolean dashed) {
        public Series(String name, List<double[]> points) {
            this(name, points, false);
        }
    }

    /** Series with at most this many points get a dot at each (a single point is otherwise invisible). */
    static final int MARKERS_UP_TO = 12;
    /** Caption characters per line (monospace 11 px across the figure's width). */
    static final int CAPTION_CHARS = 100;

    static final int WIDTH = 760;
    static final int HEIGHT = 440;
    static final int LEFT = 80;
    static final int RIGHT = 220;
    static final int TOP = 50;
    static final int BOTTOM = 80;
    /** Colours a reader can tell apart (Okabe-Ito), in series order. */
    private static final String[] COLOURS = {"#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
            "#000000", "#f0e442"};

    /** Round axis ends (times a power of ten) and the number of tick intervals that divides each evenly. */
    private static final double[] STEPS = {1, 2, 2.5, 3, 4, 5, 6, 8, 10};
    private static final int[] TICKS = {5, 4, 5, 6, 4, 5, 6, 4, 5};

    private final double xMax;
    private final double yMax;

    private LineChart(double xMax, double yMax) {
        this.xMax = xMax;
        this.yMax = yMax;
    }

    /** How many tick intervals the axis ending at {@code max} (a {@link #niceCeiling}) gets: ticks on round values. */
    static int ticks(double max) {
        double m = max / Math.pow(10, Math.floor(Math.log10(max)));
        for (int i = 0; i < STEPS.length; i++) {
            if (Math.abs(m - STEPS[i]) < 1e-9) {
                return TICKS[i];
            }
        }
        return 5;
    }

    /** The chart's scale for these series: both axes from 0 to a round number at or above the largest value. */
    static LineChart scaledFor(List<Series> series) {
        double xm = 0;
        double ym = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xm = Math.max(xm, p[0]);
                ym = Math.max(ym, p[1]);
            }
        }
        return new LineChart(niceCeiling(xm), niceCeiling(ym));
    }

    /** The smallest of 1, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is at least {@code v} (1 for v <= 0). */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : STEPS) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** The pixel column of value {@code v} on the x axis. */
    double x(double v) {
        return LEFT + v / xMax * (WIDTH - LEFT - RIGHT);
    }

    /** The pixel row of value {@code v} on the y axis (SVG rows grow downwards). */
    double y(double v) {
        return HEIGHT - BOTTOM - v / yMax * (HEIGHT - TOP - BOTTOM);
    }

    /**
     * The figure as SVG text: {@code title} on top, the axes labelled {@code xLabel} and
     * {@code yLabel} (with their units), one polyline and legend entry per series, and
     * {@code caption} below (also in {@code <desc>}).
     */
    public static String svg(String title, String xLabel, String yLabel, List<Series> series, String caption) {
        LineChart c = scaledFor(series);
        List<String> captionLines = wrap(caption, CAPTION_CHARS);
        Svg svg = new Svg(Svg.Numbers.ONE_DECIMAL).withoutViewBox().title(title).desc(caption).background("#ffffff");
        svg.text(LEFT, 24, "font-size=\"13\" font-weight=\"bold\"", title);
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int y0 = HEIGHT - BOTTOM;
        int y1 = TOP;
        int xTicks = ticks(c.xMax);
        boolean wholeX = series.stream().flatMap(s -> s.points().stream()).allMatch(p -> p[0] == Math.rint(p[0]));
        if (wholeX && c.xMax / xTicks != Math.rint(c.xMax / xTicks)) {
            xTicks = (int) c.xMax; // counts (workers): no tick at 0.5 of a worker
        }
        for (int i = 0; i <= xTicks; i++) {
            double vx = c.xMax * i / xTicks;
            svg.line(c.x(vx), y0, c.x(vx), y0 + 4, "#555555", "");
            svg.text(c.x(vx) - 12, y0 + 17, "", number(vx));
        }
        int yTicks = ticks(c.yMax);
        for (int i = 0; i <= yTicks; i++) {
            double vy = c.yMax * i / yTicks;
            svg.line(x0, c.y(vy), x1, c.y(vy), "#e5e5e5", ""); // grid: values can be read across
            svg.text(8, c.y(vy) + 4, "", number(vy));
        }
        svg.line(x0, y0, x1, y0, "#333333", "");
        svg.line(x0, y0, x0, y1, "#333333", "");
        svg.text((x0 + x1) / 2 - 4 * xLabel.length(), y0 + 36, "", xLabel);
        svg.text(8, TOP - 10, "", yLabel);
        int ly = TOP + 6;
        int solid = -1;
        String dashedName = null;
        for (Series s : series) {
            if (!s.dashed()) {
                solid++;
            } else if (dashedName == null) {
                dashedName = s.name();
            }
            String colour = COLOURS[Math.max(0, solid) % COLOURS.length];
            String dash = s.dashed() ? " stroke-dasharray=\"5,4\" stroke-width=\"1.5\"" : " stroke-width=\"2\"";
            if (!s.points().isEmpty()) {
                svg.polyline(s.points().stream().map(p -> new double[] {c.x(p[0]), c.y(p[1])}).toList(), colour, dash);
                if (!s.dashed() && s.points().size() <= MARKERS_UP_TO) {
                    for (double[] p : s.points()) {
                        svg.circle(c.x(p[0]), c.y(p[1]), 3, colour);
                    }
                }
            }
            if (!s.dashed()) {
                svg.line(x1 + 16, ly, x1 + 40, ly, colour, dash);
                svg.text(x1 + 46, ly + 4, "", s.name());
                ly += 18;
            }
        }
        if (dashedName != null) {
            svg.line(x1 + 16, ly, x1 + 40, ly, "#777777", " stroke-dasharray=\"5,4\" stroke-width=\"1.5\"");
            svg.text(x1 + 46, ly + 4, "", dashedName);
        }
        int cy = HEIGHT - 24;
        for (String l : captionLines) {
            svg.text(LEFT, cy, "fill=\"#555555\"", l);
            cy += 14;
        }
        return svg.document(WIDTH, HEIGHT + 14 * (captionLines.size() - 1));
    }

    /** {@code text} in lines of at most {@code width} characters, broken at spaces (a longer word gets a line of its own). */
    static List<String> wrap(String text, int width) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        out.add(line.toString());
        return out;
    }

    /**
     * Writes {@link #svg} to {@code file}, creating its directory.
     *
     * @throws UncheckedIOException if it cannot be written
     */
    public static Path write(Path file, String title, String xLabel, String yLabel, List<Series> series, String caption) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, svg(title, xLabel, yLabel, series, caption));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

}
