// A dict's hash table: open addressing with linear probing over a block of (key, value) entries, like CPython's dict keys table.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.function.LongConsumer;

/**
 * The storage of a dict, separate from the object model as clox's {@code table.c} is from
 * {@code object.c}. A dict object (see {@link Heap}) holds, after its header, the offset
 * of its table block, the number of slots (a power of two) and the fill; the table block
 * holds {@code slots} entries of 16 bytes:
 * <pre>
 *  entry  +0 key    a str reference; NULL = never used, DUMMY (1) = deleted, probing goes on past it
 *         +8 value  a reference (NULL when the key is NULL or DUMMY)
 * </pre>
 * A key lives in slot {@code hash & (slots - 1)} or, if that is taken, in the next free
 * one (linear probing). The table grows when fill (used + deleted entries) would pass
 * two thirds of the slots, to about three times the live entries, dropping deleted ones.
 *
 * <p>This class moves entries and keeps the table's shape; it never changes a count.
 * Which references an entry owns is the {@link Heap}'s business: it increfs what it
 * stores and decrefs what it removes. References passed in are already checked.
 * Not thread-safe (the heap is not).
 */
final class DictTable {
    /** Header fields of a dict object (after the 16-byte header). */
    static final int DICT_TABLE = 16;
    static final int DICT_SLOTS = 24;
    static final int DICT_FILL = 28;
    /** The slots of a new dict's table. */
    static final int MIN_SLOTS = 8;
    private static final int ENTRY = 16;
    /** The key of a deleted entry. Not a valid reference (unaligned), so never confused with one. */
    static final long DUMMY = 1;

    private final Region region;
    private final ObjectMemory heap;

    DictTable(Region region, ObjectMemory heap) {
        this.region = region;
        this.heap = heap;
    }

    /**
     * A new table block of {@code slots} empty entries.
     *
     * @throws HeapException HEAP_EXHAUSTED if there is no room; nothing allocated then
     */
    long newTable(int slots) {
        long table = heap.allocBlock((long) ENTRY * slots);
        region.fill(table + Heap.BLOCK_DATA, (long) ENTRY * slots, (byte) 0); // a reused chunk holds 0xDD
        return table;
    }

    /** Points the new dict at {@code table}, a table of {@link #MIN_SLOTS} empty slots. */
    void init(long dict, long table) {
        region.putLong(dict + DICT_TABLE, table);
        region.putInt(dict + DICT_SLOTS, MIN_SLOTS);
        region.putInt(dict + DICT_FILL, 0);
    }

    /** The entry holding the key (given as text, or as the str object {@code keyRef}), or -1. Reads only. */
    long find(long dict, int hash, CharSequence text, long keyRef) {
        long table = region.getLong(dict + DICT_TABLE);
        int mask = region.getInt(dict + DICT_SLOTS) - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) { // ends: the table always has a NULL slot
            long at = entry(table, i);
            long k = region.getLong(at);
            if (k == Heap.NULL) {
                return -1;
            }
            if (k != DUMMY && (text != null ? strEquals(k, hash, text) : strEquals(k, keyRef))) {
                return at;
            }
        }
    }

    /**
     * Stores {@code key -> value} for a key that {@link #find} did not find, growing the
     * table first if needed. Writes no counts: the caller increfs both.
     *
     * @throws HeapException HEAP_EXHAUSTED if growing needs a block there is no room for;
     *         the dict is unchanged then
     */
    void insert(long dict, int hash, long key, long value) {
        int used = region.getInt(dict + Heap.OB_SIZE);
        if ((region.getInt(dict + DICT_FILL) + 1) * 3L > region.getInt(dict + DICT_SLOTS) * 2L) {
            resize(dict, used);
        }
        long table = region.getLong(dict + DICT_TABLE);
        int mask = region.getInt(dict + DICT_SLOTS) - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long at = entry(table, i);
            long k = region.getLong(at);
            if (k == Heap.NULL || k == DUMMY) {
                region.putLong(at, key);
                region.putLong(at + 8, value);
                region.putInt(dict + Heap.OB_SIZE, used + 1);
                if (k == Heap.NULL) { // reusing a deleted slot does not add to the fill
                    region.putInt(dict + DICT_FILL, region.getInt(dict + DICT_FILL) + 1);
                }
                return;
            }
        }
    }

    /** Empties {@code entry} (leaving DUMMY so probing goes past it). The caller decrefs the old key and value. */
    void remove(long dict, long entry) {
        region.putLong(entry, DUMMY);
        region.putLong(entry + 8, Heap.NULL);
        region.putInt(dict + Heap.OB_SIZE, region.getInt(dict + Heap.OB_SIZE) - 1);
    }

    /** The first slot at or after {@code slot} holding an entry, or -1 ({@code PyDict_Next}). */
    int next(long dict, int slot) {
        long table = region.getLong(dict + DICT_TABLE);
        int slots = region.getInt(dict + DICT_SLOTS);
        for (int i = Math.max(slot, 0); i < slots; i++) {
            long k = region.getLong(entry(table, i));
            if (k != Heap.NULL && k != DUMMY) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The entry in {@code slot}.
     *
     * @throws HeapException INDEX_OUT_OF_RANGE if the slot is outside the table or holds no entry
     */
    long entryAt(long dict, int slot, String op) {
        int slots = region.getInt(dict + DICT_SLOTS);
        long at = slot < 0 || slot >= slots ? -1 : entry(region.getLong(dict + DICT_TABLE), slot);
        if (at < 0 || region.getLong(at) == Heap.NULL || region.getLong(at) == DUMMY) {
            throw new HeapException(HeapException.Kind.INDEX_OUT_OF_RANGE, dict, op + ": slot " + slot
                    + " of the dict at offset " + dict + " holds no entry (it has " + slots + " slots)."
                    + " Use only slots that dictNext returned, and do not change the dict while iterating.");
        }
        return at;
    }

    /** Calls {@code visit} with each entry's key, then its value, in slot order. Reads only. */
    void forEachReference(long dict, LongConsumer visit) {
        long table = region.getLong(dict + DICT_TABLE);
        int slots = region.getInt(dict + DICT_SLOTS);
        for (int i = 0; i < slots; i++) {
            long at = entry(table, i);
            long k = region.getLong(at);
            if (k != Heap.NULL && k != DUMMY) {
                visit.accept(k);
                visit.accept(region.getLong(at + 8));
            }
        }
    }

    /** The dict's table block (for deallocation and verification). */
    long table(long dict) {
        return region.getLong(dict + DICT_TABLE);
    }

    /** The dict's number of slots. */
    int slots(long dict) {
        return region.getInt(dict + DICT_SLOTS);
    }

    /** The bytes a table of {@code slots} entries needs in its block (after the block's header). */
    static long tableBytes(int slots) {
        return (long) ENTRY * slots;
    }

    /** Whether a str object's text equals {@code text} whose hash is {@code hash}. Reads only. */
    boolean strEquals(long str, int hash, CharSequence text) {
        return region.getInt(str + Heap.STR_HASH) == hash
                && Utf8.equals(region, str + Heap.STR_BYTES, region.getInt(str + Heap.OB_SIZE), text);
    }

    private boolean strEquals(long a, long b) {
        if (a == b) {
            return true; // the common case: the caller passes the very key object the dict holds
        }
        int len = region.getInt(a + Heap.OB_SIZE);
        if (region.getInt(a + Heap.STR_HASH) != region.getInt(b + Heap.STR_HASH) || len != region.getInt(b + Heap.OB_SIZE)) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (region.getByte(a + Heap.STR_BYTES + i) != region.getByte(b + Heap.STR_BYTES + i)) {
                return false;
            }
        }
        return true;
    }

    private static long entry(long table, int slot) {
        return table + Heap.BLOCK_DATA + (long) ENTRY * slot;
    }

    /** Moves the entries into a table sized for growth (CPython: used * 3), dropping dummies. */
    private void resize(long dict, int used) {
        int slots = MIN_SLOTS;
        while (slots * 2L < (used + 1) * 3L) {
            slots <<= 1;
        }
        long newTable = newTable(slots); // first: if it throws, the dict is untouched
        long oldTable = region.getLong(dict + DICT_TABLE);
        int oldSlots = region.getInt(dict + DICT_SLOTS);
        int mask = slots - 1;
        for (int j = 0; j < oldSlots; j++) {
            long from = entry(oldTable, j);
            long k = region.getLong(from);
            if (k == Heap.NULL || k == DUMMY) {
                continue;
            }
            int i = region.getInt(k + Heap.STR_HASH) & mask;
            while (region.getLong(entry(newTable, i)) != Heap.NULL) {
                i = (i + 1) & mask;
            }
            region.putLong(entry(newTable, i), k);
            region.putLong(entry(newTable, i) + 8, region.getLong(from + 8));
        }
        heap.freeBlock(oldTable);
        region.putLong(dict + DICT_TABLE, newTable);
        region.putInt(dict + DICT_SLOTS, slots);
        region.putInt(dict + DICT_FILL, used);
    }
}
