// The heap's address ranges are read from the JVM's own reports (excerpts of real JDK 17 and 25 output), and a JVM without NMT gets a clear error.
package cowfork.jvmgc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeapLayoutTest {
    // Excerpts of `jcmd PID VM.native_memory detail` and `GC.heap_info`, -Xms256m -Xmx256m, this machine.
    private static final String NMT_SERIAL_17 = """
            -                 Java Heap (reserved=262144KB, committed=262144KB)
            [0x00000000f0000000 - 0x0000000100000000] reserved and committed 262144KB for Java Heap from
                                         (reserved=262144KB, committed=262144KB Type=Java Heap)
            """;
    private static final String NMT_ZGC_17 = """
            -                 Java Heap (reserved=12582912KB, committed=262144KB)
            [0x0000040000000000 - 0x0000040100000000] reserved 4194304KB for Java Heap from
            [0x0000080000000000 - 0x0000080100000000] reserved 4194304KB for Java Heap from
            [0x0000100000000000 - 0x0000100100000000] reserved 4194304KB for Java Heap from
            """;
    private static final String NMT_ZGC_25 = """
            -                 Java Heap (reserved=4194304KB, committed=262144KB)
            [0x0000040000000000 - 0x0000040100000000] reserved 4194304KB for Java Heap from
            [0x0000000000000000 - 0x0000000010000000] allocated 262144KB for Java Heap from
            """;
    private static final String HEAP_INFO_SERIAL_17 = """
             def new generation   total 78656K, used 26840K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
              eden space 69952K,  38% used [0x00000000f0000000, 0x00000000f1a36208, 0x00000000f4450000)
             tenured generation   total 174784K, used 1166K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
               the space 174784K,   0% used [0x00000000f5550000, 0x00000000f5673ab8, 0x00000000f5673c00, 0x0000000100000000)
            """;
    private static final String HEAP_INFO_SERIAL_25 = """
            DefNew     total 78656K, used 42239K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
             eden space 69952K,  60% used [0x00000000f0000000, 0x00000000f293fc88, 0x00000000f4450000)
            Tenured    total 174784K, used 1166K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
             the  space 174784K,   0% used [0x00000000f5550000, 0x00000000f5673ab8, 0x0000000100000000)
            """;
    private static final String HEAP_INFO_PARALLEL_25 = """
            PSYoungGen      total 76288K, used 42060K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
             eden space 65536K, 64% used [0x00000000fab00000,0x00000000fd413290,0x00000000feb00000)
            ParOldGen       total 175104K, used 1166K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
             object space 175104K, 0% used [0x00000000f0000000,0x00000000f0123ab8,0x00000000fab00000)
            """;

    @Test
    void aSerialHeapIsOneRangeAndItsOldGenerationInUseIsBottomToTop() {
        HeapLayout l = HeapLayout.parse(NMT_SERIAL_17, HEAP_INFO_SERIAL_17);
        assertThat(l.heap()).containsExactly(new HeapLayout.Range(0xf0000000L, 0x100000000L));
        assertThat(l.heapPages()).isEqualTo(256L * 1024 * 1024 / 4096);
        assertThat(l.oldInUse()).contains(new HeapLayout.Range(0xf5550000L, 0xf5673ab8L));
        assertThat(HeapLayout.oldInUse(HEAP_INFO_SERIAL_25)).contains(new HeapLayout.Range(0xf5550000L, 0xf5673ab8L));
    }

    @Test
    void parallelsOldGenerationIsFoundInBothReportFormats() {
        assertThat(HeapLayout.oldInUse(HEAP_INFO_PARALLEL_25)).contains(new HeapLayout.Range(0xf0000000L, 0xf0123ab8L));
    }

    @Test
    void zgcOnJdk17ReservesThreeViewsAndOnJdk25OneAndThePhysicalOffsetsAreNotAddresses() {
        assertThat(HeapLayout.parse(NMT_ZGC_17, "").heap()).hasSize(3);
        HeapLayout z25 = HeapLayout.parse(NMT_ZGC_25, " ZHeap  used 48M, capacity 256M, max capacity 256M\n");
        assertThat(z25.heap()).containsExactly(new HeapLayout.Range(0x40000000000L, 0x40100000000L));
        assertThat(z25.oldInUse()).isEqualTo(Optional.empty());
    }

    @Test
    void anEmptyOldGenerationHasNoRangeInUse() {
        assertThat(HeapLayout.oldInUse(HEAP_INFO_SERIAL_17.replace("0x00000000f5673ab8", "0x00000000f5550000"))).isEmpty();
    }

    @Test
    void thisTestJvmRunsWithoutNativeMemoryTrackingAndIsToldWhichFlagToAdd() {
        assertThatThrownBy(HeapLayout::ofThisJvm)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("-XX:NativeMemoryTracking=detail")
                .hasMessageContaining("not enabled");
    }
}
