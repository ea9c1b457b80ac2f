// What one byte written by a forked child costs, with and without transparent huge pages: measured, not assumed.
package cowfork.cow;

import cowfork.fork.Forker;
import cowfork.support.Processes;

/**
 * The experiment behind "why huge pages are off": the parent fills a region, forks a
 * child, the child writes one byte, and the parent reads the kernel's account of the
 * child's copy of the region ({@code Private_Dirty}, {@code AnonHugePages}, the page map).
 *
 * <p>With 4 KiB pages the answer is one page. With a 2 MiB transparent huge page the
 * answer depends on the kernel: old kernels copied the whole 2 MiB on the first write;
 * since Linux 5.8 the huge page mapping is split and only 4 KiB is copied. Which one
 * this machine does is what {@link #measure} reports.
 */
public final class HugePageCost {
    private HugePageCost() {}

    /**
     * What the kernel reported.
     *
     * @param hugePages      whether the region allowed huge pages
     * @param regionKb       the region's size
     * @param parentBefore   the parent's smaps entry for the region after filling it, before fork
     *                       ({@code anonHugePagesKb() > 0} means a huge page really backed it)
     * @param childAfter     the child's smaps entry after its one-byte write
     * @param childMap       the child's page map of the region after its write
     * @param parentAfter    the parent's smaps entry while the child still lives
     */
    public record Measurement(Region.HugePages hugePages, long regionKb, Smaps.Fields parentBefore,
                              Smaps.Fields childAfter, PageMap childMap, Smaps.Fields parentAfter) {
        /** What the one-byte write cost the child: its private dirty memory in the region. */
        public long writeCostKb() {
            return childAfter.privateDirtyKb();
        }

        /** One line per fact, for the demo and the README. */
        public String describe() {
            return String.format(
                    "%s: region %d kB, parent AnonHugePages before fork %d kB%n"
                            + "  child wrote 1 byte: Private_Dirty %d kB, AnonHugePages %d kB, Rss %d kB, Pss %d kB;"
                            + " page map %d private, %d shared%n"
                            + "  parent meanwhile: AnonHugePages %d kB, Private_Dirty %d kB, Pss %d kB",
                    hugePages == Region.HugePages.ALLOWED ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", regionKb,
                    parentBefore.anonHugePagesKb(), childAfter.privateDirtyKb(), childAfter.anonHugePagesKb(),
                    childAfter.rssKb(), childAfter.pssKb(), childMap.count(PageState.PRIVATE),
                    childMap.count(PageState.SHARED), parentAfter.anonHugePagesKb(), parentAfter.privateDirtyKb(),
                    parentAfter.pssKb());
        }
    }

    /**
     * Runs the experiment on a fresh region of {@code bytes} (rounded up to whole 2 MiB
     * huge pages) and unmaps it afterwards. The child writes one byte in the middle of the
     * first huge page.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     * @throws cowfork.fork.ChildFailedException if the child fails or misses the forker's deadline
     */
    public static Measurement measure(Forker forker, Region.HugePages hugePages, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the experiment needs a positive region size, got " + bytes);
        }
        long size = (bytes + Region.HUGE_PAGE_SIZE - 1) / Region.HUGE_PAGE_SIZE * Region.HUGE_PAGE_SIZE;
        long target = Region.HUGE_PAGE_SIZE / 2 + 123;
        try (Region region = Region.allocate(size, hugePages)) {
            region.fill(0, region.size(), (byte) 0x5a);
            Smaps.Fields before = Smaps.of(Processes.self(), region).fields();
            record ChildView(Smaps.Fields childAfter, PageMap childMap, Smaps.Fields parentAfter) {}
            ChildView view = ChildSnapshot.take(forker, () -> region.putByte(target, (byte) 0x5b),
                    pid -> new ChildView(Smaps.of(pid, region).fields(), PageMap.of(pid, region),
                            Smaps.of(Processes.self(), region).fields()));
            return new Measurement(hugePages, region.size() >> 10, before, view.childAfter(), view.childMap(),
                    view.parentAfter());
        }
    }
}
