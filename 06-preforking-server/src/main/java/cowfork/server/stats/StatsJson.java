// Reading numbers back out of the /stats document, for the demo, the benchmark and the tests (no JSON library needed).
package cowfork.server.stats;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks up values in the JSON that {@link StatsReport#toJson()} writes. The document's
 * shape is fixed (this module writes it), so a few patterns read it reliably.
 */
public final class StatsJson {
    private static final Pattern PROCESS = Pattern.compile("\\{\"name\":\"([a-z]+(?: \\d+)?)\"");

    private StatsJson() {}

    /** Rss, Pss and private KiB of one memory class of one process. */
    public record Region(long rssKb, long pssKb, long privateKb) {}

    /**
     * The figures of {@code memoryClass} ("object_heap", "refcount_table", "java_heap",
     * "other", "total") for {@code process} ("master", "worker 1"...).
     *
     * @throws IllegalArgumentException if the document has no such process or class
     */
    public static Region region(String json, String process, String memoryClass) {
        String entry = process(json, process);
        Matcher r = Pattern.compile("\"" + memoryClass + "\":\\{\"rss\":(\\d+),\"pss\":(\\d+),\"private\":(\\d+)")
                .matcher(entry);
        if (!r.find()) {
            throw new IllegalArgumentException("no memory class " + memoryClass + " for " + process + " in " + entry);
        }
        return new Region(Long.parseLong(r.group(1)), Long.parseLong(r.group(2)), Long.parseLong(r.group(3)));
    }

    /** A top-level or per-process number field, e.g. {@code number(json, "total_pss_kb")}. */
    public static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no field " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** The JSON object of one process. */
    public static String process(String json, String process) {
        Matcher m = PROCESS.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(process)) {
                int end = json.indexOf("{\"name\":", m.end());
                return json.substring(m.start(), end < 0 ? json.length() : end);
            }
        }
        throw new IllegalArgumentException(process + " is not in the stats: " + json);
    }
}
