// CPython 3.12's immortal objects (PEP 683): a count whose low 32 bits are all ones is never written again, so reading such an object never copies its page.
package cowfork.immortal;

import cowfork.cow.Region;
import cowfork.heap.HeaderRefCounts;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
import cowfork.heap.SeamFactory;
import cowfork.support.Sizes;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.Locale;

/**
 * Inline reference counts, as in chapter 03, with CPython 3.12's immortality on 64-bit
 * builds modelled exactly on the 8-byte count word at {@link Heap#OB_REFCNT}:
 *
 * <pre>
 *   count word (8 bytes, little-endian: the low half is the first 4 bytes of the header)
 *   63                              32 31 30                             0
 *   +---------------------------------+--+--------------------------------+
 *   |  high half: 0 in normal use     |s |  low half                      |
 *   +---------------------------------+--+--------------------------------+
 *   mortal:      0x00000000_00000001 .. 0x00000000_7FFFFFFF     s = bit 31 clear
 *   immortal:    0x00000000_FFFFFFFF  ({@link #IMMORTAL_REFCNT}, what {@link #immortalizeAll} stores)
 *   "immortal" for decref: any word whose low half has bit 31 set ({@code (int) count < 0})
 * </pre>
 *
 * <ul>
 *   <li><b>incref</b> adds one to the <em>low half only</em> and skips the store when the
 *       sum wraps to 0 ({@code Py_INCREF} in 3.12). For 0xFFFFFFFF the sum always wraps,
 *       so an immortal count is never stored: saturating arithmetic, with no separate
 *       "is it immortal?" branch in front of the add.</li>
 *   <li><b>decref</b> returns at once, storing nothing, when bit 31 of the low half is
 *       set ({@code Py_DECREF}: {@code if ((int32_t)ob_refcnt < 0) return;}); otherwise it
 *       decrements the whole word (done on the low half while it is above zero, which
 *       is the same thing, see the method), and at zero the object is freed.</li>
 * </ul>
 *
 * <p><b>Accidental immortality.</b> As in 3.12, a mortal object that really gets 2^31
 * references reaches 0x80000000 and from then on decref skips it: it can never be freed
 * (a leak, never a crash). Tested in {@code ImmortalRefCountsTest}.
 *
 * <p>Objects allocated after {@link #immortalizeAll} start at 1 and are mortal, exactly
 * as in chapter 03. Not thread-safe (the heap is not).
 */
public final class ImmortalRefCounts extends HeaderRefCounts {
    /** The strategy's name, as registered and as printed in {@code refcounts: strategy=immortal}. */
    public static final String NAME = "immortal";

    /** CPython 3.12's {@code _Py_IMMORTAL_REFCNT} on 64-bit: {@code UINT_MAX}, the low 32 bits all ones. */
    public static final long IMMORTAL_REFCNT = 0xFFFF_FFFFL;

    /** The factory, also registered as a service under the name {@value #NAME}. */
    public static final class Factory extends SeamFactory<RefCounts> implements RefCounts.Factory {
        public Factory() {
            super(NAME, 5);
        }

        @Override
        protected RefCounts createFor(Region heapRegion) {
            return new ImmortalRefCounts(heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    /**
     * Where the count word's low 32-bit half sits in the header: its first 4 bytes on a
     * little-endian machine, its last 4 on a big-endian one (CPython:
     * {@code ob_refcnt_split[PY_BIG_ENDIAN]}).
     */
    static final int LOW_HALF = Heap.OB_REFCNT + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4);
    /** The other half. */
    static final int HIGH_HALF = Heap.OB_REFCNT + 4 - (LOW_HALF - Heap.OB_REFCNT);

    private ImmortalRefCounts(Region region) {
        super(region);
    }

    /** Whether a count word marks its object immortal: bit 31 of the low half set, as 3.12's {@code _Py_IsImmortal}. */
    public static boolean isImmortalCount(long countWord) {
        return (int) countWord < 0;
    }

    /** Whether the live object at {@code ref} is immortal now. The heap must use this strategy. */
    public boolean isImmortal(long ref) {
        return isImmortalCount(region.getLong(ref + Heap.OB_REFCNT));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void incref(long ref) {
        // Py_INCREF (3.12, 64-bit): op->ob_refcnt_split[PY_BIG_ENDIAN] + 1, no store if it wrapped.
        int next = region.getInt(ref + LOW_HALF) + 1;
        if (next == 0) {
            return; // 0xFFFFFFFF: immortal. Not a single byte of the object's page is written.
        }
        region.putInt(ref + LOW_HALF, next); // the high half is never touched, as in CPython
    }

    @Override
    public boolean decref(long ref) {
        // Py_DECREF (3.12): if ((int32_t)ob_refcnt < 0) return; if (--ob_refcnt == 0) dealloc.
        // The immortality test reads only the low half, as the cast does; and while the low half
        // is above zero, decrementing it alone is the same as decrementing the whole word (no
        // borrow). Both accesses are 4 bytes wide, like incref's store: an 8-byte load right
        // after a 4-byte store to the same word cannot be forwarded from the store buffer, and
        // that stall alone made incref+decref ~50% slower than inline in a first version.
        int low = region.getInt(ref + LOW_HALF);
        if (low < 0) {
            return false; // immortal: never decremented, so never freed
        }
        if (low != 0) {
            region.putInt(ref + LOW_HALF, low - 1);
            return low == 1 && region.getInt(ref + HIGH_HALF) == 0;
        }
        // The low half is 0: the whole word is 0 (corrupt) or a blind full-width incref carried
        // into the high half (0x1_00000000). Decrement all 64 bits, borrowing, as CPython does:
        // chapter 03's checked decrement, which throws on a corrupt 0 and here never returns true
        // (the count is at least 2^32, so count - 1 is not zero).
        return decrementCountWord(ref);
    }

    /**
     * Makes every live object of {@code heap} immortal, as Cinder's {@code immortalize_heap()}
     * does before fork: walks the heap with {@link Heap#forEachLiveObject} and stores
     * {@link #IMMORTAL_REFCNT} in each count word. Call it once, in the parent, just before
     * forking: the stores are the last writes to those pages. Objects allocated afterwards
     * are mortal. Immortal objects are never freed, so whatever becomes garbage later
     * stays allocated (see {@link LeakReport}).
     *
     * @return how many objects were made immortal, and the bytes of their chunks
     * @throws IllegalArgumentException if {@code heap} does not use this strategy (its counts
     *         would be corrupted); nothing is written then
     */
    public static Immortalized immortalizeAll(Heap heap) {
        if (!(heap.refCounts() instanceof ImmortalRefCounts counts)) {
            throw new IllegalArgumentException("immortalizeAll needs a heap with the " + NAME + " strategy, but this heap"
                    + " uses '" + heap.refCounts().name() + "': only " + ImmortalRefCounts.class.getSimpleName()
                    + " knows what an immortal count is. Create the heap with ImmortalRefCounts.FACTORY.");
        }
        long[] totals = new long[2];
        heap.forEachLiveObject(ref -> {
            counts.region.putLong(ref + Heap.OB_REFCNT, IMMORTAL_REFCNT);
            totals[0]++;
            totals[1] += heap.chunkSize(ref);
        });
        return new Immortalized(totals[0], totals[1]);
    }

    /**
     * The pages {@link #immortalizeAll} writes: the page of every live object's count word
     * (one store each, whatever the count was). Pages that hold no object's header, only
     * the inside of a large chunk or free space, are not written. Writes nothing.
     *
     * @throws IllegalArgumentException if {@code heap} does not use this strategy
     */
    public static BitSet pagesImmortalizeAllWrites(Heap heap) {
        if (!(heap.refCounts() instanceof ImmortalRefCounts)) {
            throw new IllegalArgumentException("immortalizeAll writes only a heap with the " + NAME + " strategy; this heap uses '"
                    + heap.refCounts().name() + "'");
        }
        BitSet pages = new BitSet();
        heap.forEachLiveObject(ref -> pages.set(Math.toIntExact(Region.pageOf(ref + Heap.OB_REFCNT))));
        return pages;
    }

    /**
     * Before fork, makes every live object immortal ({@link #immortalizeAll}), as Cinder's
     * {@code immortalize_heap()}: the one thing this strategy does that inline counts do not.
     *
     * @return e.g. "immortalizeAll: 450,635 objects (15.1 MiB of object chunks) made immortal"
     * @throws IllegalArgumentException if {@code heap} does not use this strategy; nothing is written then
     */
    @Override
    public String prepareForFork(Heap heap) {
        RefCounts.requireUsedBy(heap, this);
        Immortalized done = immortalizeAll(heap);
        return String.format(Locale.ROOT, "immortalizeAll: %,d objects (%s of object chunks) made immortal",
                done.objects(), Sizes.format(done.bytes()));
    }

    /**
     * The header pages of the touched objects an incref still writes: those whose low half
     * is not {@link #IMMORTAL_REFCNT}'s all ones (mortal objects, made after
     * {@link #immortalizeAll} or never immortalized, and counts made immortal by accident,
     * which incref still increments). After {@link #prepareForFork} that is none of the
     * objects that existed then. No table page: there is no table.
     *
     * @throws IllegalArgumentException if {@code heap} does not use this strategy
     */
    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        RefCounts.requireUsedBy(heap, this);
        BitSet pages = new BitSet();
        for (long ref : touched) {
            if (region.getInt(ref + LOW_HALF) != (int) IMMORTAL_REFCNT) {
                pages.set(Math.toIntExact(Region.pageOf(ref + Heap.OB_REFCNT)));
            }
        }
        return new PredictedPages("header addresses, immortal ones left out", pages, new BitSet());
    }

    /**
     * What {@link #immortalizeAll} did.
     *
     * @param objects objects made immortal (every live object; blocks have no count)
     * @param bytes   the bytes of their chunks, headers included
     */
    public record Immortalized(long objects, long bytes) {
    }

    @Override
    public String toString() {
        return "ImmortalRefCounts[count at header offset " + Heap.OB_REFCNT + ", immortal = 0x"
                + Long.toHexString(IMMORTAL_REFCNT) + "]";
    }
}
