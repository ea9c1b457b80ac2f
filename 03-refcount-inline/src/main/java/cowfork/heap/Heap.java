// A tiny CPython-like object heap inside an mmap'd Region: objects with a refcounted header, a C-API-style reference API, and deallocation at zero.
package cowfork.heap;

import cowfork.cow.Region;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * An off-heap object heap modelled on CPython's: every object starts with a header like
 * {@code PyObject}, and objects are reached through references that are counted.
 *
 * <h2>Layout</h2>
 * A reference is a {@code long}: the object's byte offset in {@link #region()}, a multiple
 * of {@link #ALIGNMENT}; 0 is NULL. Every chunk starts with the same 16-byte header:
 * <pre>
 *  +0  ob_refcnt   8 bytes  the strategy's alone: the count, when it keeps it inline ({@link InlineRefCounts});
 *                           other strategies leave the word unused, so layouts stay identical
 *  +8  ob_type     1 byte   {@link ObjectType} code; FREED marks a chunk on a free list
 *  +9  check       1 byte   0xC7 in a live chunk (a plausibility check on references);
 *                           the former type in a freed chunk
 *  +10 size class  1 byte   the allocator's size class (156 classes)
 *  +11 gc flags    1 byte   the collector's: bit 0 the mark of {@link HeaderMarks}, bit 1 "frozen";
 *                           0 in a new or freed chunk (the allocator writes the whole word)
 *  +12 ob_size     4 bytes  length: items of a list or tuple, entries of a dict, UTF-8 bytes
 *                           of a str, 0/1 for a bool; the free-list link in a freed chunk
 *  +16 payload:    int   value (8 bytes)
 *                  str   hash (4 bytes), then the UTF-8 bytes
 *                  list  items block (8), capacity (4)      the items live in a separate block,
 *                  dict  table block (8), slots (4), fill (4)  as CPython's ob_item and keys table do
 *                  tuple the items themselves, 8 bytes each
 *                  block the owner's data: 8-byte references, or 16-byte (key, value) dict entries
 * </pre>
 * In CPython terms: {@code ob_refcnt} and {@code ob_type} are the {@code PyObject} header
 * (there {@code ob_type} is an 8-byte pointer; here one byte, with the size class and the
 * length packed next to it, so the header stays 16 bytes like a {@code PyVarObject}).
 *
 * <h2>References, owned and borrowed (as the CPython C API documents them)</h2>
 * <ul>
 *   <li>Constructors ({@code newInt}, {@code newStr}, {@code newList}, {@code newDict},
 *       {@code newTuple}) return a <b>new reference</b>: the caller owns it and must
 *       {@link #decref} it exactly once when done.</li>
 *   <li>Getters ({@code listGet}, {@code tupleGet}, {@code dictGet}, {@code dictKeyAt},
 *       {@code dictValueAt}, {@code none}, {@code bool}) return a <b>borrowed reference</b>:
 *       valid only while its owner holds it. {@link #incref} it to keep it longer.</li>
 *   <li>{@code listAppend}, {@code dictSet} and {@code newTuple} take their arguments as
 *       borrowed and incref what they store ({@code PyList_Append}, {@code PyDict_SetItem},
 *       {@code PyTuple_Pack}). {@link #listSet} <b>steals</b> the item's reference
 *       ({@code PyList_SetItem}).</li>
 *   <li>When a count reaches zero the object is deallocated: its children are decref'd
 *       (iteratively, like CPython's trashcan, so deep structures cannot overflow the stack)
 *       and its memory goes back to the allocator for reuse. Reference cycles are never
 *       freed by counting: {@link Collector} frees them (CPython's {@code gc} module).</li>
 * </ul>
 *
 * <h2>Errors and verification</h2>
 * Every reference passed in is checked before it is used ({@link References}): NULL, out of
 * range, misaligned, freed (use after free, double decref), the wrong type, an index out of
 * range. Failures throw a {@link HeapException} that says what happened and what to do, and
 * change nothing. A decref that fails after a write (half-way through a deallocation cascade,
 * or on an item a container has let go) marks the heap broken: every later operation throws
 * HEAP_BROKEN naming that failure. {@link #verify()} checks the whole heap's bookkeeping ({@link HeapVerifier});
 * {@link #verifyEachOperation} (or {@code -Dcowfork.heap.verify=true}) runs it after every
 * mutating operation, in the spirit of clox's {@code DEBUG_STRESS_GC}.
 *
 * <p>Where counts are stored is the {@link RefCounts} strategy's business: the heap never
 * writes the count word itself. Not thread-safe.
 */
public final class Heap extends ObjectMemory {
    /** Every reference is a multiple of this. */
    public static final int ALIGNMENT = 16;
    /** The size of every header. */
    public static final int HEADER_SIZE = 16;
    /** The NULL reference. */
    public static final long NULL = 0;
    /** The largest heap: the allocator links free chunks by 32-bit numbers of 16-byte units (64 GiB). */
    public static final long MAX_BYTES = Allocator.MAX_REGION_BYTES;
    /** Whether new heaps verify themselves after every mutating operation: {@code -Dcowfork.heap.verify=true}. */
    public static final boolean VERIFY_BY_DEFAULT = Boolean.getBoolean("cowfork.heap.verify");

    /** Header field offsets (see the class comment). */
    public static final int OB_REFCNT = 0;
    public static final int OB_TYPE = 8;
    public static final int OB_SIZE = 12;
    /** The header byte a {@link MarkPlacement} may keep per-object flags in (see {@link HeaderMarks}). */
    public static final int GC_FLAGS = 11;
    static final int HEADER_CHECK = 0xC7;

    static final int INT_VALUE = 16;
    static final int STR_HASH = 16;
    static final int STR_BYTES = 20;
    static final int LIST_ITEMS = 16;
    static final int LIST_CAPACITY = 24;
    static final int TUPLE_ITEMS = 16;
    static final int BLOCK_DATA = 16;
    private static final int CONTAINER_SIZE = 32;
    private static final int MAX_STR_BYTES = Integer.MAX_VALUE - 64;

    /**
     * A heap in a new region of {@code bytes} (rounded up to whole pages, the first page
     * used for allocator metadata), with counts kept by {@code factory}'s strategy.
     *
     * @throws IllegalArgumentException if {@code bytes} is under two pages or over {@link #MAX_BYTES};
     *         nothing is mapped then
     */
    public static Heap create(long bytes, RefCounts.Factory factory) {
        return create(bytes, factory, Region.HugePages.NEVER);
    }

    /**
     * {@link #create(long, RefCounts.Factory)} in a region {@code hugePages} may back with
     * 2 MiB transparent huge pages ({@link Region#allocate(long, Region.HugePages)}): fork
     * then copies one page-table entry per 2 MiB instead of 512. Whether the kernel grants
     * them is its choice; {@code Smaps.of(pid, heap.region()).fields().anonHugePagesKb()} says.
     *
     * @throws IllegalArgumentException as {@link #create(long, RefCounts.Factory)}; nothing is mapped then
     */
    public static Heap create(long bytes, RefCounts.Factory factory, Region.HugePages hugePages) {
        Allocator.requireAddressable(bytes); // before mmap: a refused size maps nothing
        Region region = Region.allocate(bytes, hugePages);
        try {
            return new Heap(region, factory);
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /**
     * A heap in {@code region}, which it owns from now on (closing the heap closes it).
     * The region must be freshly allocated (zeroed).
     *
     * @throws IllegalArgumentException if the region is under two pages or over {@link #MAX_BYTES}
     */
    public Heap(Region region, RefCounts.Factory factory) {
        super(region, factory);
    }

    // ---------------------------------------------------------------- singletons

    /** None (borrowed: the heap owns it; incref it if you store it somewhere). */
    public long none() {
        return none;
    }

    /** True or False (borrowed, like {@link #none()}). */
    public long bool(boolean value) {
        return value ? trueRef : falseRef;
    }

    /** The value of a bool object. */
    public boolean boolValue(long ref) {
        refs.requireType(ref, ObjectType.BOOL, "boolValue", this);
        return region.getInt(ref + OB_SIZE) != 0;
    }

    // ---------------------------------------------------------------- int and str

    /** A new int object ({@code PyLong_FromLong}): a new reference. */
    public long newInt(long value) {
        long ref = allocObject(ObjectType.INT, INT_VALUE + 8, 0);
        region.putLong(ref + INT_VALUE, value);
        return created(ref, "newInt");
    }

    /** The value of an int object ({@code PyLong_AsLong}). */
    public long intValue(long ref) {
        refs.requireType(ref, ObjectType.INT, "intValue", this);
        return region.getLong(ref + INT_VALUE);
    }

    /** A new str object holding {@code text} as UTF-8 ({@code PyUnicode_FromString}): a new reference. */
    public long newStr(CharSequence text) {
        byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STR_BYTES) {
            throw new IllegalArgumentException("a str holds at most " + MAX_STR_BYTES + " UTF-8 bytes, got " + utf8.length);
        }
        long ref = allocObject(ObjectType.STR, STR_BYTES + utf8.length, utf8.length);
        region.putInt(ref + STR_HASH, Utf8.hash(utf8, utf8.length));
        region.putBytes(ref + STR_BYTES, utf8, 0, utf8.length);
        return created(ref, "newStr");
    }

    /** The length of a str in UTF-8 bytes. */
    public int strByteLength(long ref) {
        refs.requireType(ref, ObjectType.STR, "strByteLength", this);
        return region.getInt(ref + OB_SIZE);
    }

    /** The text of a str object, as a new Java string. */
    public String strValue(long ref) {
        refs.requireType(ref, ObjectType.STR, "strValue", this);
        return strText(ref);
    }

    /** Whether a str object's text equals {@code text}; allocates nothing. */
    public boolean strEquals(long ref, CharSequence text) {
        refs.requireType(ref, ObjectType.STR, "strEquals", this);
        return dicts.strEquals(ref, Utf8.hash(text), text);
    }

    /** Appends a str's text to {@code out} as a JSON string body (escaped, no quotes); allocates nothing. */
    void appendStrJson(long ref, StringBuilder out) {
        Utf8.appendJsonEscaped(region, ref + STR_BYTES, region.getInt(ref + OB_SIZE), out);
    }

    // ---------------------------------------------------------------- list (storage: ListItems)

    /** A new empty list ({@code PyList_New(0)}): a new reference. */
    public long newList() {
        return newList(0);
    }

    /** A new empty list with room for {@code capacity} items before it must grow: a new reference. */
    public long newList(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("list capacity must be >= 0, got " + capacity);
        }
        long items = capacity == 0 ? NULL : allocBlock(8L * capacity);
        long ref;
        try {
            ref = allocObject(ObjectType.LIST, CONTAINER_SIZE, 0);
        } catch (HeapException e) {
            freeBlock(items);
            throw e;
        }
        region.putLong(ref + LIST_ITEMS, items);
        region.putInt(ref + LIST_CAPACITY, capacity);
        return created(ref, "newList");
    }

    /** The number of items in a list ({@code PyList_Size}). */
    public int listSize(long list) {
        refs.requireType(list, ObjectType.LIST, "listSize", this);
        return region.getInt(list + OB_SIZE);
    }

    /** Item {@code index} of a list ({@code PyList_GetItem}): a borrowed reference. */
    public long listGet(long list, int index) {
        refs.requireIndex(list, ObjectType.LIST, index, "listGet", this);
        return region.getLong(lists.slot(list, index));
    }

    /** Appends {@code item} ({@code PyList_Append}): the list increfs it; the caller keeps its own reference. */
    public void listAppend(long list, long item) {
        refs.requireType(list, ObjectType.LIST, "listAppend", this);
        refs.check(item, "listAppend item");
        lists.append(list, item);
        refCounts.incref(item);
        verified("listAppend");
    }

    /**
     * Replaces item {@code index} with {@code item} ({@code PyList_SetItem}). <b>Steals</b>
     * the caller's reference to {@code item}, and decrefs the item it replaces.
     */
    public void listSet(long list, int index, long item) {
        refs.requireIndex(list, ObjectType.LIST, index, "listSet", this);
        refs.check(item, "listSet item");
        long at = lists.slot(list, index);
        long old = region.getLong(at);
        region.putLong(at, item);
        dropReleased(old, "listSet"); // last: the list is consistent again before any deallocation runs
        verified("listSet");
    }

    /** Removes item {@code index} ({@code del lst[index]}), shifting the rest down, and decrefs it. */
    public void listDel(long list, int index) {
        refs.requireIndex(list, ObjectType.LIST, index, "listDel", this);
        dropReleased(lists.remove(list, index), "listDel");
        verified("listDel");
    }

    // ---------------------------------------------------------------- tuple

    /** A new tuple of {@code items} ({@code PyTuple_Pack}): increfs each item; returns a new reference. */
    public long newTuple(long... items) {
        for (long item : items) {
            refs.check(item, "newTuple item");
        }
        long ref = allocObject(ObjectType.TUPLE, TUPLE_ITEMS + 8L * items.length, items.length);
        for (int i = 0; i < items.length; i++) {
            refCounts.incref(items[i]);
            region.putLong(ref + TUPLE_ITEMS + 8L * i, items[i]);
        }
        return created(ref, "newTuple");
    }

    /** The number of items in a tuple. */
    public int tupleSize(long tuple) {
        refs.requireType(tuple, ObjectType.TUPLE, "tupleSize", this);
        return region.getInt(tuple + OB_SIZE);
    }

    /** Item {@code index} of a tuple ({@code PyTuple_GetItem}): a borrowed reference. */
    public long tupleGet(long tuple, int index) {
        refs.requireIndex(tuple, ObjectType.TUPLE, index, "tupleGet", this);
        return region.getLong(tuple + TUPLE_ITEMS + 8L * index);
    }

    // ---------------------------------------------------------------- dict (storage: DictTable)

    /** A new empty dict with str keys ({@code PyDict_New}): a new reference. */
    public long newDict() {
        long table = dicts.newTable(DictTable.MIN_SLOTS);
        long ref;
        try {
            ref = allocObject(ObjectType.DICT, CONTAINER_SIZE, 0);
        } catch (HeapException e) {
            freeBlock(table);
            throw e;
        }
        dicts.init(ref, table);
        return created(ref, "newDict");
    }

    /** The number of entries in a dict ({@code PyDict_Size}). */
    public int dictSize(long dict) {
        refs.requireType(dict, ObjectType.DICT, "dictSize", this);
        return region.getInt(dict + OB_SIZE);
    }

    /** The value under {@code key} ({@code PyDict_GetItemString}): borrowed, or NULL if absent. Allocates nothing. */
    public long dictGet(long dict, CharSequence key) {
        refs.requireType(dict, ObjectType.DICT, "dictGet", this);
        long entry = dicts.find(dict, Utf8.hash(key), key, NULL);
        return entry < 0 ? NULL : region.getLong(entry + 8);
    }

    /** The value stored under the str object {@code key} ({@code PyDict_GetItem}): borrowed, or NULL. */
    public long dictGet(long dict, long key) {
        refs.requireType(dict, ObjectType.DICT, "dictGet", this);
        refs.requireType(key, ObjectType.STR, "dictGet key", this);
        long entry = dicts.find(dict, region.getInt(key + STR_HASH), null, key);
        return entry < 0 ? NULL : region.getLong(entry + 8);
    }

    /**
     * Stores {@code value} under the str object {@code key} ({@code PyDict_SetItem}): the
     * dict increfs both (the key only if it is new); the caller keeps its references. An
     * existing entry keeps its key object and decrefs its old value.
     */
    public void dictSet(long dict, long key, long value) {
        refs.requireType(dict, ObjectType.DICT, "dictSet", this);
        refs.requireType(key, ObjectType.STR, "dictSet key", this);
        refs.check(value, "dictSet value");
        int hash = region.getInt(key + STR_HASH);
        long entry = dicts.find(dict, hash, null, key);
        if (entry >= 0) {
            long old = region.getLong(entry + 8);
            refCounts.incref(value);
            region.putLong(entry + 8, value);
            dropReleased(old, "dictSet"); // last, as CPython does: deallocation may run after the dict is consistent
        } else {
            dicts.insert(dict, hash, key, value); // may throw HEAP_EXHAUSTED, before anything is counted
            refCounts.incref(key);
            refCounts.incref(value);
        }
        verified("dictSet");
    }

    /**
     * Stores {@code value} under the key {@code key} ({@code PyDict_SetItemString}),
     * creating the key's str object if the key is new. The caller keeps its reference to {@code value}.
     */
    public void dictSet(long dict, CharSequence key, long value) {
        long k = newStr(key);
        try {
            dictSet(dict, k, value);
        } finally {
            decref(k);
        }
    }

    /** Removes the entry under {@code key} ({@code PyDict_DelItemString}), decref'ing its key and value; whether there was one. */
    public boolean dictDel(long dict, CharSequence key) {
        refs.requireType(dict, ObjectType.DICT, "dictDel", this);
        long entry = dicts.find(dict, Utf8.hash(key), key, NULL);
        if (entry < 0) {
            return false;
        }
        long k = region.getLong(entry);
        long v = region.getLong(entry + 8);
        dicts.remove(dict, entry);
        dropReleased(k, "dictDel");
        dropReleased(v, "dictDel");
        verified("dictDel");
        return true;
    }

    /**
     * The first slot at or after {@code slot} that holds an entry, or -1 if none
     * ({@code PyDict_Next}). Iterate with
     * {@code for (int s = heap.dictNext(d, 0); s >= 0; s = heap.dictNext(d, s + 1))}.
     * The dict must not change during the iteration.
     */
    public int dictNext(long dict, int slot) {
        refs.requireType(dict, ObjectType.DICT, "dictNext", this);
        return dicts.next(dict, slot);
    }

    /** The key in {@code slot} (a slot {@link #dictNext} returned): borrowed. */
    public long dictKeyAt(long dict, int slot) {
        refs.requireType(dict, ObjectType.DICT, "dictKeyAt", this);
        return region.getLong(dicts.entryAt(dict, slot, "dictKeyAt"));
    }

    /** The value in {@code slot} (a slot {@link #dictNext} returned): borrowed. */
    public long dictValueAt(long dict, int slot) {
        refs.requireType(dict, ObjectType.DICT, "dictValueAt", this);
        return region.getLong(dicts.entryAt(dict, slot, "dictValueAt") + 8);
    }

}
