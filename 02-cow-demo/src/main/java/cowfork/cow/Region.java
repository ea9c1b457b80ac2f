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
 * project counts in; {@link HugePages#ALLOWED} lets a 2 MiB huge page back it instead.
 *
 * <p>Not thread-safe. A forked child gets its own copy-on-write view of the region.
 */
public final class Region implements AutoCloseable {
    /** The page size this project measures in. */
    public static final int PAGE_SIZE = 4096;

    /** Whether transparent huge pages may back the region. */
    public enum HugePages { NEVER, ALLOWED }

    private static final Mman MMAN = LibraryLoader.create(Mman.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(MMAN);
    static final Unsafe UNSAFE = unsafe();

    private final long address;
    private final long size;
    private final HugePages hugePages;
    private boolean closed;

    private Region(long address, long size, HugePages hugePages) {
        this.address = address;
        this.size = size;
        this.hugePages = hugePages;
    }

    /** {@code bytes} of zeroed memory in 4 KiB pages (rounded up to a whole page). */
    public static Region allocate(long bytes) {
        return allocate(bytes, HugePages.NEVER);
    }

    /**
     * Maps {@code bytes} (rounded up to a whole page) of zeroed anonymous private memory.
     * No page is present until it is first touched.
     *
     * @throws IllegalArgumentException for a size that is not positive
     * @throws ForkException if the kernel refuses the mapping (errno and advice in the message)
     */
    public static Region allocate(long bytes, HugePages hugePages) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a region needs a positive size, got " + bytes + " bytes");
        }
        long size = (bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        Pointer p = MMAN.mmap(null, size, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        if (p == null || p.address() == Mman.MAP_FAILED) {
            throw new ForkException("mmap(" + size + " bytes)", LastError.getLastError(RUNTIME),
                    "ENOMEM: not enough address space or memory for " + (size >> 20)
                            + " MiB; ask for less (sizes are in bytes) or check ulimit -v and overcommit");
        }
        int advice = hugePages == HugePages.NEVER ? Mman.MADV_NOHUGEPAGE : Mman.MADV_HUGEPAGE;
        if (MMAN.madvise(p, size, advice) != 0) {
            int errno = LastError.getLastError(RUNTIME);
            MMAN.munmap(p, size);
            throw new ForkException("madvise(" + (hugePages == HugePages.NEVER ? "MADV_NOHUGEPAGE" : "MADV_HUGEPAGE") + ")",
                    errno, "this kernel may lack transparent huge page support");
        }
        return new Region(p.address(), size, hugePages);
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

    public HugePages hugePages() {
        return hugePages;
    }

    /** The index of the page that holds {@code offset}. */
    public static long pageOf(long offset) {
        return offset / PAGE_SIZE;
    }

    public byte getByte(long offset) {
        return UNSAFE.getByte(at(offset, 1));
    }

    public void putByte(long offset, byte value) {
        UNSAFE.putByte(at(offset, 1), value);
    }

    public int getInt(long offset) {
        return UNSAFE.getInt(at(offset, 4));
    }

    public void putInt(long offset, int value) {
        UNSAFE.putInt(at(offset, 4), value);
    }

    public long getLong(long offset) {
        return UNSAFE.getLong(at(offset, 8));
    }

    public void putLong(long offset, long value) {
        UNSAFE.putLong(at(offset, 8), value);
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
            MMAN.munmap(Pointer.wrap(RUNTIME, address), size);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Region[0x" + Long.toHexString(address) + ", " + size + " bytes, " + pages() + " pages"
                + (hugePages == HugePages.ALLOWED ? ", huge pages allowed" : "") + (closed ? ", closed" : "") + "]";
    }

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
