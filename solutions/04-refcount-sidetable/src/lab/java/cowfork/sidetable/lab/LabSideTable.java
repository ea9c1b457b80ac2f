// Lab 04, reference answer: one byte of count per 16-byte granule, and the few counts that do not fit in a byte in an overflow table in the same region.
package cowfork.sidetable.lab;

import cowfork.cow.Region;
import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.RefCounts;
import java.util.BitSet;
import java.util.Optional;

/**
 * Reference answer for lab 04 (graded by {@code Lab04Grader}): a side table that never
 * writes an object and costs an eighth of the heap.
 *
 * <pre>
 *   table:  | small counts: 1 byte per 16-byte granule, at ref / 16 | overflow: 16-byte entries (ref, count) |
 *             heap / 16 bytes                                         the other heap / 16 bytes
 * </pre>
 *
 * <p>Most objects have a handful of references; a few (interned names, None) have thousands.
 * So a count is one byte, found from the address alone, as chapter 04's granule table finds
 * its 8-byte slot, and only the counts that do not fit move out: a byte of
 * {@value #SPILLED} says "this object's whole count is in the overflow table", an open
 * addressing hash table (linear probing, deletion by backward shift, so that an insertion
 * undone by a deletion leaves every byte as it was). Objective-C's runtime does the same
 * with the few bits of count in an object's isa word and its SideTables.
 *
 * <p>A read in a forked child writes the count's byte (one table page per 64 KiB of heap),
 * or the overflow entry of a popular object, never both, except at the edge: a count of
 * 254 moves into the overflow table on incref and back on decref, so its read writes both.
 */
public final class LabSideTable implements RefCounts {
    /** The strategy's name, as the grader registers it while it runs. */
    public static final String NAME = "lab04";

    /** Makes one strategy per heap; the grader creates every heap through it. */
    public static final class Factory implements RefCounts.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int chapter() {
            return 4;
        }

        @Override
        public RefCounts create(Region heapRegion) {
            return new LabSideTable(heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    /** The small count that means "the count is in the overflow table". */
    static final int SPILLED = 0xFF;
    private static final int ENTRY_BYTES = 16;      // key (the object's offset; 0 = empty), count
    private static final long EMPTY = Heap.NULL;    // no object lives at offset 0

    private final Region heapRegion;
    private final Region table;
    private final long overflowStart;
    private final long entries;

    private LabSideTable(Region heapRegion) {
        this.heapRegion = heapRegion;
        this.overflowStart = heapRegion.size() / Heap.ALIGNMENT;
        this.table = Region.allocate(2 * overflowStart); // an eighth of the heap: the budget
        this.entries = (table.size() - overflowStart) / ENTRY_BYTES;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ------------------------------------------------------------------ small counts

    private static long small(long ref) {
        return ref / Heap.ALIGNMENT;
    }

    private int smallCount(long ref) {
        return table.getByte(small(ref)) & 0xFF;
    }

    private void setSmall(long ref, int count) {
        table.putByte(small(ref), (byte) count);
    }

    // ------------------------------------------------------------------ the overflow table

    private long entry(long i) {
        return overflowStart + i * ENTRY_BYTES;
    }

    private long home(long ref) {
        return Math.floorMod((ref >>> 4) * 0x9E37_79B9_7F4A_7C15L >>> 16, entries);
    }

    /** The entry that holds {@code ref}'s count (its small count says it is there). */
    private long find(long ref) {
        long i = home(ref);
        for (long n = 0; n < entries; n++, i = (i + 1) % entries) {
            if (table.getLong(entry(i)) == ref) {
                return i;
            }
        }
        throw new HeapException(HeapException.Kind.HEAP_CORRUPT, ref, "the object at offset " + ref
                + " has a spilled count but no entry in the overflow table of " + NAME + ": look for a stray write");
    }

    /** The first empty entry on {@code ref}'s probe path: where an insertion puts it. */
    private long emptyFor(long ref) {
        long i = home(ref);
        for (long n = 0; n < entries; n++, i = (i + 1) % entries) {
            if (table.getLong(entry(i)) == EMPTY) {
                return i;
            }
        }
        throw new IllegalStateException("the overflow table of " + NAME + " is full (" + entries
                + " objects with 255 or more references): a heap this size cannot hold so many; look for increfs nobody undoes");
    }

    /** Removes entry {@code i}, shifting back the entries after it that may take its place (no tombstones). */
    private void remove(long i) {
        long hole = i;
        for (long j = (i + 1) % entries, n = 1; n < entries; j = (j + 1) % entries, n++) {
            long key = table.getLong(entry(j));
            if (key == EMPTY) {
                break;
            }
            long h = home(key);
            boolean movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                table.putLong(entry(hole), key);
                table.putLong(entry(hole) + 8, table.getLong(entry(j) + 8));
                hole = j;
            }
        }
        table.putLong(entry(hole), EMPTY);
        table.putLong(entry(hole) + 8, 0);
    }

    // ------------------------------------------------------------------ RefCounts

    @Override
    public void onAllocate(long ref) {
        setSmall(ref, 1);
    }

    @Override
    public void incref(long ref) {
        int c = smallCount(ref);
        if (c < SPILLED - 1) {
            setSmall(ref, c + 1);
        } else if (c == SPILLED - 1) {
            long e = entry(emptyFor(ref));
            table.putLong(e, ref);
            table.putLong(e + 8, SPILLED);
            setSmall(ref, SPILLED);
        } else {
            long e = entry(find(ref));
            table.putLong(e + 8, table.getLong(e + 8) + 1);
        }
    }

    @Override
    public boolean decref(long ref) {
        int c = smallCount(ref);
        if (c == 0) {
            throw HeapException.negativeCount(ref, 0, NAME);
        }
        if (c < SPILLED) {
            setSmall(ref, c - 1);
            return c == 1;
        }
        long i = find(ref);
        long count = table.getLong(entry(i) + 8);
        if (count > SPILLED) {
            table.putLong(entry(i) + 8, count - 1);
        } else {
            remove(i);
            setSmall(ref, SPILLED - 1);
        }
        return false;
    }

    @Override
    public long get(long ref) {
        int c = smallCount(ref);
        return c < SPILLED ? c : table.getLong(entry(find(ref)) + 8);
    }

    /** The count is 0 already (decref said so); the chunk's next object starts from a clean byte. */
    @Override
    public void onFree(long ref) {
        setSmall(ref, 0);
    }

    @Override
    public Optional<Region> table() {
        return Optional.of(table);
    }

    /** No heap page; per touched object, the page its incref and decref write: its byte, its entry, or (at 254) both. */
    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        RefCounts.requireUsedBy(heap, this);
        BitSet pages = new BitSet();
        for (long ref : touched) {
            int c = smallCount(ref);
            if (c < SPILLED) {
                pages.set(Math.toIntExact(Region.pageOf(small(ref))));
            }
            if (c == SPILLED - 1) {
                pages.set(Math.toIntExact(Region.pageOf(entry(emptyFor(ref)))));
            } else if (c == SPILLED) {
                pages.set(Math.toIntExact(Region.pageOf(entry(find(ref)))));
            }
        }
        return new PredictedPages("count bytes (ref / 16) and overflow entries", new BitSet(), pages);
    }

    @Override
    public void close() {
        if (!table.isClosed()) {
            table.close();
        }
    }

    @Override
    public String toString() {
        return "LabSideTable[1-byte counts and " + entries + " overflow entries, table " + table + " for heap " + heapRegion + "]";
    }
}
