// Region: sizes, bounds, use after close, huge page alignment, and one smaps entry per region.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Processes;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RegionTest {

    @Test
    void sizeIsRoundedUpToWholePagesAndStartsZeroed() {
        try (Region r = Region.allocate(5000)) {
            assertThat(r.size()).isEqualTo(2 * Region.PAGE_SIZE);
            assertThat(r.pages()).isEqualTo(2);
            assertThat(r.address() % Region.PAGE_SIZE).isZero();
            assertThat(r.getLong(r.size() - 8)).isZero();
        }
    }

    @Test
    void badSizesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Region.allocate(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> Region.allocate(-4096)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-4096");
        assertThatThrownBy(() -> Region.allocate(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("larger than");
    }

    @Test
    void everyAccessOutsideTheRegionThrowsAndSaysWhere() {
        try (Region r = Region.allocate(Region.PAGE_SIZE)) {
            r.putByte(4095, (byte) 7);
            assertThat(r.getByte(4095)).isEqualTo((byte) 7);
            r.putLong(4088, 42);
            assertThat(r.getLong(4088)).isEqualTo(42);
            assertThatThrownBy(() -> r.getByte(4096)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("4096");
            assertThatThrownBy(() -> r.getByte(-1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.putLong(4089, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.getInt(Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.fill(1, 4096, (byte) 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.fill(0, -1, (byte) 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.putBytes(4000, new byte[200], 0, 200)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.getBytes(0, new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(r.getByte(0)).as("failed writes wrote nothing").isZero();
        }
    }

    @Test
    void useAfterCloseThrowsAndCloseIsIdempotent() {
        Region r = Region.allocate(Region.PAGE_SIZE);
        r.close();
        r.close();
        assertThat(r.isClosed()).isTrue();
        assertThat(r.toString()).contains("closed");
        assertThatThrownBy(() -> r.getByte(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> r.putLong(0, 1)).isInstanceOf(IllegalStateException.class);
        assertThat(Smaps.all(Processes.self())).noneMatch(m -> m.contains(r.address()) && m.perms().equals("rw-p")
                && m.start() == r.address());
    }

    @Test
    void eachRegionIsExactlyOneSmapsEntryEvenNextToAnother() {
        try (Region a = Region.allocate(8 * Region.PAGE_SIZE); Region b = Region.allocate(8 * Region.PAGE_SIZE)) {
            for (Region r : new Region[] {a, b}) {
                Smaps.Mapping m = Smaps.of(Processes.self(), r);
                assertThat(m.start()).isEqualTo(r.address());
                assertThat(m.end()).isEqualTo(r.address() + r.size());
                assertThat(m.vmFlags()).contains("nh");
                assertThat(Smaps.mappingAt(Processes.self(), r.address() - 1).perms()).as("guard before").isEqualTo("---p");
                assertThat(Smaps.mappingAt(Processes.self(), r.address() + r.size()).perms()).as("guard after").isEqualTo("---p");
            }
        }
    }

    @Test
    void hugePageRegionsStartOnAHugePageBoundaryAndAskForHugePages() {
        try (Region r = Region.allocate(3 << 20, Region.HugePages.ALLOWED)) {
            assertThat(r.address() % Region.HUGE_PAGE_SIZE).isZero();
            assertThat(Smaps.of(Processes.self(), r).vmFlags()).contains("hg");
            assertThat(r.toString()).contains("huge pages allowed");
        }
    }

    @Property(tries = 100)
    void aLongWrittenAnywhereReadsBack(@ForAll @LongRange(min = 0, max = 3 * 4096 - 8) long offset, @ForAll long value) {
        try (Region r = Region.allocate(3 * Region.PAGE_SIZE)) {
            r.putLong(offset, value);
            assertThat(r.getLong(offset)).isEqualTo(value);
            byte[] bytes = new byte[8];
            r.getBytes(offset, bytes, 0, 8);
            assertThat(java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).getLong())
                    .as("the same eight bytes, copied out").isEqualTo(value);
        }
    }
}
