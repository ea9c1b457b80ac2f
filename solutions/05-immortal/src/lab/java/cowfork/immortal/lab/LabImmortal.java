// Lab 05, reference answer: CPython 3.14's immortal objects on a 64-bit default build, whose immortal count sits in the middle of its range so that old extension code cannot move it out.
package cowfork.immortal.lab;

import cowfork.cow.Region;
import cowfork.heap.HeaderRefCounts;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.Locale;

/**
 * Reference answer for lab 05 (graded by {@code Lab05Grader}): CPython 3.14's scheme
 * ({@code Include/refcount.h}, 64-bit, not {@code Py_GIL_DISABLED}) on chapter 03's 8-byte
 * count word. Only the low 32 bits are the count, read as unsigned:
 *
 * <ul>
 *   <li>{@link #immortalizeAll} stores {@code _Py_IMMORTAL_INITIAL_REFCNT}, {@code 3<<30}:
 *       bit 31 set, a billion away from both ends of the immortal range [2^31, 2^32).</li>
 *   <li>{@link #incref} stores nothing once the low half is at least {@code 3<<30}
 *       ({@code Py_INCREF}: {@code if (cur_refcnt >= _Py_IMMORTAL_INITIAL_REFCNT) return;}),
 *       and below that adds one to the low half only.</li>
 *   <li>{@link #decref} stores nothing when bit 31 of the low half is set
 *       ({@code _Py_IsImmortal}: {@code (int32_t)ob_refcnt < 0}); otherwise it decrements and
 *       frees at zero, as chapter 03.</li>
 * </ul>
 *
 * <p>Why it is safe: a stable-ABI extension built for 3.11 or earlier increments and
 * decrements all 64 bits without asking. From {@code 3<<30}, up to about 2^30 such blind
 * increments or decrements leave bit 31 set, so the object stays immortal (never freed); after
 * blind increments incref still sees at least {@code 3<<30} and stores nothing. (3.12 stored
 * 0xFFFFFFFF: one blind increment carried into the high half, the low half read 0, and from
 * then on every incref stored.) After blind decrements real increfs store until the count is
 * back at {@code 3<<30}: immortality is sticky, and the incref threshold is above decref's.
 *
 * <p>A mortal object that really reaches 2^31 references is immortal by accident: decref skips
 * it (never freed, a leak), but incref keeps counting it up to {@code 3<<30}, storing each time.
 * So the prediction asks incref's question of the count word, not decref's, and not "was it
 * immortalized?".
 */
public final class LabImmortal extends HeaderRefCounts {
    /** The strategy's name, as the grader registers it while it runs. */
    public static final String NAME = "lab05";

    /** {@code _Py_IMMORTAL_INITIAL_REFCNT} on 64-bit: what immortalizing stores, and where incref stops. */
    static final long IMMORTAL_INITIAL = 3L << 30;

    /** The low 32-bit half of the count word: its first 4 bytes on a little-endian machine. */
    private static final int LOW_HALF = Heap.OB_REFCNT + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4);

    /** Makes one strategy per heap; the grader creates every heap through it. */
    public static final class Factory implements RefCounts.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int chapter() {
            return 5;
        }

        @Override
        public RefCounts create(Region heapRegion) {
            return new LabImmortal(heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    private LabImmortal(Region region) {
        super(region);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The low half of the count word, unsigned, as 3.14's {@code uint32_t ob_refcnt}. */
    private long low(long ref) {
        return region.getInt(ref + LOW_HALF) & 0xFFFF_FFFFL;
    }

    @Override
    public void incref(long ref) {
        long low = low(ref);
        if (low >= IMMORTAL_INITIAL) {
            return; // immortal: not a byte of the page is written
        }
        region.putInt(ref + LOW_HALF, (int) (low + 1)); // below 3<<30: no carry into the high half
    }

    @Override
    public boolean decref(long ref) {
        if (low(ref) >= 1L << 31) {
            return false; // bit 31: immortal, never decremented, never freed
        }
        return decrementCountWord(ref); // chapter 03's checked decrement: a count of 0 is caught
    }

    /**
     * Makes every live object of {@code heap} immortal, as Cinder's {@code immortalize_heap()}
     * does before fork: one store of {@code 3<<30} in each count word.
     *
     * @return how many objects were made immortal
     */
    public long immortalizeAll(Heap heap) {
        long[] n = new long[1];
        heap.forEachLiveObject(ref -> {
            region.putLong(ref + Heap.OB_REFCNT, IMMORTAL_INITIAL);
            n[0]++;
        });
        return n[0];
    }

    /** Before the fork: every live object becomes immortal. */
    @Override
    public String prepareForFork(Heap heap) {
        RefCounts.requireUsedBy(heap, this);
        return String.format(Locale.ROOT, "immortalizeAll: %,d objects made immortal", immortalizeAll(heap));
    }

    /**
     * The header pages of the touched objects whose incref stores: those whose low half is below
     * {@code 3<<30} (mortal ones, and immortal ones below it, which incref counts up). A decref
     * after that incref stores only if incref did, so incref's test decides. No table.
     */
    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        RefCounts.requireUsedBy(heap, this);
        BitSet pages = new BitSet();
        for (long ref : touched) {
            if (low(ref) < IMMORTAL_INITIAL) {
                pages.set(Math.toIntExact(Region.pageOf(ref + Heap.OB_REFCNT)));
            }
        }
        return new PredictedPages("header addresses, counts at 3<<30 or above left out", pages, new BitSet());
    }

    @Override
    public String toString() {
        return "LabImmortal[count at header offset " + Heap.OB_REFCNT + ", immortal from 3<<30 down to 2^31]";
    }
}
