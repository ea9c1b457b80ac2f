// The one SVG writer the course's figures use: a document, its text, rectangles, lines and dots, escaped once.
package cowfork.support;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes an SVG document element by element, in the order they are added (later ones are
 * drawn on top). The figures stay hand-written SVG: no chart library, nothing rasterised,
 * text in a generic monospace family that the viewer's font draws.
 *
 * <pre>
 *   Svg svg = new Svg(Svg.Numbers.WHOLE).background("#ffffff");
 *   svg.text(16, 22, "font-weight=\"bold\"", "A title &amp; more");   // escaped here
 *   svg.rect(16, 30, 120, 8, "#e03c31");
 *   String figure = svg.document(200, 60);
 * </pre>
 *
 * A coordinate is written as a whole number ({@link Numbers#WHOLE}, for figures laid out
 * on a pixel grid) or with one decimal ({@link Numbers#ONE_DECIMAL}, for values scaled onto
 * axes). The size is given last, when the figure knows how tall it grew.
 */
public final class Svg {
    /** How a document writes its coordinates. */
    public enum Numbers {
        /** Rounded to whole pixels: {@code x="16"}. */
        WHOLE,
        /** One decimal: {@code x="80.0"}. */
        ONE_DECIMAL
    }

    private static final Pattern SIZE = Pattern.compile("^<svg [^>]*width=\"(\\d+)\" height=\"(\\d+)\"");

    private final Numbers numbers;
    private final StringBuilder body = new StringBuilder();
    private boolean viewBox = true;

    /** An empty document whose coordinates are written as {@code numbers} says. */
    public Svg(Numbers numbers) {
        this.numbers = numbers;
    }

    /** Leaves the {@code viewBox} attribute out: the figure is drawn at its pixel size, never scaled to fit. */
    public Svg withoutViewBox() {
        viewBox = false;
        return this;
    }

    /** A rectangle filling the whole figure: its background. */
    public Svg background(String fill) {
        body.append("<rect width=\"100%\" height=\"100%\" fill=\"").append(fill).append("\"/>\n");
        return this;
    }

    /** The document's {@code <title>}: what a viewer shows as its name. */
    public Svg title(String text) {
        body.append("<title>").append(escape(text)).append("</title>\n");
        return this;
    }

    /** The document's {@code <desc>}: a longer description (the command that regenerates it, say). */
    public Svg desc(String text) {
        body.append("<desc>").append(escape(text)).append("</desc>\n");
        return this;
    }

    /**
     * {@code text} with its baseline starting at ({@code x}, {@code y}); {@code attributes}
     * (e.g. {@code font-weight="bold"}, or "" for none) go on the element as they are.
     */
    public Svg text(double x, double y, String attributes, String text) {
        body.append("<text x=\"").append(number(x)).append("\" y=\"").append(number(y)).append('"')
                .append(attributes.isEmpty() ? "" : " " + attributes).append('>')
                .append(escape(text)).append("</text>\n");
        return this;
    }

    /** A filled rectangle with its top left corner at ({@code x}, {@code y}). */
    public Svg rect(double x, double y, double width, double height, String fill) {
        body.append("<rect x=\"").append(number(x)).append("\" y=\"").append(number(y))
                .append("\" width=\"").append(number(width)).append("\" height=\"").append(number(height))
                .append("\" fill=\"").append(fill).append("\"/>\n");
        return this;
    }

    /** A line from ({@code x1}, {@code y1}) to ({@code x2}, {@code y2}); {@code attributes} as for {@link #text}, after a space. */
    public Svg line(double x1, double y1, double x2, double y2, String stroke, String attributes) {
        body.append("<line x1=\"").append(number(x1)).append("\" y1=\"").append(number(y1))
                .append("\" x2=\"").append(number(x2)).append("\" y2=\"").append(number(y2))
                .append("\" stroke=\"").append(stroke).append('"').append(attributes).append("/>\n");
        return this;
    }

    /** An unfilled line through {@code points} ({x, y} each), in order; {@code attributes} as for {@link #line}. */
    public Svg polyline(List<double[]> points, String stroke, String attributes) {
        body.append("<polyline fill=\"none\" stroke=\"").append(stroke).append('"').append(attributes).append(" points=\"");
        for (int i = 0; i < points.size(); i++) {
            body.append(i == 0 ? "" : " ").append(number(points.get(i)[0])).append(',').append(number(points.get(i)[1]));
        }
        body.append("\"/>\n");
        return this;
    }

    /** A filled dot of radius {@code r} pixels centred on ({@code cx}, {@code cy}). */
    public Svg circle(double cx, double cy, int r, String fill) {
        body.append("<circle cx=\"").append(number(cx)).append("\" cy=\"").append(number(cy)).append("\" r=\"").append(r)
                .append("\" fill=\"").append(fill).append("\"/>\n");
        return this;
    }

    /**
     * The finished document, {@code width} by {@code height} pixels, with the elements added
     * so far; its text in 11-pixel monospace unless an element says otherwise.
     */
    public String document(int width, int height) {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\""
                + (viewBox ? " viewBox=\"0 0 " + width + " " + height + "\"" : "")
                + " font-family=\"monospace\" font-size=\"11\">\n" + body + "</svg>\n";
    }

    /**
     * One SVG document holding {@code figures} (each a {@link #document}) one below the
     * other, as nested {@code svg} elements placed with {@code x} and {@code y}, on a white
     * background; as wide as the widest.
     *
     * @throws IllegalArgumentException if a figure is not an svg element with a width and a height
     */
    public static String stack(List<String> figures) {
        int width = 0;
        int height = 0;
        StringBuilder nested = new StringBuilder();
        for (String figure : figures) {
            Matcher m = SIZE.matcher(figure);
            if (!m.find()) {
                throw new IllegalArgumentException("not an svg with a width and height: "
                        + figure.substring(0, Math.min(80, figure.length())));
            }
            nested.append(figure.replaceFirst("^<svg ", "<svg x=\"0\" y=\"" + height + "\" "));
            width = Math.max(width, Integer.parseInt(m.group(1)));
            height += Integer.parseInt(m.group(2));
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 "
                + width + " " + height + "\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + nested + "</svg>\n";
    }

    /** {@code text} safe inside an element or an attribute: {@code & < > "} as entities. */
    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private String number(double v) {
        return numbers == Numbers.WHOLE ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }
}
