// Lab 02's grader: write the page-table reader behind PageMap yourself, and let the kernel check it page by page.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.lab.PagemapReader;
import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.fork.PollSet;
import cowfork.support.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
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
 * Grades {@link PagemapReader}: decoding hand-made entries; reading a forked child's page
 * table, page by page against chapter 02's {@link PageMap}, after the child wrote known pages;
 * and the ends of the file: a range that runs past the end of the address space (the kernel's
 * read comes back short, then empty), a zombie (exited, not reaped: {@code /proc/PID} is still
 * there, its page table is not) and a process that is gone.
 */
public class Lab02Grader {
    /** How long a read may take before the grader calls it endless: a correct one takes microseconds. */
    private static final Duration HANG = Duration.ofSeconds(10);

    @Test
    void decodingHandMadeEntries() {
        long present = 1L << 63;
        long swapped = 1L << 62;
        long file = 1L << 61;
        long exclusive = 1L << 56;
        assertThat(PagemapReader.decode(0)).as("an empty entry").isEqualTo(PageState.NOT_PRESENT);
        assertThat(PagemapReader.decode(present)).as("present, not exclusive").isEqualTo(PageState.SHARED);
        assertThat(PagemapReader.decode(present | exclusive | 0x1234)).as("present, exclusive, frame 0x1234")
                .isEqualTo(PageState.PRIVATE);
        assertThat(PagemapReader.decode(present | file | exclusive)).as("a file page only this process maps")
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

    /**
     * The last 4 pages of this process's address space and 4 pages beyond it: the kernel
     * returns the 4 entries it has (a short read), then nothing (end of file). The reader must
     * say so, not loop forever and not invent entries.
     */
    @Test
    void aRangePastTheEndOfTheAddressSpaceFailsClearly() {
        int self = Processes.self();
        long end = addressSpaceEnd(self);
        long[] lastFour = PagemapReader.read(self, end - 4L * Region.PAGE_SIZE, 4); // the kernel has these
        assertThat(lastFour).as("the last 4 pages of the address space, below 0x%x", end).hasSize(4);
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> PagemapReader.read(self, end - 4L * Region.PAGE_SIZE, 8))
                .as("8 pages from 4 pages below the end of the address space (0x%x): the kernel has only 4", end)
                .isInstanceOf(IllegalStateException.class),
                "reading 8 pages from 4 below the end of the address space did not return within " + HANG.toSeconds() + " s");
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> PagemapReader.read(self, 1L << 60, 1))
                .as("a page at 2^60, far beyond the address space (which ends at 0x%x)", end)
                .isInstanceOf(IllegalStateException.class),
                "reading a page at 2^60 did not return within " + HANG.toSeconds() + " s");
    }

    /** A child that has exited but is not reaped yet: its /proc/PID is still there, its page table is gone. */
    @Test
    void readingAZombieFailsWithAClearError() {
        try (ChildHandle child = Forker.safe().start(c -> new byte[0])) {
            new PollSet(child.exitFd()).await(ChildSnapshot.READY_TIMEOUT.toMillis()); // the pidfd turns readable at exit
            assertThat(child.state()).as("the child %d, exited and not reaped (the test's own premise)", child.pid()).isEqualTo('Z');
            assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> PagemapReader.read(child.pid(), 0x10000, 1))
                    .as("reading the pagemap of process %d, a zombie", child.pid())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(Integer.toString(child.pid())),
                    "reading a zombie's pagemap did not return within " + HANG.toSeconds() + " s");
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

    /**
     * The first address past the end of {@code pid}'s address space, probed rather than assumed
     * (47 bits on x86-64 with 4-level page tables, more with 5-level ones, other values on other
     * machines): the lowest page whose pagemap entry the kernel does not return.
     */
    static long addressSpaceEnd(int pid) {
        Path file = Path.of("/proc", String.valueOf(pid), "pagemap");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long has = 0; // page 0 always has an entry (an unmapped page reads as zero)
            long hasNot = 1L << 52; // address 2^64: no machine maps it
            ByteBuffer one = ByteBuffer.allocate(8);
            while (hasNot - has > 1) {
                long mid = has + (hasNot - has) / 2;
                one.clear();
                if (ch.read(one, mid * 8) == 8) {
                    has = mid;
                } else {
                    hasNot = mid;
                }
            }
            return hasNot * Region.PAGE_SIZE;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe the end of " + file, e);
        }
    }
}
