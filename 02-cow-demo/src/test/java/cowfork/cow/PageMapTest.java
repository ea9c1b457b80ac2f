// PageMap in one process: untouched pages are absent, touched pages are present and, with no child, private.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.fork.Processes;
import org.junit.jupiter.api.Test;

class PageMapTest {

    @Test
    void onlyTouchedPagesArePresentAndWithoutChildrenTheyArePrivate() {
        try (Region r = Region.allocate(16 * Region.PAGE_SIZE)) {
            PageMap fresh = PageMap.ofSelf(r);
            assertThat(fresh.pages()).isEqualTo(16);
            assertThat(fresh.count(PageState.NOT_PRESENT)).isEqualTo(16);
            r.putByte(3 * Region.PAGE_SIZE + 17, (byte) 1);
            r.putByte(9 * Region.PAGE_SIZE, (byte) 1);
            PageMap touched = PageMap.of(Processes.self(), r);
            assertThat(touched.privatePages()).containsExactly(3, 9);
            assertThat(touched.count(PageState.PRIVATE)).isEqualTo(2);
            assertThat(touched.count(PageState.NOT_PRESENT)).isEqualTo(14);
            assertThat(touched.state(3)).isEqualTo(PageState.PRIVATE);
            assertThat(touched.state(4)).isEqualTo(PageState.NOT_PRESENT);
            assertThat(touched.address()).isEqualTo(r.address());
            assertThat(touched.toString()).contains("2 private", "14 not present");
            assertThat(fresh.count(PageState.NOT_PRESENT)).as("a snapshot does not change").isEqualTo(16);
        }
    }

    @Test
    void readingAnUntouchedPageMapsTheSharedZeroPage() {
        try (Region r = Region.allocate(4 * Region.PAGE_SIZE)) {
            assertThat(r.getLong(Region.PAGE_SIZE)).isZero();
            PageMap map = PageMap.ofSelf(r);
            // The kernel's zero page backs every never-written page anyone reads: present, never exclusive.
            assertThat(map.state(1)).isEqualTo(PageState.SHARED);
            assertThat(map.count(PageState.PRIVATE)).isZero();
            assertThat(Smaps.of(Processes.self(), r).fields().privateDirtyKb()).isZero();
        }
    }

    @Test
    void anUnalignedRangeCoversEveryPageItTouches() {
        try (Region r = Region.allocate(4 * Region.PAGE_SIZE)) {
            PageMap map = PageMap.of(Processes.self(), r.address() + 4000, 200);
            assertThat(map.pages()).isEqualTo(2);
            assertThat(map.address()).isEqualTo(r.address());
        }
    }

    @Test
    void badArgumentsAndMissingProcessesAreExplained() {
        assertThatThrownBy(() -> PageMap.of(Processes.self(), 4096, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive length");
        assertThatThrownBy(() -> PageMap.of(Integer.MAX_VALUE, 4096, 4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no process");
        try (Region r = Region.allocate(Region.PAGE_SIZE)) {
            PageMap map = PageMap.ofSelf(r);
            assertThatThrownBy(() -> map.state(1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
