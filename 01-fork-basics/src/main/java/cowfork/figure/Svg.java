// The few SVG elements the course's figures are drawn with: a white page, text and rectangles, written once for every chapter.
package cowfork.figure;

/**
 * Writes the elements every figure in {@code docs/figures} is made of, into a
 * {@code StringBuilder}: {@link #open} (the {@code svg} element, monospace 11 px text, a
 * white background), {@link #text} (escaped), {@link #rect}, and {@link #close}. It lives
 * in chapter 01 so that every chapter's figures, 01's included, draw with the same code;
 * what a figure shows (page maps, bars, threads) stays with the chapter that measures it.
 */
public final class Svg {
    private Svg() {
    }

    /** Starts a figure of {@code width} x {@code height} px: the svg element and a white background. */
    public static StringBuilder open(int width, int height) {
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"monospace\" font-size=\"11\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        return sb;
    }

    /** A line of text whose baseline starts at ({@code x}, {@code y}); {@code attributes} (e.g. a fill) may be "". */
    public static void text(StringBuilder sb, int x, int y, String attributes, String text) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append('"')
                .append(attributes.isEmpty() ? "" : " " + attributes).append('>')
                .append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")).append("</text>\n");
    }

    /** A filled rectangle. */
    public static void rect(StringBuilder sb, int x, int y, int width, int height, String fill) {
        sb.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" fill=\"").append(fill).append("\"/>\n");
    }

    /** Ends the figure; returns its text. */
    public static String close(StringBuilder sb) {
        return sb.append("</svg>\n").toString();
    }
}
