// The master's garbage-free measuring agrees with the allocating readers it replaces, and makes no garbage doing it.
package cowfork.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Smaps;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Measured against a process whose memory does not change while it is read: {@code sleep}.
 * {@link SmapsSums} must give the sums {@link MemoryReport#of} gives (the six fields the
 * reports show), {@link PageStrip} the states {@link PageMap} gives, and neither may
 * allocate once warm: the master reads every process this way once per round of a polled
 * dashboard, and every page of garbage it writes after a fork is a page copied.
 */
class MeasuringInPlaceTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
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

    private static int pid() {
        return (int) sleeper.pid();
    }

    @Test
    void smapsSumsAgreeWithTheReportThatMakesObjects() {
        MemoryReport report = new MemoryReport(List.of());
        SmapsSums sums = new SmapsSums(report.ranges());
        assertThat(sums.read(pid())).isTrue();
        Map<String, Smaps.Fields> expected = report.of(pid());
        Map<String, Smaps.Fields> got = sums.toMap();
        assertThat(got.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String c : expected.keySet()) {
            Smaps.Fields e = expected.get(c);
            Smaps.Fields g = got.get(c);
            assertThat(new long[] {g.rssKb(), g.pssKb(), g.sharedCleanKb(), g.sharedDirtyKb(), g.privateCleanKb(), g.privateDirtyKb()})
                    .as(c).containsExactly(e.rssKb(), e.pssKb(), e.sharedCleanKb(), e.sharedDirtyKb(), e.privateCleanKb(),
                            e.privateDirtyKb());
        }
        assertThat(got.get("total").rssKb()).as("something was read").isPositive();
    }

    @Test
    void aPageStripAgreesWithThePageMap() {
        Smaps.Mapping m = Smaps.all(pid()).get(0);
        AddressRange range = new AddressRange("first mapping", m.start(), m.end());
        PageStrip strip = new PageStrip(range);
        assertThat(strip.read(pid())).isTrue();
        PageMap map = PageMap.of(pid(), m.start(), m.end() - m.start());
        assertThat(strip.symbols()).hasSize(map.pages());
        for (int i = 0; i < map.pages(); i++) {
            assertThat((char) strip.symbols()[i]).as("page %d", i).isEqualTo(map.state(i).symbol());
        }
    }

    @Test
    void aGoneProcessReadsAsGone() {
        assertThat(new SmapsSums(List.of()).read(Integer.MAX_VALUE - 7)).isFalse();
        assertThat(new PageStrip(new AddressRange("x", 0, 4096)).read(Integer.MAX_VALUE - 7)).isFalse();
    }

    @Test
    void onceWarmReadingAndWritingTheDashboardAllocateAlmostNothing() {
        MemoryReport report = new MemoryReport(List.of());
        SmapsSums sums = new SmapsSums(report.ranges());
        Smaps.Mapping m = Smaps.all(pid()).get(0);
        PageStrip strip = new PageStrip(new AddressRange("first mapping", m.start(), m.end()));
        DashboardData doc = new DashboardData();
        for (int i = 0; i < 200; i++) { // warm: the buffers reach their size, the code is compiled
            oneRound(sums, strip, doc);
        }
        int rounds = 100;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            oneRound(sums, strip, doc);
        }
        long perRound = (THREADS.getCurrentThreadAllocatedBytes() - before) / rounds;
        System.out.println("measuring in place: " + perRound + " bytes of Java heap per round (smaps, pagemap, document)");
        // A round of the objects' way allocates hundreds of KiB (the whole smaps text, a String per line).
        assertThat(perRound).as("bytes allocated per round, once warm").isLessThan(1024);
    }

    @Test
    void theDashboardDocumentByteForByteAsThePageReadsIt() {
        int pid = pid();
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

    private static void oneRound(SmapsSums sums, PageStrip strip, DashboardData doc) {
        sums.read(pid());
        strip.read(pid());
        doc.begin("inline", 1000, 1, 7, 12345, strip.symbols().length);
        doc.process(0, pid(), "running", 0, 0, sums, strip);
        doc.process(1, pid(), "running", 99, 1, sums, strip);
        doc.end();
    }
}
