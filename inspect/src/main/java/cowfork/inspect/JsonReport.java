// --json: one JSON object per line per sample, in a documented shape that scripts can rely on.
package cowfork.inspect;

import cowfork.cow.Smaps;
import java.util.Locale;
import java.util.Map;

/**
 * One line of JSON per sample (JSON Lines). The shape is stable: fields may be added, never
 * renamed or removed. Sizes are kB as the kernel prints them (1 kB = 1024 bytes).
 * <pre>
 *   time           the sample's time, ISO-8601 UTC ("2026-12-06T09:54:01.123Z")
 *   sample         1, 2, 3...                        elapsed_s   seconds since sample 1
 *   cost_ms        wall-clock time the sample took   cpu_ms      CPU time it took
 *   source         "smaps" (regions read) or "smaps_rollup" (--totals: totals only)
 *   master_pid     master_rss_kb
 *   total_pss_kb   Pss summed over every process read: what the tree costs, each page once
 *   total_rss_kb   Rss summed likewise (counts a shared page once per process)
 *   processes      [ {pid, ppid, role ("master" | "worker" | "other"),
 *                     rss_kb, pss_kb, private_kb, shared_kb, swap_kb,
 *                     rollup: {rss_kb, ...} (with --check only: smaps_rollup read right after smaps),
 *                     regions: {NAME: {rss_kb, pss_kb, private_kb, shared_kb, swap_kb}, ...} or null} ]
 *   left_out       [ {pid, role, reason} ]  listed, but exited before they could be read
 * </pre>
 * private_kb is Private_Clean + Private_Dirty, shared_kb Shared_Clean + Shared_Dirty, swap_kb Swap.
 * Region names are those of {@link Regions}: heap, java_heap, anon:NAME, other_anon, file_data,
 * code, stack (only regions a process has are present).
 */
final class JsonReport {
    private JsonReport() {}

    /** The sample as one line of JSON (no newline inside). */
    static String line(Sample s) {
        StringBuilder sb = new StringBuilder(512 + s.processes().size() * 600);
        sb.append("{\"time\":\"").append(s.time()).append("\",\"sample\":").append(s.number())
                .append(",\"elapsed_s\":").append(decimal(s.elapsedS(), 3))
                .append(",\"cost_ms\":").append(decimal(s.costMs(), 1))
                .append(",\"cpu_ms\":").append(decimal(s.cpuMs(), 1))
                .append(",\"source\":\"").append(s.master().hasRegions() ? "smaps" : "smaps_rollup")
                .append("\",\"master_pid\":").append(s.master().pid())
                .append(",\"master_rss_kb\":").append(s.master().total().rssKb())
                .append(",\"total_pss_kb\":").append(s.totalPssKb())
                .append(",\"total_rss_kb\":").append(s.totalRssKb())
                .append(",\"processes\":[");
        for (int i = 0; i < s.processes().size(); i++) {
            ProcessMemory p = s.processes().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"pid\":").append(p.pid()).append(",\"ppid\":").append(p.member().ppid())
                    .append(",\"role\":\"").append(p.role().label()).append("\",");
            figures(sb, p.total());
            if (p.rollup() != null) {
                sb.append(",\"rollup\":{");
                figures(sb, p.rollup());
                sb.append('}');
            }
            sb.append(",\"regions\":");
            if (!p.hasRegions()) {
                sb.append("null");
            } else {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, Smaps.Fields> r : p.regions().entrySet()) {
                    sb.append(first ? "" : ",").append(string(r.getKey())).append(":{");
                    figures(sb, r.getValue());
                    sb.append('}');
                    first = false;
                }
                sb.append('}');
            }
            sb.append('}');
        }
        sb.append("],\"left_out\":[");
        for (int i = 0; i < s.leftOut().size(); i++) {
            Sample.LeftOut l = s.leftOut().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"pid\":").append(l.member().pid()).append(",\"role\":\"")
                    .append(l.member().role().label()).append("\",\"reason\":").append(string(l.reason())).append('}');
        }
        return sb.append("]}").toString();
    }

    private static void figures(StringBuilder sb, Smaps.Fields f) {
        sb.append("\"rss_kb\":").append(f.rssKb()).append(",\"pss_kb\":").append(f.pssKb())
                .append(",\"private_kb\":").append(ProcessMemory.privateKb(f))
                .append(",\"shared_kb\":").append(ProcessMemory.sharedKb(f))
                .append(",\"swap_kb\":").append(f.swapKb());
    }

    private static String decimal(double v, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", v);
    }

    /** {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
