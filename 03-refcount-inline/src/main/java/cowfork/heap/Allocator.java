// Size classes and free lists inside the heap's own region, like CPython's obmalloc: freed memory is reused, and its bookkeeping lives in memory too.
package cowfork.heap;

import cowfork.cow.Region;
import cowfork.support.Sizes;

/**
 * Hands out 16-byte-aligned chunks of a {@link Region} and takes them back.
 *
 * <pre>
 *  offset 0                    4096                                    bump          size
 *  | metadata page (this class) | chunk | chunk | freed | chunk | ...  | never used  |
 *
 *  metadata page:  0 magic | 8 bump | 16 live objects | 24 live bytes | 32 free bytes
 *                  64.. one free-list head (8 bytes) per size class
 * </pre>
 *
 * <p>Sizes are rounded up to a size class: every multiple of 16 up to 512 bytes (as
 * CPython's obmalloc), then four classes per power of two (640, 768, 896, 1024, 1280 ...),
 * so a chunk wastes at most a quarter of itself. A freed chunk goes onto its class's free
 * list (last in, first out) and the next allocation of that class takes it; chunks are
 * never split or merged. The free-list link is kept in the freed chunk's own header.
 *
 * <p><b>Where the bookkeeping lives, and why.</b> The free-list heads and the statistics
 * are in the region's first page, not in Java fields, because that is where a real
 * allocator keeps them (obmalloc's pool and arena headers are in the memory they manage):
 * a forked child that allocates or frees writes this page and the pages of the chunks it
 * takes, and the page map shows it. A child that only reads (increfs and decrefs that
 * never reach zero) never calls this class, so the page stays shared.
 *
 * <p>The header fields this class writes (type, size class, free link) are described in
 * {@link Heap}; it never writes the count word. Not thread-safe.
 */
final class Allocator {
    /** The metadata page; the first chunk starts after it, which also makes offset 0 a safe NULL. */
    static final long DATA_START = Region.PAGE_SIZE;

    private static final long MAGIC = 0x3170616568776f63L; // "cowheap1", little-endian
    private static final long M_MAGIC = 0;
    private static final long M_BUMP = 8;
    private static final long M_LIVE_OBJECTS = 16;
    private static final long M_LIVE_BYTES = 24;
    private static final long M_FREE_BYTES = 32;
    private static final long M_FREE_HEADS = 64;

    private static final int SMALL_CLASSES = 32;     // 16, 32, ... 512
    private static final long[] CLASS_SIZE = classSizes();
    static final int CLASSES = CLASS_SIZE.length;

    /**
     * The largest region this allocator can address: a free-list link is a 32-bit unsigned
     * number of 16-byte units (it lives in the freed chunk's 4-byte {@code ob_size}), so
     * every chunk must start below 2^32 x 16 bytes = 64 GiB.
     */
    static final long MAX_REGION_BYTES = (1L << 32) * Heap.ALIGNMENT;

    /** The byte a freed chunk's payload is filled with. */
    static final byte POISON = (byte) 0xDD;

    private final Region region;

    Allocator(Region region) {
        requireAddressable(region.size());
        if (M_FREE_HEADS + 8L * CLASSES > DATA_START) {
            throw new AssertionError("size-class table does not fit the metadata page");
        }
        this.region = region;
        region.putLong(M_MAGIC, MAGIC);
        region.putLong(M_BUMP, DATA_START);
    }

    /**
     * Checks that a heap of {@code bytes} can be managed: at least one metadata page and one
     * chunk, at most {@link #MAX_REGION_BYTES}.
     *
     * @throws IllegalArgumentException naming the limit, otherwise
     */
    static void requireAddressable(long bytes) {
        if (bytes < DATA_START + 16) {
            throw new IllegalArgumentException("a heap needs at least " + (DATA_START + 16) + " bytes (one metadata page"
                    + " and one chunk), got " + bytes);
        }
        if (bytes > MAX_REGION_BYTES) {
            throw new IllegalArgumentException("a heap holds at most " + Sizes.format(MAX_REGION_BYTES) + " ("
                    + MAX_REGION_BYTES + " bytes), got " + bytes + " bytes: the allocator"
                    + " links free chunks by 32-bit numbers of 16-byte units, which cannot address beyond that.");
        }
    }

    private static long[] classSizes() {
        long[] sizes = new long[SMALL_CLASSES + 4 * (40 - 9)];
        int n = 0;
        for (int i = 1; i <= SMALL_CLASSES; i++) {
            sizes[n++] = 16L * i;
        }
        for (int k = 9; k < 40; k++) {
            for (int q = 5; q <= 8; q++) {
                sizes[n++] = (1L << k) / 4 * q;
            }
        }
        return sizes;
    }

    /** The size class whose chunks hold {@code bytes}. */
    static int classOf(long bytes) {
        if (bytes <= 16L * SMALL_CLASSES) {
            return (int) Math.max(0, (bytes - 1) >> 4);
        }
        int lo = SMALL_CLASSES;
        int hi = CLASSES - 1;
        if (bytes > CLASS_SIZE[hi]) {
            throw new IllegalArgumentException("no size class holds " + bytes + " bytes");
        }
        while (lo < hi) { // the first class at least as large
            int mid = (lo + hi) >>> 1;
            if (CLASS_SIZE[mid] >= bytes) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The chunk size of class {@code sizeClass}. */
    static long classSize(int sizeClass) {
        return CLASS_SIZE[sizeClass];
    }

    /**
     * A chunk of at least {@code bytes} bytes, its header's type, check byte and size class
     * written; the caller writes the rest. Prefers the newest free chunk of the class,
     * else takes never-used space.
     *
     * @throws HeapException ({@link HeapException.Kind#HEAP_EXHAUSTED}) if neither has room; the heap is unchanged
     */
    long allocate(long bytes, ObjectType type) {
        int sizeClass = classOf(bytes);
        long size = CLASS_SIZE[sizeClass];
        long headAt = M_FREE_HEADS + 8L * sizeClass;
        long chunk = region.getLong(headAt);
        if (chunk != 0) {
            region.putLong(headAt, nextFree(chunk));
            add(M_FREE_BYTES, -size);
        } else {
            long bump = region.getLong(M_BUMP);
            if (bump > region.size() - size) {
                throw exhausted(bytes, size);
            }
            chunk = bump;
            region.putLong(M_BUMP, bump + size);
        }
        add(M_LIVE_BYTES, size);
        if (type.isObject()) {
            add(M_LIVE_OBJECTS, 1);
        }
        region.putInt(chunk + Heap.OB_TYPE, type.code() | Heap.HEADER_CHECK << 8 | sizeClass << 16);
        return chunk;
    }

    /**
     * Returns the chunk at {@code chunk} (of type {@code type}) to its free list: the header
     * becomes a freed marker (type FREED, the former type kept for error messages) and the
     * payload is filled with {@link #POISON}, as CPython's debug allocator does, so a stale
     * read sees garbage that is recognisably dead. The count word (header offset 0) is the
     * strategy's and is left alone: a header strategy poisons it in {@link RefCounts#onFree}.
     */
    void free(long chunk, ObjectType type) {
        int sizeClass = sizeClassAt(chunk);
        long size = CLASS_SIZE[sizeClass];
        long headAt = M_FREE_HEADS + 8L * sizeClass;
        region.putInt(chunk + Heap.OB_TYPE, ObjectType.FREED.code() | type.code() << 8 | sizeClass << 16);
        region.putInt(chunk + Heap.OB_SIZE, (int) (region.getLong(headAt) >>> 4)); // link, in units of 16 bytes
        if (size > Heap.HEADER_SIZE) {
            region.fill(chunk + Heap.HEADER_SIZE, size - Heap.HEADER_SIZE, POISON);
        }
        region.putLong(headAt, chunk);
        add(M_LIVE_BYTES, -size);
        add(M_FREE_BYTES, size);
        if (type.isObject()) {
            add(M_LIVE_OBJECTS, -1);
        }
    }

    /** The newest free chunk of {@code sizeClass}, or 0 if its list is empty (for verification). */
    long freeHead(int sizeClass) {
        return region.getLong(M_FREE_HEADS + 8L * sizeClass);
    }

    /** The chunk after {@code chunk} on its free list, or 0 at the end. */
    long nextFree(long chunk) {
        return Integer.toUnsignedLong(region.getInt(chunk + Heap.OB_SIZE)) << 4;
    }

    int sizeClassAt(long chunk) {
        return (region.getInt(chunk + Heap.OB_TYPE) >>> 16) & 0xFF; // the byte above is the collector's (Heap.GC_FLAGS)
    }

    /** The size of the chunk at {@code chunk}. */
    long chunkSize(long chunk) {
        return CLASS_SIZE[sizeClassAt(chunk)];
    }

    /** The first never-used offset: every chunk lies in [DATA_START, bump). */
    long bump() {
        return region.getLong(M_BUMP);
    }

    HeapStats stats() {
        return new HeapStats(region.getLong(M_LIVE_OBJECTS), region.getLong(M_LIVE_BYTES), region.getLong(M_FREE_BYTES),
                bump() - DATA_START, region.size() - DATA_START);
    }

    private void add(long field, long delta) {
        region.putLong(field, region.getLong(field) + delta);
    }

    private HeapException exhausted(long bytes, long size) {
        HeapStats s = stats();
        return new HeapException(HeapException.Kind.HEAP_EXHAUSTED, 0, "heap exhausted: an allocation of " + bytes
                + " bytes (a " + size + "-byte chunk) found no free chunk of its size class and only "
                + (region.size() - bump()) + " never-used bytes left. " + s + ". Create the heap bigger (demos: --size),"
                + " or release objects you no longer need (decref them) so their chunks can be reused.");
    }
}
