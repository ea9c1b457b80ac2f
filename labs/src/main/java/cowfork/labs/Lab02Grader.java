// Lab 02's grader: write the page-table reader behind PageMap yourself, and let the kernel check it page by page.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.lab.PagemapReader;
import cowfork.fork.Forker;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link PagemapReader}: decoding hand-made entries, then reading a forked child's
 * page table, page by page against chapter 02's {@link PageMap}, after the child wrote one
 * byte in every fifth page.
 */
public class Lab02Grader {

    @Test
    void decodingHandMadeEntries() {
        long present = 1L << 63;
        long swapped = 1L << 62;
        long exclusive = 1L << 56;
        assertThat(PagemapReader.decode(0)).as("an empty entry").isEqualTo(PageState.NOT_PRESENT);
        assertThat(PagemapReader.decode(present)).as("present, not exclusive").isEqualTo(PageState.SHARED);
        assertThat(PagemapReader.decode(present | exclusive | 0x1234)).as("present, exclusive, frame 0x1234")
                .isEqualTo(PageState.PRIVATE);
        assertThat(PagemapReader.decode(swapped | 0x5)).as("swapped out").isEqualTo(PageState.SWAPPED);
        assertThat(PagemapReader.decode(1L << 55)).as("soft-dirty only: still not present").isEqualTo(PageState.NOT_PRESENT);
    }

    @Test
    void yourReaderSeesTheChildsCopiesWhereItWrote() {
        int pages = 64;
        try (Region region = Region.allocate(pages * Region.PAGE_SIZE)) {
            region.fill(0, 48 * Region.PAGE_SIZE, (byte) 1); // pages 0..47 present and shared after fork; 48..63 never touched
            List<List<PageState>> answer = ChildSnapshot.take(Forker.safe(),
                    () -> {
                        for (long page = 0; page < 48; page += 5) {
                            region.putByte(page * Region.PAGE_SIZE + 11, (byte) 2); // copies pages 0, 5, ..., 45
                        }
                    },
                    pid -> bothReadings(pid, region, pages));
            List<PageState> expected = answer.get(0);
            for (int i = 0; i < pages; i++) {
                PageState want = i >= 48 ? PageState.NOT_PRESENT : i % 5 == 0 ? PageState.PRIVATE : PageState.SHARED;
                assertThat(expected.get(i)).as("PageMap's state of page %d (the test's own premise)", i).isEqualTo(want);
            }
            assertThat(answer.get(1)).as("your states, page by page").isEqualTo(expected);
        }
    }

    /** Any set of pages the child writes, in a region whose every page the parent touched: your states, page by page, are the kernel's. */
    @Property(tries = 5)
    void yourReaderAgreesWithTheKernelForAnyPagesTheChildWrites(@ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 127) Integer> written) {
        int pages = 128;
        try (Region region = Region.allocate(pages * Region.PAGE_SIZE)) {
            region.fill(0, region.size(), (byte) 1);
            List<List<PageState>> answer = ChildSnapshot.take(Forker.safe(),
                    () -> written.forEach(p -> region.putByte(p * (long) Region.PAGE_SIZE + 100, (byte) 3)),
                    pid -> bothReadings(pid, region, pages));
            assertThat(answer.get(0).stream().filter(st -> st == PageState.PRIVATE).count())
                    .as("PageMap's private pages (the test's own premise)").isEqualTo(written.size());
            assertThat(answer.get(1)).as("your states, page by page, after the child wrote pages %s", new TreeSet<>(written))
                    .isEqualTo(answer.get(0));
        }
    }

    @Test
    void readingAProcessThatIsGoneFailsWithAClearError() {
        int gone = Forker.safe().run(child -> new byte[0]).pid(); // forked, exited and reaped: no such process now
        assertThatThrownBy(() -> PagemapReader.read(gone, 0x10000, 1)).as("reading the pagemap of process %d, which has exited", gone)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(Integer.toString(gone));
    }

    /** The child's page states by chapter 02's PageMap, then by your reader and decoder. */
    private static List<List<PageState>> bothReadings(int pid, Region region, int pages) {
        PageMap kernel = PageMap.of(pid, region);
        long[] yours = PagemapReader.read(pid, region.address(), pages);
        List<PageState> expected = new ArrayList<>();
        List<PageState> decoded = new ArrayList<>();
        for (int i = 0; i < pages; i++) {
            expected.add(kernel.state(i));
            decoded.add(PagemapReader.decode(yours[i]));
        }
        return List.of(expected, decoded);
    }
}
