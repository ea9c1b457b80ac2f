// The demo end to end, as ./cowfork demo 06 --quick runs it: a table and a summary line per strategy, in the expected order.
package cowfork.server;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.heap.RefCounts;
import cowfork.server.app.HeapStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoTest {
    private static final Pattern SUMMARY = Pattern.compile(
            "server: strategy=(\\w+) workers=2 object_heap_kb=(\\d+) object_heap_private_kb=(\\d+) refcount_table_private_kb=(\\d+)");

    @Test
    void theQuickDemoPrintsEachStrategysTableAndSummary() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(Demo.run(new String[] {"--quick"}, out, out)).isZero();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("=== refcounts=inline ===", "after the same requests in every worker:", "stopped: every worker reaped");
        Matcher m = SUMMARY.matcher(text);
        int lines = 0;
        while (m.find()) {
            lines++;
            long heap = Long.parseLong(m.group(2));
            long heapPrivate = Long.parseLong(m.group(3));
            long tablePrivate = Long.parseLong(m.group(4));
            RefCounts.PredictedPages writes = MemoryByStrategyTest.whatReadingWrites(m.group(1)); // asked of the strategy, not its name
            if (writes.heap().isEmpty()) {
                assertThat(heapPrivate).as(m.group(1) + " object heap private").isLessThanOrEqualTo(MemoryByStrategyTest.UNWRITTEN_KB);
            } else {
                assertThat(heapPrivate).as(m.group(1) + " object heap private").isGreaterThan(heap / 2);
            }
            if (writes.table().isEmpty()) {
                assertThat(tablePrivate).as(m.group(1) + " table private").isLessThanOrEqualTo(MemoryByStrategyTest.UNWRITTEN_KB);
            } else {
                assertThat(tablePrivate).as(m.group(1) + " table private").isPositive();
            }
        }
        assertThat(lines).isEqualTo(HeapStore.strategies().size());
    }

    @Test
    void badArgumentsAreRefusedNamingTheFlagAndPointingAtHelp() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(Demo.run(new String[] {"--workers", "none"}, err, err)).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("demo 06: Invalid value for option '--workers': 'none' is not a whole number",
                "(./cowfork demo 06 --help shows every option)");
    }
}
