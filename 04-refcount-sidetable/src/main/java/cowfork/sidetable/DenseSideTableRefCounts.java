// A side table as dense as a refcount table can be: one 4-byte count per object, found through a slot number the header holds read-only.
package cowfork.sidetable;

import cowfork.cow.Region;
import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.RefCounts;
import cowfork.heap.SeamFactory;
import java.util.BitSet;
import java.util.Optional;

/**
 * Reference counts in a dense side table: every live object owns one 4-byte slot, numbered
 * at allocation, and the number is kept in the object's header word (offset 0, the word
 * chapter 03 gives to the strategy). The header word is written once, by
 * {@link #onAllocate} in the parent, and afterwards only <em>read</em>: an incref reads the
 * slot number from the header and writes the table. So after {@code fork()} a read-only
 * workload leaves every object page shared, as {@link SideTableRefCounts} does, but each
 * table page now holds the counts of {@value #COUNTS_PER_TABLE_PAGE} objects instead of
 * 512 granules (most of them not objects).
 *
 * <pre>
 *   heap:   | obj A: slot 4 | obj B: slot 5 | block | obj C: slot 6 | ...     header word = slot number
 *   table:  | next unused | free head | count 4 | count 5 | count 6 | ...    slot i at offset 4 i
 *             8 bytes       8 bytes     (slots 0-3 hold these two words; slot 0 means "none")
 * </pre>
 *
 * <p>Slots are handed out in allocation order, so objects built together (an item, its
 * strings) have neighbouring counts. A freed object's slot goes onto a free list kept in
 * the table itself (the free slot holds the next free slot's number, last in, first out),
 * and the next allocation takes it; the freed object's header word is cleared to 0. The
 * table is sized for the most objects the heap can hold (one per 16 bytes), a quarter of
 * the heap, but only virtually: it is present up to the highest slot ever handed out.
 *
 * <p>Counts are unsigned 32-bit: an incref of a count at {@value #MAX_COUNT} is refused
 * (2^32 references would need 32 GiB of reference slots; only a leak gets there).
 * Not thread-safe (the heap is not).
 */
public final class DenseSideTableRefCounts implements RefCounts {
    /** The strategy's name, as registered and as printed in {@code refcounts: strategy=dense}. */
    public static final String NAME = "dense";

    /** Bytes per count in the table. */
    public static final int COUNT_BYTES = 4;
    /** Counts in one 4 KiB table page: 4096 / 4 = 1024 objects. */
    public static final int COUNTS_PER_TABLE_PAGE = Region.PAGE_SIZE / COUNT_BYTES;
    /** The largest count: an unsigned 32-bit number. */
    public static final long MAX_COUNT = 0xFFFF_FFFFL;
    /** The first slot handed to an object: slots 0 to 3 hold the table's two bookkeeping words. */
    public static final long FIRST_SLOT = 4;

    private static final long T_NEXT_UNUSED = 0; // the lowest slot never handed out
    private static final long T_FREE_HEAD = 8;   // the most recently freed slot, 0 when none

    /** The factory, also registered as a service under the name {@value #NAME}. */
    public static final class Factory extends SeamFactory<RefCounts> implements RefCounts.Factory {
        public Factory() {
            super(NAME, 4);
        }

        /**
         * A dense table sized for {@code heapRegion}: one slot per 16 heap bytes, a quarter of
         * the heap's size, all of it virtual until written.
         *
         * @throws cowfork.fork.ForkException if the kernel refuses to map the table
         */
        @Override
        protected RefCounts createFor(Region heapRegion) {
            Region table = Region.allocate(tableBytesFor(heapRegion.size()));
            table.putLong(T_NEXT_UNUSED, FIRST_SLOT);
            return new DenseSideTableRefCounts(table, heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    private final Region table;
    private final Region heapRegion;

    private DenseSideTableRefCounts(Region table, Region heapRegion) {
        this.table = table;
        this.heapRegion = heapRegion;
    }

    /** The table's size for a heap of {@code heapBytes}: a slot for every possible object (one per 16 bytes), and the bookkeeping. */
    public static long tableBytesFor(long heapBytes) {
        return (heapBytes / Heap.ALIGNMENT + FIRST_SLOT) * COUNT_BYTES;
    }

    /** The table page holding slot {@code slot}. */
    public static long tablePageOfSlot(long slot) {
        return Region.pageOf(slot * COUNT_BYTES);
    }

    /**
     * The slot of the live object at {@code ref}, as its header word holds it (a read, never a write).
     *
     * @throws HeapException HEAP_CORRUPT if the header word holds no slot this table handed out
     *         (something wrote over the header)
     */
    public long slotOf(long ref) {
        long slot = heapRegion.getLong(ref + Heap.OB_REFCNT);
        if (slot < FIRST_SLOT || slot >= table.getLong(T_NEXT_UNUSED)) {
            throw new HeapException(HeapException.Kind.HEAP_CORRUPT, ref, "the header of the object at offset " + ref
                    + " holds slot number " + slot + ", but the dense table has handed out only slots " + FIRST_SLOT + " to "
                    + (table.getLong(T_NEXT_UNUSED) - 1) + ": something wrote over the header's first word. Look for a stray"
                    + " write near offset " + ref + ".");
        }
        return slot;
    }

    private long count(long slot) {
        return Integer.toUnsignedLong(table.getInt(slot * COUNT_BYTES));
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Takes a slot (the most recently freed one, else the next unused one), sets its count
     * to 1 and writes its number into the object's header word: the only write this
     * strategy ever makes to an object.
     */
    @Override
    public void onAllocate(long ref) {
        long slot = table.getLong(T_FREE_HEAD);
        if (slot != 0) {
            table.putLong(T_FREE_HEAD, count(slot)); // a free slot holds the next free slot's number
        } else {
            slot = table.getLong(T_NEXT_UNUSED);
            table.putLong(T_NEXT_UNUSED, slot + 1); // never past the table: a heap has at most one object per 16 bytes
        }
        table.putInt(slot * COUNT_BYTES, 1);
        heapRegion.putLong(ref + Heap.OB_REFCNT, slot);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the count is already {@value #MAX_COUNT}; nothing is written then
     * @throws HeapException HEAP_CORRUPT if the header holds no valid slot; nothing is written then
     */
    @Override
    public void incref(long ref) {
        long slot = slotOf(ref);
        long count = count(slot);
        if (count == MAX_COUNT) {
            throw new IllegalStateException("the object at offset " + ref + " already has " + MAX_COUNT
                    + " references, the most a 4-byte count holds (strategy " + NAME + "): look for increfs nobody undoes");
        }
        table.putInt(slot * COUNT_BYTES, (int) (count + 1));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A zero count (a stray write into the table) is caught here, before anything is
     * written, with the same exception the other strategies throw.
     */
    @Override
    public boolean decref(long ref) {
        long slot = slotOf(ref);
        long count = count(slot);
        if (count == 0) {
            throw HeapException.negativeCount(ref, count, NAME);
        }
        table.putInt(slot * COUNT_BYTES, (int) (count - 1));
        return count == 1;
    }

    @Override
    public long get(long ref) {
        return count(slotOf(ref));
    }

    /** Puts the object's slot on the free list and clears its header word (no slot: a stale index cannot reach a reused slot). */
    @Override
    public void onFree(long ref) {
        long slot = slotOf(ref);
        table.putInt(slot * COUNT_BYTES, (int) table.getLong(T_FREE_HEAD));
        table.putLong(T_FREE_HEAD, slot);
        heapRegion.putLong(ref + Heap.OB_REFCNT, 0);
    }

    /** How many slots were ever handed out (live objects plus free slots): the table's used part. */
    public long slotsHandedOut() {
        return table.getLong(T_NEXT_UNUSED) - FIRST_SLOT;
    }

    @Override
    public Optional<Region> table() {
        return Optional.of(table);
    }

    /**
     * No heap page (the header word is only read), and the table pages holding the touched
     * objects' slots, found through their headers.
     *
     * @throws IllegalArgumentException if {@code heap} does not use this table
     */
    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        RefCounts.requireUsedBy(heap, this);
        BitSet pages = new BitSet();
        for (long ref : touched) {
            pages.set(Math.toIntExact(tablePageOfSlot(slotOf(ref))));
        }
        return new PredictedPages("slot numbers (header word x 4)", new BitSet(), pages);
    }

    /** Unmaps the table. Idempotent. */
    @Override
    public void close() {
        if (!table.isClosed()) {
            table.close();
        }
    }

    @Override
    public String toString() {
        return "DenseSideTableRefCounts[" + COUNT_BYTES + "-byte counts, one per object, "
                + (table.isClosed() ? "closed" : slotsHandedOut() + " slots handed out") + ", table " + table + "]";
    }
}
