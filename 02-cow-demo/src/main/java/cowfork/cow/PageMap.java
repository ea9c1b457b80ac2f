// One process's page table for an address range, read from /proc/PID/pagemap: which pages are shared, which private.
package cowfork.cow;

import cowfork.support.Processes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A snapshot of the page-table entries of one process for a range of its addresses,
 * read from {@code /proc/PID/pagemap}: 8 bytes per 4 KiB virtual page.
 *
 * <pre>
 *   bit 63      page present in memory
 *   bit 62      page swapped out
 *   bit 61      file page or shared anonymous page
 *   bit 56      page exclusively mapped (this process is its only user; Linux 4.2+)
 *   bit 55      soft-dirty
 *   bits 0-54   page frame number (zero unless the reader has CAP_SYS_ADMIN)
 * </pre>
 *
 * A present anonymous page with bit 56 clear is still shared with the parent or a
 * sibling; with bit 56 set it belongs to this process alone. That is all copy-on-write
 * needs: {@link #privatePages()} of a forked child are the pages it (or nobody else)
 * holds a copy of.
 *
 * <p>Works for this process and for any process we may ptrace-read: our own children
 * (while they are alive; a child waiting in {@code receive()} is ideal). The snapshot
 * does not change afterwards.
 */
public final class PageMap {
    static final long PRESENT = 1L << 63;
    static final long SWAPPED = 1L << 62;
    static final long EXCLUSIVE = 1L << 56;
    static final long FRAME_MASK = (1L << 55) - 1;

    private final int pid;
    private final long address;
    private final long[] entries;

    private PageMap(int pid, long address, long[] entries) {
        this.pid = pid;
        this.address = address;
        this.entries = entries;
    }

    /** The page map of {@code region} in process {@code pid} (the region must have been mapped before that process was forked, or in it). */
    public static PageMap of(int pid, Region region) {
        return of(pid, region.address(), region.size());
    }

    /** The page map of {@code region} in this process. */
    public static PageMap ofSelf(Region region) {
        return of(Processes.self(), region);
    }

    /**
     * Reads the entries of every page that overlaps [address, address + length) in
     * process {@code pid}. Pages outside any mapping read as {@link PageState#NOT_PRESENT}.
     *
     * @throws IllegalArgumentException if the range is empty, negative or too large (more
     *         than 2^31 - 1 pages), or there is no process {@code pid} (it has exited)
     * @throws IllegalStateException if the kernel refuses to show that process's page
     *         table (not ours and not root), the read fails, or the kernel's pages are not
     *         4 KiB ({@link Region#requireKernelPageSize})
     */
    public static PageMap of(int pid, long address, long length) {
        Region.requireKernelPageSize();
        if (length <= 0 || address < 0) {
            throw new IllegalArgumentException("a page map needs a non-negative address and a positive length, got address 0x"
                    + Long.toHexString(address) + " length " + length);
        }
        long first = address / Region.PAGE_SIZE;
        long last = (address + length - 1) / Region.PAGE_SIZE;
        long count = last - first + 1;
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(count + " pages is more than one snapshot holds; read the range in parts");
        }
        long[] entries = new long[(int) count];
        Path file = Path.of("/proc", String.valueOf(pid), "pagemap");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count * 8, 1 << 20)).order(ByteOrder.nativeOrder());
            int done = 0;
            while (done < count) {
                buf.clear();
                buf.limit((int) Math.min((count - done) * 8, buf.capacity()));
                long position = (first + done) * 8;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, position + buf.position());
                    if (n <= 0) {
                        throw new IllegalStateException("short read from " + file + " at page " + (first + done)
                                + ": the address range is beyond what the process can map");
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    entries[done++] = buf.getLong();
                }
            }
        } catch (IOException e) {
            throw ProcFiles.readFailed(pid, file, e);
        }
        return new PageMap(pid, first * Region.PAGE_SIZE, entries);
    }

    /** The process this snapshot was read from. */
    public int pid() {
        return pid;
    }

    /** The address of page 0 (page-aligned). */
    public long address() {
        return address;
    }

    /** How many pages the snapshot covers. */
    public int pages() {
        return entries.length;
    }

    /**
     * The state of page {@code i}.
     *
     * @throws IndexOutOfBoundsException unless 0 <= i < pages()
     */
    public PageState state(int i) {
        return stateOf(entries[i]);
    }

    /** The state a raw 64-bit pagemap entry says its page is in: for a reader of {@code /proc/PID/pagemap} that keeps no snapshot. */
    public static PageState stateOf(long e) {
        if ((e & PRESENT) != 0) {
            return (e & EXCLUSIVE) != 0 ? PageState.PRIVATE : PageState.SHARED;
        }
        return (e & SWAPPED) != 0 ? PageState.SWAPPED : PageState.NOT_PRESENT;
    }

    /** The raw 64-bit pagemap entry of page {@code i}, for bits this class does not name. */
    public long entry(int i) {
        return entries[i];
    }

    /**
     * The physical page frame number behind page {@code i}, or 0 when the page is not
     * present or the kernel hides frame numbers from us (readers without CAP_SYS_ADMIN).
     */
    public long frame(int i) {
        return (entries[i] & PRESENT) != 0 ? entries[i] & FRAME_MASK : 0;
    }

    /** Whether frame numbers are visible in this snapshot (some present page has a non-zero frame). */
    public boolean framesVisible() {
        for (int i = 0; i < entries.length; i++) {
            if (frame(i) != 0) {
                return true;
            }
        }
        return false;
    }

    /** How many pages are in {@code state}. */
    public int count(PageState state) {
        int n = 0;
        for (int i = 0; i < entries.length; i++) {
            if (state(i) == state) {
                n++;
            }
        }
        return n;
    }

    /** The indices of the pages in {@code state}, ascending. */
    public List<Integer> pagesIn(PageState state) {
        List<Integer> result = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            if (state(i) == state) {
                result.add(i);
            }
        }
        return result;
    }

    /** The indices of the private pages, ascending: in a forked child, the pages it copied. */
    public List<Integer> privatePages() {
        return pagesIn(PageState.PRIVATE);
    }

    /**
     * The proportional set size this process should be charged for these pages, by the
     * kernel's own rule: a private page counts in full, a page shared by n processes
     * counts 1/n. Here n is the number of snapshots in {@code family} (this one included)
     * in which the same page is {@link PageState#SHARED}. That is right when
     * {@code family} holds every process that maps the region (a parent and its forked
     * children, all covering the same range) and every present page is a real page, not
     * the kernel's shared zero page (so fill the region before forking).
     *
     * @return bytes (fractional, as the kernel keeps Pss before rounding to kB)
     * @throws IllegalArgumentException if a snapshot in the family covers a different range
     */
    public double pssBytesAmong(Collection<PageMap> family) {
        for (PageMap other : family) {
            if (other.address != address || other.entries.length != entries.length) {
                throw new IllegalArgumentException("snapshot of pid " + other.pid + " covers a different range than pid "
                        + pid + ": compare page maps of the same region");
            }
        }
        double bytes = 0;
        for (int i = 0; i < entries.length; i++) {
            PageState s = state(i);
            if (s == PageState.PRIVATE) {
                bytes += Region.PAGE_SIZE;
            } else if (s == PageState.SHARED) {
                int sharers = 0;
                for (PageMap other : family) {
                    if (other.state(i) == PageState.SHARED) {
                        sharers++;
                    }
                }
                bytes += (double) Region.PAGE_SIZE / Math.max(sharers, 1);
            }
        }
        return bytes;
    }

    /** "pid 42 [0x7f.., 256 pages]: 16 private, 240 shared, 0 not present, 0 swapped". */
    @Override
    public String toString() {
        return "pid " + pid + " [0x" + Long.toHexString(address) + ", " + entries.length + " pages]: "
                + count(PageState.PRIVATE) + " private, " + count(PageState.SHARED) + " shared, "
                + count(PageState.NOT_PRESENT) + " not present, " + count(PageState.SWAPPED) + " swapped";
    }
}
