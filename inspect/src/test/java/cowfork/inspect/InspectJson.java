// inspect's two JSON documents read back with a parser, for the tests: the --json line and the dashboard's.
package cowfork.inspect;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.JsonNode;
import cowfork.support.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Records of the fields the tests read ({@link StrictJson}: in any order; a missing or
 * mistyped one is an error naming it), and {@link #keys} for the tests about which fields a
 * document has, in which order (the documented shape).
 */
final class InspectJson {
    private InspectJson() {}

    /** One line of {@code --json} ({@link JsonReport}). */
    record Line(String time, long sample, double elapsedS, double costMs, double cpuMs, String source, int masterPid,
                long masterRssKb, long totalPssKb, long totalRssKb, List<Process> processes, List<LeftOut> leftOut) {}

    /** {@code regions} is null with --totals; {@code rollup} is there with --check only (read it with {@link Checked}). */
    record Process(int pid, int ppid, String role, long rssKb, long pssKb, long privateKb, long sharedKb, long swapKb,
                   @JsonSetter(nulls = Nulls.SET) Map<String, Figures> regions) {}

    record Figures(long rssKb, long pssKb, long privateKb, long sharedKb, long swapKb) {}

    record LeftOut(int pid, String role, String reason) {}

    /** A {@code --check --json} line: each process with its smaps_rollup figures. */
    record Checked(List<CheckedProcess> processes) {}

    record CheckedProcess(long rssKb, Figures rollup) {}

    /** The dashboard's document ({@link DashboardDocument}). */
    record Dashboard(String title, List<String> classes, String focus, long round, long objectHeapPages,
                     List<DashboardProcess> processes) {}

    record DashboardProcess(String name, int slot, int pid, Map<String, Memory> memoryKb, List<Strip> strips) {}

    record Memory(long rss, long pss, @JsonProperty("private") long privateKb) {}

    record Strip(String label, long shared, @JsonProperty("private") long privat, long notPresent, long swapped, String map) {}

    static Line line(String json) {
        return StrictJson.read(json, Line.class, "the --json line");
    }

    static Checked checked(String json) {
        return StrictJson.read(json, Checked.class, "the --check --json line");
    }

    static Dashboard dashboard(String json) {
        return StrictJson.read(json, Dashboard.class, "the dashboard document");
    }

    /** The names of the fields of the object at {@code path} (field names, and indices in arrays), in document order. */
    static List<String> keys(String json, Object... path) {
        JsonNode node = StrictJson.tree(json, "the document");
        for (Object step : path) {
            node = step instanceof Integer i ? node.required(i) : node.required((String) step);
        }
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
