// The cross-check's grep-able result line, "cpython: version=3.12.1 workload=serve freeze=no child_private_kb=N parent_rss_kb=M", written and read back.
package cowfork.crosscheck;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One measured run.
 *
 * @param language       "cpython" or "ruby"
 * @param version        the interpreter's version
 * @param workload       what the child ran: "idle" (nothing: the floor), "serve", "gc" (CPython), "iterate" or "full-gc" (Ruby)
 * @param setting        how the parent prepared the heap before fork, as key=value words:
 *                       "freeze=yes|no" (CPython); "compact=yes|no" and, where used, "warmup=yes" or "frozen=yes" (Ruby)
 * @param childPrivateKb the child's private memory: Private_Clean + Private_Dirty of its smaps_rollup
 *                       (its USS: what the kernel would free if it exited, copies included)
 * @param parentRssKb    the parent's resident memory (Rss of its smaps_rollup) at the same moment
 */
record ResultLine(String language, String version, String workload, String setting, long childPrivateKb,
                  long parentRssKb) {
    private static final List<String> LANGUAGES = List.of("cpython", "ruby");

    ResultLine {
        if (!LANGUAGES.contains(language)) {
            throw new IllegalArgumentException("unknown language \"" + language + "\": expected one of " + LANGUAGES);
        }
        if (childPrivateKb < 0 || parentRssKb < 0) {
            throw new IllegalArgumentException("sizes cannot be negative: child_private_kb=" + childPrivateKb
                    + " parent_rss_kb=" + parentRssKb);
        }
    }

    /** The line as printed. */
    String format() {
        return language + ": version=" + version + " workload=" + workload + " " + setting + " child_private_kb="
                + childPrivateKb + " parent_rss_kb=" + parentRssKb;
    }

    /** The child's private memory as a percentage of the parent's RSS, one decimal. */
    String percentOfParent() {
        return parentRssKb == 0 ? "-" : String.format(Locale.ROOT, "%.1f", 100.0 * childPrivateKb / parentRssKb);
    }

    /**
     * Reads a line {@link #format()} wrote.
     *
     * @throws IllegalArgumentException if it is not one (the message says what is missing)
     */
    static ResultLine parse(String line) {
        int colon = line.indexOf(": ");
        if (colon < 0) {
            throw new IllegalArgumentException("not a result line (no \"LANGUAGE: \"): " + line);
        }
        Map<String, String> f = fields(line.substring(colon + 2));
        for (String key : List.of("version", "workload", "child_private_kb", "parent_rss_kb")) {
            if (!f.containsKey(key)) {
                throw new IllegalArgumentException("not a result line (no " + key + "=): " + line);
            }
        }
        StringBuilder setting = new StringBuilder();
        for (Map.Entry<String, String> e : f.entrySet()) {
            if (!List.of("version", "workload", "child_private_kb", "parent_rss_kb").contains(e.getKey())) {
                setting.append(setting.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        try {
            return new ResultLine(line.substring(0, colon), f.get("version"), f.get("workload"), setting.toString(),
                    Long.parseLong(f.get("child_private_kb")), Long.parseLong(f.get("parent_rss_kb")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a size in this result line is not a whole number of kB: " + line, e);
        }
    }

    /**
     * The {@code key=value} words of {@code text}, in order.
     *
     * @throws IllegalArgumentException at a word without '=' or with an empty key, or a key given twice
     */
    static Map<String, String> fields(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String word : text.strip().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got \"" + word + "\" in: " + text);
            }
            if (f.put(word.substring(0, eq), word.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("\"" + word.substring(0, eq) + "\" given twice in: " + text);
            }
        }
        return f;
    }

    /** A Markdown table of {@code lines}, one row each, in their order. */
    static String markdownTable(List<ResultLine> lines) {
        StringBuilder sb = new StringBuilder();
        sb.append("| runtime | version | workload | before fork | child_private_kb | parent_rss_kb | private % of parent |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (ResultLine l : lines) {
            sb.append("| ").append(l.language()).append(" | ").append(l.version()).append(" | ").append(l.workload())
                    .append(" | ").append(l.setting()).append(" | ").append(l.childPrivateKb()).append(" | ")
                    .append(l.parentRssKb()).append(" | ").append(l.percentOfParent()).append(" |\n");
        }
        return sb.toString();
    }
}
