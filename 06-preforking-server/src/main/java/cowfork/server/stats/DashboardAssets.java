// The files of the /dashboard page (HTML, the vendored uPlot and its licence), read once in the master before any fork.
package cowfork.server.stats;

import cowfork.server.http.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The page and what it loads, as bytes: workers serve them from these arrays, which they
 * share with the master copy-on-write and never write. Reading a class-path resource
 * loads classes (zip, URL handlers), which a forked worker must never do (01's rule), so
 * the master calls {@link #load} before it forks.
 *
 * <pre>
 *   /dashboard                      dashboard.html   the page (its script is inline)
 *   /dashboard/uPlot.iife.min.js    uPlot 1.6.32, MIT licence (github.com/leeoniya/uPlot), vendored as published on npm
 *   /dashboard/uPlot.min.css        its stylesheet
 *   /dashboard/LICENSE.uPlot        its licence
 * </pre>
 */
public final class DashboardAssets {
    public static final byte[] HTML_TYPE = Bytes.ascii("text/html; charset=utf-8");
    public static final byte[] JS_TYPE = Bytes.ascii("text/javascript; charset=utf-8");
    public static final byte[] CSS_TYPE = Bytes.ascii("text/css; charset=utf-8");

    public static final byte[] PAGE = read("dashboard.html");
    public static final byte[] UPLOT_JS = read("uPlot.iife.min.js");
    public static final byte[] UPLOT_CSS = read("uPlot.min.css");
    public static final byte[] UPLOT_LICENSE = read("LICENSE.uPlot");

    private DashboardAssets() {}

    /** Makes sure the files are read (this class is initialised) now, in the calling process. */
    public static void load() {
        // initialising the class read them
    }

    /**
     * A file of the page by its name under {@code /dashboard/} ("" for the page itself);
     * null if there is no such file.
     */
    public static byte[] file(String name) {
        return switch (name) {
            case "", "index.html" -> PAGE;
            case "uPlot.iife.min.js" -> UPLOT_JS;
            case "uPlot.min.css" -> UPLOT_CSS;
            case "LICENSE.uPlot" -> UPLOT_LICENSE;
            default -> null;
        };
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's file " + name + " is missing from the class path"
                        + " (06-preforking-server/src/main/resources/cowfork/server/stats/dashboard/)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's file " + name, e);
        }
    }
}
