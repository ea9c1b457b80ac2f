// The experiment's own invariants, on real measured JVMs: page counts bounded by the heap, Serial's young collection leaves the live set shared, its full collection writes all of it.
package cowfork.jvmgc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JvmCollectorsTest {
    private static final int LIVE_MB = 16;
    private static String serialOutput;
    private static List<GcLine> serial;

    /** One Serial JVM for the whole class (each run costs a JVM start); its deadline kills it at 60 s. */
    @BeforeAll
    static void runSerial() {
        serialOutput = run(new JvmCollectors.Options(LIVE_MB, List.of("Serial"), 60));
        serial = serialOutput.lines().map(GcLine::parse).toList();
    }

    private static String run(JvmCollectors.Options options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = JvmCollectors.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), options);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(status).as(out).isZero();
        return out;
    }

    private static GcLine event(String name) {
        return serial.stream().filter(l -> l.event().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no event=" + name + " in:\n" + serialOutput));
    }

    @Test
    void oneLinePerEventInTheIssuesFormat() {
        assertThat(serial).extracting(GcLine::event).containsExactly("none", "young", "full");
        assertThat(serialOutput.lines()).allMatch(l -> l.matches(
                "jvm-gc: jdk=\\d+ collector=Serial event=\\S+ live_mb=16 heap_pages_shared_at_fork=\\d+ unshared_after=\\d+ .*"));
    }

    @Test
    void noCountExceedsWhatItIsPartOf() {
        for (GcLine l : serial) {
            assertThat(l.sharedAtFork()).as(l.toString()).isLessThanOrEqualTo(l.heapPages());
            assertThat(l.unsharedAfter()).as(l.toString()).isBetween(0L, l.sharedAtFork());
            assertThat(l.livePages().getAsLong()).as(l.toString()).isLessThanOrEqualTo(l.sharedAtFork());
            assertThat(l.liveUnshared().getAsLong()).as(l.toString()).isBetween(0L, l.livePages().getAsLong());
        }
    }

    @Test
    void atForkTheChildSharesNearlyTheWholePreTouchedHeap() {
        // -XX:+AlwaysPreTouch makes every heap page present; a live child maps each of them too.
        for (GcLine l : serial) {
            assertThat(l.sharedAtFork()).as(l.toString()).isGreaterThan(l.heapPages() * 95 / 100);
        }
    }

    @Test
    void theLiveSetsPagesAreFoundInTheOldGeneration() {
        long expected = (long) LIVE_MB << 20 >> 12; // 16 MiB of 32-byte nodes in 4 KiB pages
        assertThat(event("young").livePages().getAsLong()).isBetween(expected * 9 / 10, expected + 1);
    }

    @Test
    void theChildOutlivesEveryCollectionInItsParent() {
        // Copy-on-write: whatever the parent's collector writes, the child keeps its own pages.
        assertThat(serial).allSatisfy(l -> assertThat(l.child()).isEqualTo("exited"));
    }

    @Test
    void measuringAloneUnSharesLittle() {
        GcLine none = event("none");
        assertThat(none.gcs()).isEqualTo("none");
        assertThat(none.unsharedAfter()).as(none.toString()).isLessThan(none.heapPages() / 20);
        assertThat(none.liveUnshared()).hasValue(0);
    }

    @Test
    void aYoungCollectionRewritesEdenButLeavesTheLiveSetShared() {
        // No old object refers to a young one: the copying collector reads dirty cards (none)
        // and copies survivors into the survivor space; it never writes an old object.
        GcLine young = event("young");
        assertThat(young.gcs()).isEqualTo("Copy+1");
        assertThat(young.liveUnshared()).as(young.toString()).hasValue(0);
        assertThat(young.unsharedAfter()).as("eden was allocated through and collected").isGreaterThan(young.heapPages() / 10);
    }

    @Test
    void aFullCollectionWritesEveryPageOfTheLiveSet() {
        // Serial's mark-compact sets the mark bit in every live object's header.
        GcLine full = event("full");
        assertThat(full.gcs()).contains("MarkSweepCompact+1");
        assertThat(full.liveUnshared()).as(full.toString()).isEqualTo(full.livePages());
    }

    @Test
    void zgcsHeapIsASharedMappingSoItIsNotForked() {
        String out = run(new JvmCollectors.Options(LIVE_MB, List.of("ZGC"), 60));
        assumeThat(out).as("this JDK has ZGC (some builds leave it out)").doesNotContain("unavailable");
        GcLine z = GcLine.parse(out.strip());
        assertThat(z.event()).isEqualTo("not-forked");
        assertThat(z.mapping()).as("pagemap bit 61: a file or shared anonymous page").isEqualTo("shared");
        assertThat(z.child()).isEqualTo("none");
    }

    @Test
    void badOptionsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> JvmCollectors.parse(new String[] {"--live-mb", "0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--live-mb must be 1..4096, got 0");
        assertThatThrownBy(() -> JvmCollectors.parse(new String[] {"--collectors", "Serial,CMS"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Invalid value for option '--collectors'").hasMessageContaining("'CMS' is not one of Serial, Parallel, G1, ZGC, Shenandoah")
                .hasMessageContaining("Shenandoah");
        assertThat(JvmCollectors.parse(new String[] {"--collectors=G1,Serial"}).collectors()).as("the given list replaces all")
                .containsExactly("G1", "Serial");
        assertThat(JvmCollectors.parse(new String[] {"--collectors", "G1", "--collectors", "ZGC"}).collectors())
                .as("the last one wins").containsExactly("ZGC");
        assertThat(JvmCollectors.parse(new String[] {"--fork-shared-heaps", "--live-mb", "8"}))
                .isEqualTo(new JvmCollectors.Options(8, JvmCollectors.ALL, 120, true));
        assertThatThrownBy(() -> JvmCollectors.parse(new String[] {"--live-mb"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Missing required parameter for option '--live-mb'");
        assertThat(JvmCollectors.parse(new String[] {"--live-mb", "256"}).liveMb()).isEqualTo(256);
        assertThat(JvmCollectors.parse(new String[] {"--live-mb=256", "--fork-shared-heaps"}))
                .isEqualTo(JvmCollectors.parse(new String[] {"--live-mb", "256", "--fork-shared-heaps"}));
    }

    @Test
    void g1GetsASecondJvmForItsConcurrentCycle() {
        assertThat(JvmCollectors.plan(List.of("G1"))).extracting(JvmCollectors.Run::events)
                .containsExactly("none,young,full", "concurrent");
        assertThat(JvmCollectors.plan(List.of("G1")).get(1).flags()).contains("-XX:+ExplicitGCInvokesConcurrent");
    }
}
