// PageMap in one process: untouched pages are absent, written pages private, and a read maps what this kernel's probe found.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Processes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
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

    /**
     * What reading a never-written page maps differs between kernels (see
     * {@link KernelProbe.ReadFault}). The probe decided from pagemap bit 56 of its own
     * region; this test reads two pages of another region and checks the answer against
     * observations the probe never looks at: smaps Rss (the zero page is never counted),
     * and, where frame numbers are visible (root), whether both pages share one frame and
     * whether /proc/kpageflags marks it as the zero page.
     */
    @Test
    void aReadFaultOfAnUntouchedPageMapsWhatTheProbeFound() {
        KernelProbe.ReadFault probed = KernelProbe.readFault();
        boolean zero = probed == KernelProbe.ReadFault.ZERO_PAGE;
        String kind = "read_fault=" + probed.label();
        try (Region r = Region.allocate(4 * Region.PAGE_SIZE)) {
            assertThat(r.getLong(Region.PAGE_SIZE) + r.getLong(3 * Region.PAGE_SIZE + 64)).isZero();
            PageMap map = PageMap.ofSelf(r);
            Smaps.Fields fields = Smaps.of(Processes.self(), r).fields();
            assertThat(map.pagesIn(PageState.NOT_PRESENT)).as("%s: only the two pages read are mapped", kind)
                    .containsExactly(0, 2);
            PageState expected = zero ? PageState.SHARED : PageState.PRIVATE;
            assertThat(List.of(map.state(1), map.state(3))).as("%s: pagemap bit 56 of both pages read", kind)
                    .containsOnly(expected);
            assertThat(fields.rssKb()).as("%s: Rss of the region (the zero page is never counted)", kind)
                    .isEqualTo(zero ? 0 : 8);
            assertThat(fields.privateDirtyKb()).as("%s: reading wrote nothing", kind).isZero();
            String frames;
            if (map.framesVisible()) {
                long a = map.frame(1);
                long b = map.frame(3);
                assertThat(a == b).as("%s: both pages map one frame (0x%x, 0x%x)", kind, a, b).isEqualTo(zero);
                assertThat(isZeroPageFrame(a)).as("%s: /proc/kpageflags marks frame 0x%x ZERO_PAGE", kind, a)
                        .isEqualTo(zero);
                frames = "frames 0x" + Long.toHexString(a) + " and 0x" + Long.toHexString(b) + " checked in kpageflags";
            } else {
                frames = "frame numbers hidden (not root): pagemap bit 56 and Rss checked";
            }
            System.out.println("read-fault: " + kind + " confirmed: " + map + "; Rss " + fields.rssKb() + " kB; " + frames);
        }
    }

    /** Bit 24 (KPF_ZERO_PAGE) of the frame's entry in /proc/kpageflags (root only). */
    private static boolean isZeroPageFrame(long frame) {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/kpageflags"), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            while (buf.hasRemaining() && ch.read(buf, frame * 8 + buf.position()) > 0) {
                // a read of 8 bytes from a proc file may come in parts
            }
            return (buf.getLong(0) >>> 24 & 1) != 0;
        } catch (IOException e) {
            throw new IllegalStateException("frame numbers are visible but /proc/kpageflags is not: " + e, e);
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
