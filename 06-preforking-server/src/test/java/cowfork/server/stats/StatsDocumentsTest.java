// The /stats document, byte for byte, as scripts, the demo and the README's examples read it.
package cowfork.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link StatsReport#toJson()} writes each process's memory with the writer
 * {@link DashboardData} uses too ({@link MemoryJson}), with two fields more per class. Made-up
 * rows, so the document can be written out whole: the one /stats has always answered. (The
 * dashboard's document is pinned by {@link MeasuringInPlaceTest}, from a live process.)
 */
class StatsDocumentsTest {
    @Test
    void theStatsDocumentByteForByte() {
        String json = new StatsReport("sidetable", 1234, 2, List.of(
                new StatsReport.Row("master", 0, 100, "running", 0, 0, 5000, 0, 0, StatsJsonTest.memory(1000)),
                new StatsReport.Row("worker 1", 1, 101, "running", 17, 1, 6000, 7000, 3, StatsJsonTest.memory(2000)),
                new StatsReport.Row("worker 2", 2, 102, "stopping", 18, 0, 8000, 9000, 0, Map.of()))).toJson();
        assertThat(json).isEqualTo("{\"refcounts\":\"sidetable\",\"items\":1234,\"workers\":2,\"total_pss_kb\":3084,\"master_rss_kb\":1041,\"processes\":["
                + "{\"name\":\"master\",\"slot\":0,\"pid\":100,\"state\":\"running\",\"requests\":0,\"restarts\":0,\"java_heap_allocated_bytes\":5000,\"java_heap_left_bytes\":0,\"connections\":0"
                + ",\"memory_kb\":{\"object_heap\":{\"rss\":1001,\"pss\":1002,\"private\":2011,\"private_dirty\":1006,\"shared\":2007}"
                + ",\"refcount_table\":{\"rss\":1011,\"pss\":1012,\"private\":2031,\"private_dirty\":1016,\"shared\":2027}"
                + ",\"java_heap\":{\"rss\":1021,\"pss\":1022,\"private\":2051,\"private_dirty\":1026,\"shared\":2047}"
                + ",\"other\":{\"rss\":1031,\"pss\":1032,\"private\":2071,\"private_dirty\":1036,\"shared\":2067}"
                + ",\"total\":{\"rss\":1041,\"pss\":1042,\"private\":2091,\"private_dirty\":1046,\"shared\":2087}}},"
                + "{\"name\":\"worker 1\",\"slot\":1,\"pid\":101,\"state\":\"running\",\"requests\":17,\"restarts\":1,\"java_heap_allocated_bytes\":6000,\"java_heap_left_bytes\":7000,\"connections\":3"
                + ",\"memory_kb\":{\"object_heap\":{\"rss\":2001,\"pss\":2002,\"private\":4011,\"private_dirty\":2006,\"shared\":4007}"
                + ",\"refcount_table\":{\"rss\":2011,\"pss\":2012,\"private\":4031,\"private_dirty\":2016,\"shared\":4027}"
                + ",\"java_heap\":{\"rss\":2021,\"pss\":2022,\"private\":4051,\"private_dirty\":2026,\"shared\":4047}"
                + ",\"other\":{\"rss\":2031,\"pss\":2032,\"private\":4071,\"private_dirty\":2036,\"shared\":4067}"
                + ",\"total\":{\"rss\":2041,\"pss\":2042,\"private\":4091,\"private_dirty\":2046,\"shared\":4087}}},"
                + "{\"name\":\"worker 2\",\"slot\":2,\"pid\":102,\"state\":\"stopping\",\"requests\":18,\"restarts\":0,\"java_heap_allocated_bytes\":8000,\"java_heap_left_bytes\":9000,\"connections\":0"
                + ",\"memory_kb\":{}}]}");
    }
}
