// Reading /stats with a parser: the same figures whatever the order of the fields and whatever fields are added; a missing one is named.
package cowfork.server.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cowfork.cow.Smaps;
import cowfork.support.StrictJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A /stats document as {@link StatsReport#toJson()} writes it, then the same document with
 * every object's fields in reverse order and a field the reader does not know added to each:
 * {@link StatsJson} reads the same figures from both. The regular expressions it replaced read
 * "the field after {@code "name":}" and stopped at the next {@code {"name":}; either change broke them.
 */
class StatsJsonTest {
    static Map<String, Smaps.Fields> memory(long base) {
        Map<String, Smaps.Fields> m = new LinkedHashMap<>();
        long n = base;
        for (String c : List.of(MemoryReport.OBJECT_HEAP, MemoryReport.REFCOUNT_TABLE, MemoryReport.JAVA_HEAP,
                MemoryReport.OTHER, "total")) {
            m.put(c, new Smaps.Fields(n + 1, n + 2, 0, 0, 0, 0, n + 3, n + 4, n + 5, n + 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            n += 10;
        }
        return m;
    }

    static String written() {
        return new StatsReport("sidetable", 1234, 2, List.of(
                new StatsReport.Row("master", 0, 100, "running", 0, 0, 5000, 0, 0, memory(1000)),
                new StatsReport.Row("worker 1", 1, 101, "running", 17, 1, 6000, 7000, 3, memory(2000)),
                new StatsReport.Row("worker 2", 2, 102, "stopping", 18, 0, 8000, 9000, 0, memory(3000)))).toJson();
    }

    /**
     * {@code node} with every object's fields in reverse order and one unknown field added first
     * (not to "memory_kb": its keys are the classes of memory, a map, not fields).
     */
    static JsonNode shuffled(JsonNode node, boolean map) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            node.fields().forEachRemaining(fields::add);
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            if (!map) {
                o.put("added_later", "a reader that does not know it skips it");
            }
            for (int i = fields.size() - 1; i >= 0; i--) {
                o.set(fields.get(i).getKey(), shuffled(fields.get(i).getValue(), fields.get(i).getKey().equals("memory_kb")));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> a.add(shuffled(e, false)));
            return a;
        }
        return node;
    }

    @Test
    void fieldOrderAndAddedFieldsDoNotMatter() {
        String json = written();
        String reordered = shuffled(StrictJson.tree(json, "test"), false).toString();
        assertThat(reordered).as("the reordered document").startsWith("{\"added_later\":")
                .contains("{\"added_later\":\"a reader that does not know it skips it\",\"memory_kb\":{\"total\":{\"added_later\"");

        StatsJson.Stats a = StatsJson.stats(json);
        StatsJson.Stats b = StatsJson.stats(reordered);
        assertThat(b).isEqualTo(a);
        assertThat(a.items()).isEqualTo(1234);
        assertThat(a.refcounts()).isEqualTo("sidetable");
        assertThat(a.process("worker 2").state()).isEqualTo("stopping");
        assertThat(a.process("worker 1").region("refcount_table")).isEqualTo(new StatsJson.Region(2011, 2012, 4031));
        assertThat(a.totalPssKb()).isEqualTo(1042 + 2042 + 3042);
        assertThat(a.masterRssKb()).isEqualTo(1041);
    }

    @Test
    void aMissingOrMistypedFieldIsNamedNeverReadAsZero() {
        String json = written();
        assertThatThrownBy(() -> StatsJson.stats(json.replace("\"pid\":101,", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the /stats document: processes[1].pid: missing");
        assertThatThrownBy(() -> StatsJson.stats(json.replace("\"items\":1234", "\"items\":\"1234\"")))
                .hasMessageStartingWith("the /stats document: items: ");
        assertThatThrownBy(() -> StatsJson.stats(json.replace("\"items\":1234", "\"items\":12.5")))
                .hasMessageStartingWith("the /stats document: items: ");
        assertThatThrownBy(() -> StatsJson.stats(json.replace("\"refcounts\":\"sidetable\"", "\"refcounts\":null")))
                .hasMessageStartingWith("the /stats document: refcounts: ");
        assertThatThrownBy(() -> StatsJson.stats(json.replaceFirst("\"private\":4011,", "")))
                .hasMessageStartingWith("the /stats document: processes[1].memory_kb.object_heap.private: missing");
        assertThatThrownBy(() -> StatsJson.stats(json.substring(0, json.length() - 1)))
                .hasMessageStartingWith("the /stats document: ");
        assertThatThrownBy(() -> StatsJson.stats(json).process("worker 3"))
                .hasMessage("worker 3 is not among the processes [master, worker 1, worker 2]");
        assertThatThrownBy(() -> StatsJson.stats(json).process("master").region("java heap"))
                .hasMessageContaining("no memory class java heap for master");
    }
}
