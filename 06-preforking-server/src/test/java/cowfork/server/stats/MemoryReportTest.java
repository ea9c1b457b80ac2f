// Classifying a process's mappings: the Java heap's range from GC.heap_info, named ranges first, the rest "other".
package cowfork.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Region;
import cowfork.cow.Smaps;
import cowfork.support.Processes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryReportTest {
    @Test
    void theJavaHeapRangeSpansEveryGenerationOfSerialGc() {
        String info = """
                 def new generation   total 235968K, used 12587K [0x0000000687400000, 0x0000000697400000, 0x0000000697400000)
                  eden space 209792K,   6% used [0x0000000687400000, 0x000000068804af08, 0x00000006940e0000)
                 tenured generation   total 124928K, used 0K [0x0000000697400000, 0x000000069ee00000, 0x0000000800000000)
                   the space 124928K,   0% used [0x0000000697400000, 0x0000000697400000, 0x0000000697400200, 0x000000069ee00000)
                 Metaspace       used 2946K, committed 3136K, reserved 1114112K
                """;
        AddressRange r = MemoryReport.parseHeapInfo(info);
        assertThat(r.start()).isEqualTo(0x687400000L);
        assertThat(r.end()).isEqualTo(0x800000000L);
        assertThat(MemoryReport.parseHeapInfo("no heap here")).isNull();
    }

    @Test
    void thisJvmsJavaHeapIsFound() {
        // Surefire runs the tests with Serial GC (the fork recipe); the range must hold a live object's page.
        assertThat(MemoryReport.javaHeapRange()).isNotNull();
    }

    @Test
    void aRegionsPagesAreCountedUnderItsNameAndNowhereElse() {
        try (Region region = Region.allocate(64 * Region.PAGE_SIZE)) {
            region.fill(0, 16 * Region.PAGE_SIZE, (byte) 1);
            MemoryReport report = new MemoryReport(List.of(new AddressRange(MemoryReport.OBJECT_HEAP,
                    region.address(), region.address() + region.size())));
            Map<String, Smaps.Fields> m = report.of(Processes.self());
            assertThat(m.keySet()).containsExactly(MemoryReport.OBJECT_HEAP, MemoryReport.REFCOUNT_TABLE,
                    MemoryReport.JAVA_HEAP, MemoryReport.OTHER, "total");
            assertThat(m.get(MemoryReport.OBJECT_HEAP).rssKb()).isEqualTo(16 * 4);
            assertThat(m.get(MemoryReport.OBJECT_HEAP).privateDirtyKb()).isEqualTo(16 * 4);
            assertThat(m.get(MemoryReport.REFCOUNT_TABLE).rssKb()).isZero();
            assertThat(m.get(MemoryReport.JAVA_HEAP).rssKb()).isPositive();
            long sum = 0;
            for (String c : MemoryReport.CLASSES) {
                sum += m.get(c).rssKb();
            }
            assertThat(m.get("total").rssKb()).isEqualTo(sum); // every mapping in exactly one class
        }
    }
}
