// A block of anonymous memory outside the Java heap, in 4 KiB pages: the memory whose sharing after fork we watch.
package cowfork.cow;

import cowfork.fork.ForkException;
import java.lang.reflect.Field;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import sun.misc.Unsafe;

/**
 * A block of anonymous private memory from {@code mmap}, outside the Java heap: the
 * memory whose pages we watch being shared and copied after {@code fork()}.
 *
 * <pre>
 *   address()                                            address() + size()
 *   |  page 0  |  page 1  |  page 2  |   ...   | page pages()-1 |
 *   <--4096 B-->
 * </pre>
 *
 * Reads and writes are plain loads and stores (through {@code sun.misc.Unsafe}, as C
 * would do them), bounds-checked against the region. By default the region is advised
 * {@code MADV_NOHUGEPAGE}, so the kernel copies it in 4 KiB pages, the unit this
 * project counts in; {@link HugePages#ALLOWED} lets a 2 MiB huge page back it instead
 * (the region then starts on a 2 MiB boundary, where a huge page can fit).
 *
 * <p>The region is mapped between two {@code PROT_NONE} guard pages. They cost no memory,
 * but they keep the kernel from merging the region with a neighbouring mapping of the
 * same kind, so the region is always exactly one entry of {@code /proc/PID/smaps} and
 * {@link Smaps#mappingAt} reports the region's pages and nothing else.
 *
 * <p>Not thread-safe. A forked child gets its own copy-on-write view of the region.
 */
public final class Region implements AutoCloseable {
    /** The page size this project measures in. */
    public static final int PAGE_SIZE = 4096;
    /** The size of a transparent huge page on x86-64 (one PMD entry maps it). */
    public static final long HUGE_PAGE_SIZE = 2L << 20;

    /** The running kernel's page size (sysconf(_SC_PAGESIZE)); {@link #requireKernelPageSize} refuses all but 4096. */
    public static final long KERNEL_PAGE_SIZE;

    /** The largest region allocate() accepts: far above any real machine, far below overflow. */
    public static final long MAX_BYTES = 1L << 46;

    /** Whether transparent huge pages may back the region. */
    public enum HugePages { NEVER, ALLOWED }

    private static final Mman MMAN = LibraryLoader.create(Mman.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(MMAN);
    static final Unsafe UNSAFE = unsafe();

    static {
        KERNEL_PAGE_SIZE = UNSAFE.pageSize();
    }

    private final long address;
    private final long size;
    private final HugePages hugePages;
    /** The whole reservation, guard pages included: what close() unmaps. */
    private final long reservation;
    private final long reservationLength;
    private boolean closed;

    private Region(long address, long size, HugePages hugePages, long reservation, long reservationLength) {
        this.address = address;
        this.size = size;
        this.hugePages = hugePages;
        this.reservation = reservation;
        this.reservationLength = reservationLength;
    }

    /**
     * Throws unless the kernel's pages are 4 KiB. Every page number in this project (a
     * region's pages, pagemap's 8 bytes per page, kB in smaps divided by 4) assumes that
     * size; on a kernel with 16 or 64 KiB pages (some arm64 builds) the figures would be
     * silently wrong, so the page arithmetic refuses to start.
     *
     * @throws IllegalStateException naming the kernel's page size and what to do
     */
    public static void requireKernelPageSize() {
        String refusal = pageSizeRefusal(KERNEL_PAGE_SIZE);
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
    }

    /** Why cowfork cannot count in pages of {@code kernelPageSize} bytes, or null for 4096. Package-private for tests. */
    static String pageSizeRefusal(long kernelPageSize) {
        if (kernelPageSize == PAGE_SIZE) {
            return null;
        }
        String size = kernelPageSize % 1024 == 0 ? (kernelPageSize >> 10) + " KiB" : kernelPageSize + " bytes";
        return "this kernel uses " + size + " pages (" + kernelPageSize + " bytes, see getconf PAGESIZE), but cowfork"
                + " counts memory in 4 KiB pages (Region, PageMap, every figure in the READMEs): run it on a kernel with"
                + " 4 KiB pages (x86-64, or arm64 built with CONFIG_ARM64_4K_PAGES)";
    }

    /** {@code bytes} of zeroed memory in 4 KiB pages (rounded up to a whole page). */
    public static Region allocate(long bytes) {
        return allocate(bytes, HugePages.NEVER);
    }

    /**
     * Maps {@code bytes} (rounded up to a whole page) of zeroed anonymous private memory.
     * No page is present until it is first touched.
     *
     * @throws IllegalArgumentException for a size that is not positive or above {@link #MAX_BYTES}
     * @throws IllegalStateException if the kernel's pages are not 4 KiB ({@link #requireKernelPageSize})
     * @throws ForkException if the kernel refuses the mapping (errno and advice in the message)
     */
    public static Region allocate(long bytes, HugePages hugePages) {
        requireKernelPageSize();
        if (bytes <= 0) {
            throw new IllegalArgumentException("a region needs a positive size, got " + bytes + " bytes");
        }
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("a region of " + bytes + " bytes is larger than the " + (MAX_BYTES >> 40)
                    + " TiB this project allows: sizes are in bytes (64 MiB is " + (64L << 20) + ")");
        }
        long size = (bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        long alignment = hugePages == HugePages.ALLOWED ? HUGE_PAGE_SIZE : PAGE_SIZE;
        // Reserve room for the region, one guard page on each side, and the slack needed
        // to start on an alignment boundary; all of it PROT_NONE (no memory, no commit).
        long reservationLength = size + alignment + PAGE_SIZE;
        Pointer base = MMAN.mmap(null, reservationLength, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        if (base == null || base.address() == Mman.MAP_FAILED) {
            throw new ForkException("mmap(" + reservationLength + " bytes)", LastError.getLastError(RUNTIME),
                    "ENOMEM: not enough address space or memory for " + (size >> 20)
                            + " MiB; ask for less (sizes are in bytes) or check ulimit -v and overcommit");
        }
        long start = (base.address() + PAGE_SIZE + alignment - 1) / alignment * alignment;
        Pointer p = Pointer.wrap(RUNTIME, start);
        if (MMAN.mprotect(p, size, Mman.PROT_READ | Mman.PROT_WRITE) != 0) {
            int errno = LastError.getLastError(RUNTIME);
            MMAN.munmap(base, reservationLength);
            throw new ForkException("mprotect(" + size + " bytes, PROT_READ|PROT_WRITE)", errno,
                    "ENOMEM: the memory overcommit limit refuses " + (size >> 20) + " MiB more; ask for less");
        }
        int advice = hugePages == HugePages.NEVER ? Mman.MADV_NOHUGEPAGE : Mman.MADV_HUGEPAGE;
        if (MMAN.madvise(p, size, advice) != 0) {
            int errno = LastError.getLastError(RUNTIME);
            MMAN.munmap(base, reservationLength);
            throw new ForkException("madvise(" + (hugePages == HugePages.NEVER ? "MADV_NOHUGEPAGE" : "MADV_HUGEPAGE") + ")",
                    errno, "this kernel may lack transparent huge page support");
        }
        return new Region(start, size, hugePages, base.address(), reservationLength);
    }

    /** The virtual address of byte 0. */
    public long address() {
        return address;
    }

    /** The size in bytes, a whole number of pages. */
    public long size() {
        return size;
    }

    /** How many 4 KiB pages the region spans. */
    public long pages() {
        return size / PAGE_SIZE;
    }

    /** Whether transparent huge pages may back the region (as asked at allocation). */
    public HugePages hugePages() {
        return hugePages;
    }

    /** The index of the page that holds {@code offset}. */
    public static long pageOf(long offset) {
        return offset / PAGE_SIZE;
    }

    /** Whether the absolute address {@code addr} lies inside the region, [address(), address() + size()). */
    public boolean contains(long addr) {
        return addr >= address && addr - address < size;
    }

    // Every accessor below throws IndexOutOfBoundsException if any byte it touches lies
    // outside [0, size()), and IllegalStateException once the region is closed.

    /** The byte at {@code offset}. */
    public byte getByte(long offset) {
        return UNSAFE.getByte(at(offset, 1));
    }

    /** Stores one byte at {@code offset}: enough to make the kernel copy its whole page in a forked child. */
    public void putByte(long offset, byte value) {
        UNSAFE.putByte(at(offset, 1), value);
    }

    /** The int at {@code offset} (native byte order, any alignment). */
    public int getInt(long offset) {
        return UNSAFE.getInt(at(offset, 4));
    }

    /** Stores an int at {@code offset} (native byte order, any alignment). */
    public void putInt(long offset, int value) {
        UNSAFE.putInt(at(offset, 4), value);
    }

    /** The long at {@code offset} (native byte order, any alignment). */
    public long getLong(long offset) {
        return UNSAFE.getLong(at(offset, 8));
    }

    /** Stores a long at {@code offset} (native byte order, any alignment). */
    public void putLong(long offset, long value) {
        UNSAFE.putLong(at(offset, 8), value);
    }

    /**
     * Adds {@code delta} to the long at {@code offset} as one atomic read-modify-write
     * ({@code lock xadd} on x86), so that threads adding at once lose no update; returns the
     * value before. {@code offset} must be a multiple of 8.
     *
     * @throws IllegalArgumentException if {@code offset} is not 8-byte aligned (an atomic add
     *         across two cache lines is not atomic on every machine)
     */
    public long getAndAddLong(long offset, long delta) {
        if ((offset & 7) != 0) {
            throw new IllegalArgumentException("an atomic add needs an 8-byte aligned offset, got " + offset);
        }
        return UNSAFE.getAndAddLong(null, at(offset, 8), delta);
    }

    /** Copies {@code length} bytes from {@code src[srcIndex..]} to the region at {@code offset}. */
    public void putBytes(long offset, byte[] src, int srcIndex, int length) {
        java.util.Objects.checkFromIndexSize(srcIndex, length, src.length);
        UNSAFE.copyMemory(src, Unsafe.ARRAY_BYTE_BASE_OFFSET + srcIndex, null, at(offset, length), length);
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst[dstIndex..]}. */
    public void getBytes(long offset, byte[] dst, int dstIndex, int length) {
        java.util.Objects.checkFromIndexSize(dstIndex, length, dst.length);
        UNSAFE.copyMemory(null, at(offset, length), dst, Unsafe.ARRAY_BYTE_BASE_OFFSET + dstIndex, length);
    }

    /** Sets {@code length} bytes at {@code offset} to {@code value}: touches (and so makes present) every page in the range. */
    public void fill(long offset, long length, byte value) {
        UNSAFE.setMemory(at(offset, length), length, value);
    }

    /** The absolute address of {@code offset}, after checking that [offset, offset+length) lies inside. */
    private long at(long offset, long length) {
        if (closed) {
            throw new IllegalStateException("region at 0x" + Long.toHexString(address) + " was closed (unmapped);"
                    + " using it now would touch memory that is no longer ours");
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("offset " + offset + " (+" + length + " bytes) is outside this "
                    + size + "-byte region [0, " + size + ")");
        }
        return address + offset;
    }

    /** Unmaps the region. Every access afterwards throws. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            MMAN.munmap(Pointer.wrap(RUNTIME, reservation), reservationLength);
        }
    }

    /** True once {@link #close()} has unmapped the region. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Region[0x" + Long.toHexString(address) + ", " + size + " bytes, " + pages() + " pages"
                + (hugePages == HugePages.ALLOWED ? ", huge pages allowed" : "") + (closed ? ", closed" : "") + "]";
    }

    /** The one {@code sun.misc.Unsafe} of the course: every access to off-heap memory goes through a Region. */
    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sun.misc.Unsafe is not available: " + e, e);
        }
    }
}
