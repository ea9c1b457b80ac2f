// Smaps: parsing every field (missing ones as 0), finding a region's entry, rollup, and sums by class.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Processes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmapsTest {
    private static final String SAMPLE = """
            7f0000000000-7f0000004000 rw-p 00000000 00:00 0
            Size:                 16 kB
            Rss:                  12 kB
            Pss:                   6 kB
            Shared_Clean:          0 kB
            Shared_Dirty:          8 kB
            Private_Clean:         0 kB
            Private_Dirty:         4 kB
            Anonymous:            12 kB
            AnonHugePages:         0 kB
            THPeligible:    0
            VmFlags: rd wr mr mw me ac nh
            7f0000010000-7f0000011000 r-xp 00001000 08:01 1234                       /usr/lib/x: odd name.so
            Rss:                   4 kB
            Pss:                   1 kB
            Shared_Clean:          4 kB
            THPeligible:    1
            VmFlags: rd ex mr mw me
            """;

    @Test
    void parsesEveryFieldAndTreatsMissingOnesAsZero() {
        List<Smaps.Mapping> maps = Smaps.parse(SAMPLE);
        assertThat(maps).hasSize(2);
        Smaps.Mapping anon = maps.get(0);
        assertThat(anon.start()).isEqualTo(0x7f0000000000L);
        assertThat(anon.end()).isEqualTo(0x7f0000004000L);
        assertThat(anon.sizeKb()).isEqualTo(16);
        assertThat(anon.name()).isEmpty();
        assertThat(anon.perms()).isEqualTo("rw-p");
        assertThat(anon.thpEligible()).isFalse();
        assertThat(anon.vmFlags()).contains("nh", "wr");
        Smaps.Fields f = anon.fields();
        assertThat(List.of(f.rssKb(), f.pssKb(), f.sharedDirtyKb(), f.privateDirtyKb(), f.anonymousKb()))
                .containsExactly(12L, 6L, 8L, 4L, 12L);
        assertThat(f.swapKb()).as("absent field").isZero();
        assertThat(f.kb("Private_Dirty")).isEqualTo(4);
        assertThat(f.kb("NoSuchField")).isZero();
        Smaps.Mapping lib = maps.get(1);
        assertThat(lib.name()).isEqualTo("/usr/lib/x: odd name.so");
        assertThat(lib.thpEligible()).isTrue();
        assertThat(lib.fields().sharedCleanKb()).isEqualTo(4);
        assertThat(lib.fields().privateDirtyKb()).isZero();
        assertThat(lib.contains(0x7f0000010000L)).isTrue();
        assertThat(lib.contains(0x7f0000011000L)).isFalse();
    }

    @Test
    void sumByAddsFieldsPerClass() {
        List<Smaps.Mapping> maps = Smaps.parse(SAMPLE);
        Map<String, Smaps.Fields> sums = Smaps.sumBy(maps, m -> "all");
        assertThat(sums.get("all").rssKb()).isEqualTo(16);
        assertThat(sums.get("all").pssKb()).isEqualTo(7);
        Map<Boolean, Smaps.Fields> byAnon = Smaps.sumBy(maps, m -> m.name().isEmpty());
        assertThat(byAnon.get(true).privateDirtyKb()).isEqualTo(4);
        assertThat(byAnon.get(false).sharedCleanKb()).isEqualTo(4);
        assertThat(Smaps.Fields.ZERO.plus(maps.get(0).fields())).isEqualTo(maps.get(0).fields());
    }

    @Test
    void aFilledRegionIsChargedInFullToItsOnlyProcess() {
        int self = Processes.self();
        try (Region r = Region.allocate(32 * Region.PAGE_SIZE)) {
            assertThat(Smaps.of(self, r).fields().rssKb()).as("untouched").isZero();
            long rollupBefore = Smaps.rollup(self).privateDirtyKb();
            r.fill(0, r.size(), (byte) 1);
            Smaps.Fields f = Smaps.of(self, r).fields();
            assertThat(f.rssKb()).isEqualTo(128);
            assertThat(f.pssKb()).isEqualTo(128);
            assertThat(f.privateDirtyKb()).isEqualTo(128);
            assertThat(f.anonymousKb()).isEqualTo(128);
            assertThat(f.sharedDirtyKb()).isZero();
            assertThat(Smaps.rollup(self).privateDirtyKb()).isGreaterThanOrEqualTo(128);
            assertThat(rollupBefore).isPositive();
            Map<Boolean, Smaps.Fields> byRegion = Smaps.sumBy(Smaps.all(self), m -> m.contains(r.address()));
            assertThat(byRegion.get(true)).isEqualTo(f);
        }
    }

    @Test
    void clearErrorsForNoSuchProcessOrAddress() {
        assertThatThrownBy(() -> Smaps.rollup(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no process");
        assertThatThrownBy(() -> Smaps.mappingAt(Processes.self(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no mapping at 0x0");
    }
}
