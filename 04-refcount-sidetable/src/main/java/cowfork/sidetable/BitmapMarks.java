// Ruby 2.0's bitmap marking: the mark bits live in a bitmap of their own, one bit per 16-byte granule, so a collection writes no object's page.
package cowfork.sidetable;

import cowfork.cow.Region;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacement;
import cowfork.heap.RefCounts;
import cowfork.heap.SeamFactory;
import java.util.BitSet;
import java.util.Optional;

/**
 * Mark bits kept in a separate {@link Region}: bit {@code ref / 16} of the bitmap, found
 * from the object's offset with a shift and a mask. The object is only read while it is
 * marked, so after {@code fork()} a collection leaves every object page shared (apart from
 * the pages the sweep frees garbage on); what the child writes instead are bitmap pages.
 *
 * <pre>
 *   heap:    | meta page | heap page 1 | ... | heap page 127 | heap page 128 | ...   ref = offset, a multiple of 16
 *   bitmap:  | bitmap page 0 (bits of heap pages 0-127)      | bitmap page 1 ...     bit = ref / 16
 * </pre>
 *
 * One bit per 16 bytes is 1/128 of the heap: a 4 KiB bitmap page covers 512 KiB of heap,
 * so a full collection of a 32 MiB heap writes at most 64 bitmap pages where header marks
 * write thousands of heap pages. This is the density that makes moving the bookkeeping out
 * pay (a side table of 8-byte counts is half the heap's size). The price is a little
 * arithmetic per mark, which Ruby 2.0's announcement called "a little bit slower". After a
 * collection {@link #endCollection} clears the words it set, writing only pages already
 * written. Not thread-safe.
 */
public final class BitmapMarks implements MarkPlacement {
    /** The placement's name. */
    public static final String NAME = "bitmap";
    /** Heap bytes per mark bit: one bit per possible object address. */
    public static final int GRANULE = Heap.ALIGNMENT;
    /** Heap bytes one 4 KiB bitmap page covers: 4096 x 8 bits x 16 bytes = 512 KiB. */
    public static final long HEAP_BYTES_PER_BITMAP_PAGE = (long) Region.PAGE_SIZE * 8 * GRANULE;

    /** The factory, also registered as a service under the name {@value #NAME}. */
    public static final class Factory extends SeamFactory<MarkPlacement> implements MarkPlacement.Factory {
        public Factory() {
            super(NAME, 4);
        }

        /** Ruby 2.0's idea applied to both: counts in a side table, marks in a bitmap. */
        @Override
        public RefCounts.Factory shippedWith() {
            return SideTableRefCounts.FACTORY;
        }

        /**
         * A bitmap sized for {@code heapRegion}: 1/128 of it, virtual until a mark is written.
         *
         */
        @Override
        protected MarkPlacement createFor(Region heapRegion) {
            return new BitmapMarks(Region.allocate(bitmapBytesFor(heapRegion.size())));
        }
    }

    /** A ready factory. */
    public static final MarkPlacement.Factory FACTORY = new Factory();

    private final Region bitmap;

    private BitmapMarks(Region bitmap) {
        this.bitmap = bitmap;
    }

    /** The bitmap's size for a heap of {@code heapBytes}: one bit per 16 bytes, in whole 8-byte words. */
    public static long bitmapBytesFor(long heapBytes) {
        long bits = (heapBytes + GRANULE - 1) / GRANULE;
        return Math.max(8, (bits + 63) / 64 * 8);
    }

    /** The bitmap word holding the mark of the object at {@code ref}: 64 granules share one 8-byte word. */
    public static long wordOffset(long ref) {
        return ref / GRANULE / 64 * 8;
    }

    /** The bitmap page holding the mark of the object at {@code ref}. */
    public static long bitmapPageOf(long ref) {
        return Region.pageOf(wordOffset(ref));
    }

    private static long bit(long ref) {
        return 1L << (ref / GRANULE % 64);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean mark(long ref) {
        long at = wordOffset(ref);
        long word = bitmap.getLong(at);
        if ((word & bit(ref)) != 0) {
            return false;
        }
        bitmap.putLong(at, word | bit(ref));
        return true;
    }

    @Override
    public boolean isMarked(long ref) {
        return (bitmap.getLong(wordOffset(ref)) & bit(ref)) != 0;
    }

    /** Nothing: the object's page is not written; its bit is cleared with its word in {@link #endCollection}. */
    @Override
    public void sweptLive(long ref) {
    }

    /** Clears every word a mark was set in (a read of the others), up to the heap's used end. */
    @Override
    public void endCollection(Heap heap) {
        long end = Math.min(bitmap.size(), wordOffset(heap.usedEnd() + 64L * GRANULE) + 8);
        for (long at = 0; at < end; at += 8) {
            if (bitmap.getLong(at) != 0) {
                bitmap.putLong(at, 0);
            }
        }
    }

    @Override
    public Optional<Region> side() {
        return Optional.of(bitmap);
    }

    /** No heap page; the bitmap pages holding the marked objects' bits. */
    @Override
    public RefCounts.PredictedPages predictMarkPages(Heap heap, long[] marked) {
        BitSet pages = new BitSet();
        for (long ref : marked) {
            pages.set(Math.toIntExact(bitmapPageOf(ref)));
        }
        return new RefCounts.PredictedPages("mark bits in the bitmap", new BitSet(), pages);
    }

    @Override
    public void close() {
        bitmap.close();
    }

    @Override
    public String toString() {
        return "BitmapMarks[" + bitmap.size() + " bytes, 1 bit per " + GRANULE + " heap bytes]";
    }
}
