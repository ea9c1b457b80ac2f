// The two documents the master writes, byte for byte: /stats as scripts read it, /dashboard/data as the page reads it.
package cowfork.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.PageState;
import cowfork.cow.Smaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link StatsReport#toJson()} and {@link DashboardData} write each process's memory with the
 * same writer ({@link MemoryJson}); these are their documents as the dashboard's JavaScript,
 * the scripts of the README and the demo have always read them. The /stats document is fixed
 * from made-up rows; the dashboard's from a live {@code sleep}, against the shape its header
 * documents.
 */
class StatsDocumentsTest {
    private static Process sleeper;

    @BeforeAll
    static void startSleeper() throws IOException {
        sleeper = new ProcessBuilder("sleep", "120").start();
    }

    @AfterAll
    static void stopSleeper() throws InterruptedException {
        sleeper.destroyForcibly();
        sleeper.waitFor(10, TimeUnit.SECONDS);
    }

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

    @Test
    void theDashboardDocumentByteForByte() {
        int pid = (int) sleeper.pid();
        SmapsSums sums = new SmapsSums(new MemoryReport(List.of()).ranges());
        assertThat(sums.read(pid)).isTrue();
        Smaps.Mapping first = Smaps.all(pid).get(0);
        PageStrip strip = new PageStrip(new AddressRange("first mapping", first.start(), first.end()));
        assertThat(strip.read(pid)).isTrue();
        DashboardData doc = new DashboardData();
        doc.begin("immortal", 1000, 2, 7, 12345, strip.symbols().length);
        doc.process(0, pid, "running", 0, 0, sums, strip);
        doc.process(1, pid, "stopping", 99, 3, null, null);
        doc.end();

        String pages = "{\"shared\":" + strip.count(PageState.SHARED) + ",\"private\":" + strip.count(PageState.PRIVATE)
                + ",\"not_present\":" + strip.count(PageState.NOT_PRESENT) + ",\"swapped\":" + strip.count(PageState.SWAPPED)
                + ",\"map\":\"" + new String(strip.symbols(), StandardCharsets.US_ASCII) + "\"}";
        assertThat(new String(doc.bytes(), 0, doc.length(), StandardCharsets.US_ASCII)).isEqualTo(
                "{\"refcounts\":\"immortal\",\"items\":1000,\"workers\":2,\"round\":7,\"uptime_ms\":12345,"
                + "\"page_kb\":4,\"object_heap_pages\":" + strip.symbols().length + ",\"processes\":["
                + "{\"name\":\"master\",\"slot\":0,\"pid\":" + pid + ",\"state\":\"running\",\"requests\":0,"
                + "\"restarts\":0,\"memory_kb\":" + memory(sums) + ",\"pages\":" + pages + "},"
                + "{\"name\":\"worker 1\",\"slot\":1,\"pid\":" + pid + ",\"state\":\"stopping\",\"requests\":99,"
                + "\"restarts\":3,\"memory_kb\":{},\"pages\":null}]}");
    }

    /** The dashboard's memory_kb: rss, pss and private of each class, then the total. */
    private static String memory(SmapsSums sums) {
        StringBuilder sb = new StringBuilder("{");
        List<String> keys = List.of("object_heap", "refcount_table", "java_heap", "other", "total");
        for (int c = 0; c < keys.size(); c++) {
            sb.append(c == 0 ? "" : ",").append('"').append(keys.get(c)).append("\":{\"rss\":").append(sums.kb(c, SmapsSums.RSS))
                    .append(",\"pss\":").append(sums.kb(c, SmapsSums.PSS)).append(",\"private\":").append(sums.privateKb(c))
                    .append('}');
        }
        return sb.append('}').toString();
    }
}
