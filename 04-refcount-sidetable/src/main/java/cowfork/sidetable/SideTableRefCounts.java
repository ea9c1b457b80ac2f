// Ruby 2.0's move applied to refcounts: the counts live in a table of their own, so using an object writes the table, never the object's page.
package cowfork.sidetable;

import cowfork.cow.Region;
import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.RefCounts;
import cowfork.heap.SeamFactory;
import java.util.BitSet;
import java.util.Optional;

/**
 * Reference counts kept in a side table: a separate {@link Region} holding one 8-byte
 * count per {@link Heap#ALIGNMENT 16-byte} granule of the heap, indexed by
 * {@code ref / 16}. The object's own count word (header offset 0) is never touched, so
 * after {@code fork()} a read-only workload leaves every object page shared; what the
 * child copies instead are the <em>table</em> pages holding the counts it wrote.
 *
 * <pre>
 *   heap:   | meta page | heap page 1 | heap page 2 | heap page 3 | ...      ref = offset, a multiple of 16
 *   table:  | table page 0            | table page 1              | ...      slot = ref / 16, 8 bytes each
 *             counts of heap pages 0-1  counts of heap pages 2-3             table offset = ref / 2
 * </pre>
 *
 * One 4 KiB table page holds {@value #COUNTS_PER_TABLE_PAGE} counts and so covers
 * {@value #HEAP_BYTES_PER_TABLE_PAGE} bytes (two pages) of heap. The table is half the
 * heap's size, but only virtually: a table page becomes present when {@link #onAllocate}
 * first writes a count into it, which happens in the parent, before any fork, so every
 * table page a child can write is one it shares with its parent until then.
 *
 * <p>Why this layout: a slot per granule needs no object numbers and no lookup, only a
 * shift, and every possible object address has a slot, so the heap need not change. The
 * price is density: most granules are not object headers (a payload, a block, the
 * allocator's page), so most slots stay zero, and touching one object copies the counts
 * of its 511 neighbouring slots with it. Not thread-safe (the heap is not).
 */
public final class SideTableRefCounts implements RefCounts {
    /** The strategy's name, as registered and as printed in {@code refcounts: strategy=sidetable}. */
    public static final String NAME = "sidetable";

    /** Bytes per count in the table. */
    public static final int COUNT_BYTES = 8;
    /** Heap bytes per table slot: one slot per possible object address. */
    public static final int GRANULE = Heap.ALIGNMENT;
    /** Counts in one 4 KiB table page: 4096 / 8. */
    public static final int COUNTS_PER_TABLE_PAGE = Region.PAGE_SIZE / COUNT_BYTES;
    /** Heap bytes whose counts share one table page: 512 slots x 16 B = 8 KiB, two heap pages. */
    public static final int HEAP_BYTES_PER_TABLE_PAGE = COUNTS_PER_TABLE_PAGE * GRANULE;

    /** The factory, also registered as a service under the name {@value #NAME}. */
    public static final class Factory extends SeamFactory<RefCounts> implements RefCounts.Factory {
        public Factory() {
            super(NAME, 4);
        }

        /**
         * A side table sized for {@code heapRegion}: half its size, all of it virtual until written.
         *
         * @throws cowfork.fork.ForkException if the kernel refuses to map the table
         */
        @Override
        protected RefCounts createFor(Region heapRegion) {
            return new SideTableRefCounts(Region.allocate(tableBytesFor(heapRegion.size())));
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    private final Region table;

    private SideTableRefCounts(Region table) {
        this.table = table;
    }

    /** The table's size for a heap of {@code heapBytes}: one {@value #COUNT_BYTES}-byte slot per 16 heap bytes. */
    public static long tableBytesFor(long heapBytes) {
        return heapBytes / GRANULE * COUNT_BYTES;
    }

    /** Where the count of the object at {@code ref} lives in the table: {@code ref / 16 * 8}. */
    public static long slotOffset(long ref) {
        return ref / GRANULE * COUNT_BYTES;
    }

    /** The table page holding the count of the object at {@code ref}. */
    public static long tablePageOf(long ref) {
        return Region.pageOf(slotOffset(ref));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void onAllocate(long ref) {
        table.putLong(slotOffset(ref), 1);
    }

    @Override
    public void incref(long ref) {
        long slot = slotOffset(ref);
        table.putLong(slot, table.getLong(slot) + 1);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The heap has already rejected freed and bogus references, but a zero or negative
     * slot (a stray write into the table, or a slot cleared by mistake) is still caught
     * here, before anything is written, with the same exception the inline strategy throws.
     */
    @Override
    public boolean decref(long ref) {
        long slot = slotOffset(ref);
        long count = table.getLong(slot);
        if (count <= 0) {
            throw HeapException.negativeCount(ref, count, NAME);
        }
        table.putLong(slot, count - 1);
        return count == 1;
    }

    @Override
    public long get(long ref) {
        return table.getLong(slotOffset(ref));
    }

    /** Clears the slot (it already holds 0 after the last decref; this keeps a reused chunk honest). */
    @Override
    public void onFree(long ref) {
        long slot = slotOffset(ref);
        if (table.getLong(slot) != 0) {
            table.putLong(slot, 0);
        }
    }

    @Override
    public Optional<Region> table() {
        return Optional.of(table);
    }

    /**
     * No heap page (the header word is never written), and the table pages holding the
     * touched objects' slots: {@link SideTablePages#of}.
     *
     * @throws IllegalArgumentException if {@code heap} does not use this table
     */
    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        RefCounts.requireUsedBy(heap, this);
        return new PredictedPages("table slots (ref / 16 * 8)", new BitSet(), SideTablePages.of(touched));
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
        return "SideTableRefCounts[" + COUNT_BYTES + "-byte counts, one per " + GRANULE + " heap bytes, table " + table + "]";
    }
}
