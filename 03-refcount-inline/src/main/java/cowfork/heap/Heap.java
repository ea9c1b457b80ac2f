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
 *  +0  ob_refcnt   8 bytes  the count, when the strategy keeps it inline ({@link InlineRefCounts});
 *                           other strategies leave the word unused, so layouts stay identical
 *  +8  ob_type     1 byte   {@link ObjectType} code; FREED marks a chunk on a free list
 *  +9  check       1 byte   0xC7 in a live chunk (a plausibility check on references);
 *                           the former type in a freed chunk
 *  +10 size class  2 bytes  the allocator's size class
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
 *       freed: this heap has no cycle collector (CPython's {@code gc} module).</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Every reference passed in is checked before it is used: NULL, out of range, misaligned,
 * not at a live header (a freed chunk is reported as use after free, or as a double decref
 * when decref'd), the wrong type, an index out of range. Failures throw a
 * {@link HeapException} that says what happened and what to do; nothing is silently
 * corrupted. Checks only read, so a read-only workload writes nothing but counts.
 *
 * <p>Where counts are stored is the {@link RefCounts} strategy's business. Not thread-safe.
 */
public final class Heap implements AutoCloseable {
    /** Every reference is a multiple of this. */
    public static final int ALIGNMENT = 16;
    /** The size of every header. */
    public static final int HEADER_SIZE = 16;
    /** The NULL reference. */
    public static final long NULL = 0;

    /** Header field offsets (see the class comment). */
    public static final int OB_REFCNT = 0;
    public static final int OB_TYPE = 8;
    public static final int OB_SIZE = 12;
    static final int HEADER_CHECK = 0xC7;
    /** What a freed chunk's count word holds: a value no live count can have. */
    static final long FREED_COUNT = 0xDEADDEADDEADDEADL;

    private static final int INT_VALUE = 16;
    private static final int STR_HASH = 16;
    private static final int STR_BYTES = 20;
    private static final int LIST_ITEMS = 16;
    private static final int LIST_CAPACITY = 24;
    private static final int TUPLE_ITEMS = 16;
    private static final int DICT_TABLE = 16;
    private static final int DICT_SLOTS = 24;
    private static final int DICT_FILL = 28;
    private static final int CONTAINER_SIZE = 32;
    private static final int BLOCK_DATA = 16;
    private static final int DICT_ENTRY = 16;
    private static final int DICT_MIN_SLOTS = 8;
    /** The key of a deleted dict entry: probing must go on past it. Not a valid reference (unaligned). */
    private static final long DUMMY = 1;
    private static final int MAX_STR_BYTES = Integer.MAX_VALUE - 64;

    private final Region region;
    private final Allocator allocator;
    private final RefCounts refCounts;
    private final long none;
    private final long falseRef;
    private final long trueRef;

    /** Objects whose count reached zero, waiting to be deallocated (CPython's trashcan). */
    private long[] pending = new long[64];
    private int pendingSize;
    private boolean deallocating;

    /**
     * A heap in a new region of {@code bytes} (rounded up to whole pages, the first page
     * used for allocator metadata), with counts kept by {@code factory}'s strategy.
     *
     * @throws IllegalArgumentException if {@code bytes} is too small for a heap (under two pages)
     */
    public static Heap create(long bytes, RefCounts.Factory factory) {
        Region region = Region.allocate(bytes);
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
     */
    public Heap(Region region, RefCounts.Factory factory) {
        this.region = region;
        this.allocator = new Allocator(region);
        this.refCounts = factory.create(region);
        // The singletons; the heap owns one reference to each, as the interpreter does.
        this.none = allocObject(ObjectType.NONE, HEADER_SIZE, 0);
        this.falseRef = allocObject(ObjectType.BOOL, HEADER_SIZE, 0);
        this.trueRef = allocObject(ObjectType.BOOL, HEADER_SIZE, 1);
    }

    // ---------------------------------------------------------------- the heap itself

    /** The region objects live in. Reading it is fine; writing it corrupts the heap. */
    public Region region() {
        return region;
    }

    /** The refcount strategy in use. */
    public RefCounts refCounts() {
        return refCounts;
    }

    /** The allocator's statistics now. */
    public HeapStats stats() {
        return allocator.stats();
    }

    /** The end of the space ever allocated: every object lies below it. */
    public long usedEnd() {
        return allocator.bump();
    }

    /** The size of the chunk that holds the object at {@code ref} (header included). */
    public long chunkSize(long ref) {
        check(ref, "chunkSize");
        return allocator.chunkSize(ref);
    }

    /**
     * Calls {@code action} with every live object, in address order. Blocks and freed
     * chunks are skipped. Reads headers only. {@code action} must not allocate or free.
     */
    public void forEachLiveObject(LongConsumer action) {
        long end = allocator.bump();
        for (long at = Allocator.DATA_START; at < end; at += allocator.chunkSize(at)) {
            ObjectType t = ObjectType.ofCode(region.getInt(at + OB_TYPE) & 0xFF);
            if (t != null && t.isObject()) {
                action.accept(at);
            }
        }
    }

    /**
     * Calls {@code visit} with each reference the object at {@code ref} holds (dict keys
     * and values, list and tuple items), as CPython's {@code tp_traverse} does. The
     * references are borrowed; no count changes and nothing is written.
     */
    public void forEachChild(long ref, LongConsumer visit) {
        ObjectType t = check(ref, "forEachChild");
        switch (t) {
            case LIST -> {
                long items = region.getLong(ref + LIST_ITEMS);
                int n = region.getInt(ref + OB_SIZE);
                for (int i = 0; i < n; i++) {
                    visit.accept(region.getLong(items + BLOCK_DATA + 8L * i));
                }
            }
            case TUPLE -> {
                int n = region.getInt(ref + OB_SIZE);
                for (int i = 0; i < n; i++) {
                    visit.accept(region.getLong(ref + TUPLE_ITEMS + 8L * i));
                }
            }
            case DICT -> {
                for (int slot = dictNext(ref, 0); slot >= 0; slot = dictNext(ref, slot + 1)) {
                    visit.accept(dictKeyAt(ref, slot));
                    visit.accept(dictValueAt(ref, slot));
                }
            }
            default -> {
                // ints, strs and singletons hold no references
            }
        }
    }

    /** Closes the strategy and unmaps the region. Every reference becomes invalid. Idempotent. */
    @Override
    public void close() {
        if (!region.isClosed()) {
            refCounts.close();
            region.close();
        }
    }

    // ---------------------------------------------------------------- reference counting

    /** Adds a reference to the object ({@code Py_INCREF}). */
    public void incref(long ref) {
        check(ref, "incref");
        refCounts.incref(ref);
    }

    /**
     * Drops a reference ({@code Py_DECREF}); at zero the object is deallocated, its
     * children decref'd and its memory returned for reuse.
     *
     * @throws HeapException DOUBLE_DECREF if the object was already freed, NEGATIVE_COUNT
     *         if its count is corrupt or the heap's own reference to a singleton was dropped
     */
    public void decref(long ref) {
        check(ref, "decref");
        if (refCounts.decref(ref)) {
            deallocate(ref);
        }
    }

    /** {@link #decref} that accepts NULL and does nothing then ({@code Py_XDECREF}). */
    public void xdecref(long ref) {
        if (ref != NULL) {
            decref(ref);
        }
    }

    /** The object's reference count as the strategy stores it ({@code Py_REFCNT}). */
    public long refCount(long ref) {
        check(ref, "refCount");
        return refCounts.get(ref);
    }

    // ---------------------------------------------------------------- type and liveness

    /** The type of the live object at {@code ref}. */
    public ObjectType type(long ref) {
        return check(ref, "type");
    }

    /** Whether {@code ref} is a live object of this heap. Never throws. */
    public boolean isLive(long ref) {
        return describeProblem(ref, "isLive") == null;
    }

    /**
     * Whether {@code ref} points at a freed chunk waiting for reuse: a dangling reference
     * that every operation would refuse. Never throws.
     */
    public boolean isFreed(long ref) {
        HeapException problem = describeProblem(ref, "isFreed");
        return problem != null && problem.kind() == HeapException.Kind.USE_AFTER_FREE;
    }

    /** A one-line description for messages and test output, e.g. {@code str@4160(rc=2 "id")}; never throws. */
    public String describe(long ref) {
        if (ref == NULL) {
            return "NULL";
        }
        if (region.isClosed()) {
            return "@" + ref + "(heap closed)";
        }
        HeapException problem = describeProblem(ref, "describe");
        if (problem != null) {
            return "@" + ref + "(" + problem.kind() + ")";
        }
        ObjectType t = typeAt(ref);
        String value = switch (t) {
            case NONE -> " None";
            case BOOL -> region.getInt(ref + OB_SIZE) != 0 ? " True" : " False";
            case INT -> " " + region.getLong(ref + INT_VALUE);
            case STR -> " \"" + abbreviate(strValue(ref)) + "\"";
            default -> " len=" + region.getInt(ref + OB_SIZE);
        };
        return t.pythonName() + "@" + ref + "(rc=" + refCounts.get(ref) + value + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 21) + "...";
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
        requireType(ref, ObjectType.BOOL, "boolValue");
        return region.getInt(ref + OB_SIZE) != 0;
    }

    // ---------------------------------------------------------------- int

    /** A new int object ({@code PyLong_FromLong}): a new reference. */
    public long newInt(long value) {
        long ref = allocObject(ObjectType.INT, INT_VALUE + 8, 0);
        region.putLong(ref + INT_VALUE, value);
        return ref;
    }

    /** The value of an int object ({@code PyLong_AsLong}). */
    public long intValue(long ref) {
        requireType(ref, ObjectType.INT, "intValue");
        return region.getLong(ref + INT_VALUE);
    }

    // ---------------------------------------------------------------- str

    /** A new str object holding {@code text} as UTF-8 ({@code PyUnicode_FromString}): a new reference. */
    public long newStr(CharSequence text) {
        byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STR_BYTES) {
            throw new IllegalArgumentException("a str holds at most " + MAX_STR_BYTES + " UTF-8 bytes, got " + utf8.length);
        }
        long ref = allocObject(ObjectType.STR, STR_BYTES + utf8.length, utf8.length);
        region.putInt(ref + STR_HASH, Utf8.hash(utf8, utf8.length));
        region.putBytes(ref + STR_BYTES, utf8, 0, utf8.length);
        return ref;
    }

    /** The length of a str in UTF-8 bytes. */
    public int strByteLength(long ref) {
        requireType(ref, ObjectType.STR, "strByteLength");
        return region.getInt(ref + OB_SIZE);
    }

    /** The text of a str object, as a new Java string. */
    public String strValue(long ref) {
        requireType(ref, ObjectType.STR, "strValue");
        byte[] b = new byte[region.getInt(ref + OB_SIZE)];
        region.getBytes(ref + STR_BYTES, b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Whether a str object's text equals {@code text}; allocates nothing. */
    public boolean strEquals(long ref, CharSequence text) {
        requireType(ref, ObjectType.STR, "strEquals");
        return strEqualsUnchecked(ref, Utf8.hash(text), text);
    }

    /** Appends a str's text to {@code out} as a JSON string body (escaped, no quotes); allocates nothing. */
    void appendStrJson(long ref, StringBuilder out) {
        Utf8.appendJsonEscaped(region, ref + STR_BYTES, region.getInt(ref + OB_SIZE), out);
    }

    private boolean strEqualsUnchecked(long str, int hash, CharSequence text) {
        return region.getInt(str + STR_HASH) == hash
                && Utf8.equals(region, str + STR_BYTES, region.getInt(str + OB_SIZE), text);
    }

    private boolean strEqualsStr(long a, long b) {
        if (a == b) {
            return true;
        }
        int len = region.getInt(a + OB_SIZE);
        if (region.getInt(a + STR_HASH) != region.getInt(b + STR_HASH) || len != region.getInt(b + OB_SIZE)) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (region.getByte(a + STR_BYTES + i) != region.getByte(b + STR_BYTES + i)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- list

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
        return ref;
    }

    /** The number of items in a list ({@code PyList_Size}). */
    public int listSize(long list) {
        requireType(list, ObjectType.LIST, "listSize");
        return region.getInt(list + OB_SIZE);
    }

    /** Item {@code index} of a list ({@code PyList_GetItem}): a borrowed reference. */
    public long listGet(long list, int index) {
        requireIndex(list, ObjectType.LIST, index, "listGet");
        return region.getLong(region.getLong(list + LIST_ITEMS) + BLOCK_DATA + 8L * index);
    }

    /** Appends {@code item} ({@code PyList_Append}): the list increfs it; the caller keeps its own reference. */
    public void listAppend(long list, long item) {
        requireType(list, ObjectType.LIST, "listAppend");
        check(item, "listAppend item");
        int n = region.getInt(list + OB_SIZE);
        int capacity = region.getInt(list + LIST_CAPACITY);
        if (n == capacity) {
            // Doubling, not CPython's 1/8 over-allocation: this allocator never merges
            // chunks, so fewer, larger abandoned blocks waste less.
            int newCapacity = capacity < 4 ? 4 : Math.multiplyExact(capacity, 2);
            long newItems = allocBlock(8L * newCapacity);
            long oldItems = region.getLong(list + LIST_ITEMS);
            for (int i = 0; i < n; i++) {
                region.putLong(newItems + BLOCK_DATA + 8L * i, region.getLong(oldItems + BLOCK_DATA + 8L * i));
            }
            freeBlock(oldItems);
            region.putLong(list + LIST_ITEMS, newItems);
            region.putInt(list + LIST_CAPACITY, newCapacity);
        }
        refCounts.incref(item);
        region.putLong(region.getLong(list + LIST_ITEMS) + BLOCK_DATA + 8L * n, item);
        region.putInt(list + OB_SIZE, n + 1);
    }

    /**
     * Replaces item {@code index} with {@code item} ({@code PyList_SetItem}). <b>Steals</b>
     * the caller's reference to {@code item}, and decrefs the item it replaces.
     */
    public void listSet(long list, int index, long item) {
        requireIndex(list, ObjectType.LIST, index, "listSet");
        check(item, "listSet item");
        long at = region.getLong(list + LIST_ITEMS) + BLOCK_DATA + 8L * index;
        long old = region.getLong(at);
        region.putLong(at, item);
        decref(old);
    }

    /** Removes item {@code index} ({@code del lst[index]}), shifting the rest down, and decrefs it. */
    public void listDel(long list, int index) {
        requireIndex(list, ObjectType.LIST, index, "listDel");
        long items = region.getLong(list + LIST_ITEMS) + BLOCK_DATA;
        int n = region.getInt(list + OB_SIZE);
        long old = region.getLong(items + 8L * index);
        for (int i = index; i < n - 1; i++) {
            region.putLong(items + 8L * i, region.getLong(items + 8L * (i + 1)));
        }
        region.putInt(list + OB_SIZE, n - 1);
        decref(old); // last: the list is consistent again before any deallocation runs
    }

    // ---------------------------------------------------------------- tuple

    /** A new tuple of {@code items} ({@code PyTuple_Pack}): increfs each item; returns a new reference. */
    public long newTuple(long... items) {
        for (long item : items) {
            check(item, "newTuple item");
        }
        long ref = allocObject(ObjectType.TUPLE, TUPLE_ITEMS + 8L * items.length, items.length);
        for (int i = 0; i < items.length; i++) {
            refCounts.incref(items[i]);
            region.putLong(ref + TUPLE_ITEMS + 8L * i, items[i]);
        }
        return ref;
    }

    /** The number of items in a tuple. */
    public int tupleSize(long tuple) {
        requireType(tuple, ObjectType.TUPLE, "tupleSize");
        return region.getInt(tuple + OB_SIZE);
    }

    /** Item {@code index} of a tuple ({@code PyTuple_GetItem}): a borrowed reference. */
    public long tupleGet(long tuple, int index) {
        requireIndex(tuple, ObjectType.TUPLE, index, "tupleGet");
        return region.getLong(tuple + TUPLE_ITEMS + 8L * index);
    }

    // ---------------------------------------------------------------- dict

    /** A new empty dict with str keys ({@code PyDict_New}): a new reference. */
    public long newDict() {
        long table = allocTable(DICT_MIN_SLOTS);
        long ref;
        try {
            ref = allocObject(ObjectType.DICT, CONTAINER_SIZE, 0);
        } catch (HeapException e) {
            freeBlock(table);
            throw e;
        }
        region.putLong(ref + DICT_TABLE, table);
        region.putInt(ref + DICT_SLOTS, DICT_MIN_SLOTS);
        region.putInt(ref + DICT_FILL, 0);
        return ref;
    }

    /** The number of entries in a dict ({@code PyDict_Size}). */
    public int dictSize(long dict) {
        requireType(dict, ObjectType.DICT, "dictSize");
        return region.getInt(dict + OB_SIZE);
    }

    /**
     * The value stored under {@code key} ({@code PyDict_GetItemString}): a borrowed
     * reference, or NULL if the key is absent. Allocates nothing.
     */
    public long dictGet(long dict, CharSequence key) {
        requireType(dict, ObjectType.DICT, "dictGet");
        long entry = findEntry(dict, Utf8.hash(key), key, NULL);
        return entry < 0 ? NULL : region.getLong(entry + 8);
    }

    /** The value stored under the str object {@code key} ({@code PyDict_GetItem}): borrowed, or NULL. */
    public long dictGet(long dict, long key) {
        requireType(dict, ObjectType.DICT, "dictGet");
        requireType(key, ObjectType.STR, "dictGet key");
        long entry = findEntry(dict, region.getInt(key + STR_HASH), null, key);
        return entry < 0 ? NULL : region.getLong(entry + 8);
    }

    /**
     * Stores {@code value} under the str object {@code key} ({@code PyDict_SetItem}): the
     * dict increfs both (the key only if it is new); the caller keeps its references. An
     * existing entry keeps its key object and decrefs its old value.
     */
    public void dictSet(long dict, long key, long value) {
        requireType(dict, ObjectType.DICT, "dictSet");
        requireType(key, ObjectType.STR, "dictSet key");
        check(value, "dictSet value");
        int hash = region.getInt(key + STR_HASH);
        long entry = findEntry(dict, hash, null, key);
        if (entry >= 0) {
            long old = region.getLong(entry + 8);
            refCounts.incref(value);
            region.putLong(entry + 8, value);
            decref(old); // last, as CPython does: deallocation may run after the dict is consistent
            return;
        }
        int used = region.getInt(dict + OB_SIZE);
        if ((region.getInt(dict + DICT_FILL) + 1) * 3L > region.getInt(dict + DICT_SLOTS) * 2L) {
            resize(dict, used);
        }
        long table = region.getLong(dict + DICT_TABLE);
        int mask = region.getInt(dict + DICT_SLOTS) - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long at = table + BLOCK_DATA + (long) DICT_ENTRY * i;
            long k = region.getLong(at);
            if (k == NULL || k == DUMMY) {
                refCounts.incref(key);
                refCounts.incref(value);
                region.putLong(at, key);
                region.putLong(at + 8, value);
                region.putInt(dict + OB_SIZE, used + 1);
                if (k == NULL) {
                    region.putInt(dict + DICT_FILL, region.getInt(dict + DICT_FILL) + 1);
                }
                return;
            }
        }
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

    /**
     * Removes the entry under {@code key} ({@code PyDict_DelItemString}), decref'ing its key
     * and value. Returns whether there was one.
     */
    public boolean dictDel(long dict, CharSequence key) {
        requireType(dict, ObjectType.DICT, "dictDel");
        long entry = findEntry(dict, Utf8.hash(key), key, NULL);
        if (entry < 0) {
            return false;
        }
        long k = region.getLong(entry);
        long v = region.getLong(entry + 8);
        region.putLong(entry, DUMMY);
        region.putLong(entry + 8, NULL);
        region.putInt(dict + OB_SIZE, region.getInt(dict + OB_SIZE) - 1);
        decref(k);
        decref(v);
        return true;
    }

    /**
     * The first slot at or after {@code slot} that holds an entry, or -1 if none
     * ({@code PyDict_Next}). Iterate with
     * {@code for (int s = heap.dictNext(d, 0); s >= 0; s = heap.dictNext(d, s + 1))}.
     * The dict must not change during the iteration.
     */
    public int dictNext(long dict, int slot) {
        requireType(dict, ObjectType.DICT, "dictNext");
        long table = region.getLong(dict + DICT_TABLE);
        int slots = region.getInt(dict + DICT_SLOTS);
        for (int i = Math.max(slot, 0); i < slots; i++) {
            long k = region.getLong(table + BLOCK_DATA + (long) DICT_ENTRY * i);
            if (k != NULL && k != DUMMY) {
                return i;
            }
        }
        return -1;
    }

    /** The key in {@code slot} (a slot {@link #dictNext} returned): borrowed. */
    public long dictKeyAt(long dict, int slot) {
        return region.getLong(entryAt(dict, slot, "dictKeyAt"));
    }

    /** The value in {@code slot} (a slot {@link #dictNext} returned): borrowed. */
    public long dictValueAt(long dict, int slot) {
        return region.getLong(entryAt(dict, slot, "dictValueAt") + 8);
    }

    private long entryAt(long dict, int slot, String op) {
        requireType(dict, ObjectType.DICT, op);
        int slots = region.getInt(dict + DICT_SLOTS);
        long at = region.getLong(dict + DICT_TABLE) + BLOCK_DATA + (long) DICT_ENTRY * slot;
        if (slot < 0 || slot >= slots || region.getLong(at) == NULL || region.getLong(at) == DUMMY) {
            throw new HeapException(HeapException.Kind.INDEX_OUT_OF_RANGE, dict, op + ": slot " + slot
                    + " of the dict at offset " + dict + " holds no entry (it has " + slots + " slots)."
                    + " Use only slots that dictNext returned, and do not change the dict while iterating.");
        }
        return at;
    }

    /** The entry holding the key (given as text, or as the str object {@code keyRef}), or -1. */
    private long findEntry(long dict, int hash, CharSequence text, long keyRef) {
        long table = region.getLong(dict + DICT_TABLE);
        int mask = region.getInt(dict + DICT_SLOTS) - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long at = table + BLOCK_DATA + (long) DICT_ENTRY * i;
            long k = region.getLong(at);
            if (k == NULL) {
                return -1;
            }
            if (k != DUMMY && (text != null ? strEqualsUnchecked(k, hash, text) : strEqualsStr(k, keyRef))) {
                return at;
            }
        }
    }

    /** Moves the entries into a table sized for growth (CPython: used * 3), dropping dummies. */
    private void resize(long dict, int used) {
        int slots = DICT_MIN_SLOTS;
        while (slots * 2L < (used + 1) * 3L) {
            slots <<= 1;
        }
        long newTable = allocTable(slots);
        long oldTable = region.getLong(dict + DICT_TABLE);
        int oldSlots = region.getInt(dict + DICT_SLOTS);
        int mask = slots - 1;
        for (int j = 0; j < oldSlots; j++) {
            long from = oldTable + BLOCK_DATA + (long) DICT_ENTRY * j;
            long k = region.getLong(from);
            if (k == NULL || k == DUMMY) {
                continue;
            }
            int i = region.getInt(k + STR_HASH) & mask;
            while (region.getLong(newTable + BLOCK_DATA + (long) DICT_ENTRY * i) != NULL) {
                i = (i + 1) & mask;
            }
            long to = newTable + BLOCK_DATA + (long) DICT_ENTRY * i;
            region.putLong(to, k);
            region.putLong(to + 8, region.getLong(from + 8));
        }
        freeBlock(oldTable);
        region.putLong(dict + DICT_TABLE, newTable);
        region.putInt(dict + DICT_SLOTS, slots);
        region.putInt(dict + DICT_FILL, used);
    }

    private long allocTable(int slots) {
        long table = allocBlock((long) DICT_ENTRY * slots);
        region.fill(table + BLOCK_DATA, (long) DICT_ENTRY * slots, (byte) 0); // a reused chunk holds 0xDD
        return table;
    }

    // ---------------------------------------------------------------- allocation and deallocation

    private long allocObject(ObjectType type, long bytes, int obSize) {
        long ref = allocator.allocate(bytes, type);
        region.putInt(ref + OB_SIZE, obSize);
        refCounts.onAllocate(ref);
        return ref;
    }

    private long allocBlock(long dataBytes) {
        long block = allocator.allocate(BLOCK_DATA + dataBytes, ObjectType.BLOCK);
        region.putLong(block + OB_REFCNT, 0); // blocks are not counted; clear the freed poison
        region.putInt(block + OB_SIZE, 0);
        return block;
    }

    private void freeBlock(long block) {
        if (block != NULL) {
            allocator.free(block, ObjectType.BLOCK);
        }
    }

    /** Deallocates {@code ref}, whose count just reached zero, and whatever that frees in turn. */
    private void deallocate(long ref) {
        if (ref == none || ref == trueRef || ref == falseRef) {
            refCounts.incref(ref); // put back the heap's own reference, as if the decref had not happened
            throw new HeapException(HeapException.Kind.NEGATIVE_COUNT, ref, "deallocating " + describe(ref)
                    + ": the heap's own reference to this singleton was decref'd away (CPython: \"Fatal Python error:"
                    + " deallocating None\"). Some code decref'd a borrowed reference from none() or bool();"
                    + " incref a singleton before you hand it out as a new reference.");
        }
        push(ref);
        if (deallocating) {
            return; // an outer deallocate() loop will get to it: no recursion however deep the structure
        }
        deallocating = true;
        try {
            while (pendingSize > 0) {
                long r = pending[--pendingSize];
                releaseChildren(r);
                ObjectType t = typeAt(r);
                refCounts.onFree(r);
                allocator.free(r, t);
            }
        } finally {
            deallocating = false;
            pendingSize = 0;
        }
    }

    private void releaseChildren(long ref) {
        ObjectType t = typeAt(ref);
        if (!t.isContainer()) {
            return;
        }
        switch (t) {
            case LIST -> {
                long items = region.getLong(ref + LIST_ITEMS);
                int n = region.getInt(ref + OB_SIZE);
                for (int i = 0; i < n; i++) {
                    dropChild(region.getLong(items + BLOCK_DATA + 8L * i));
                }
                freeBlock(items);
            }
            case TUPLE -> {
                int n = region.getInt(ref + OB_SIZE);
                for (int i = 0; i < n; i++) {
                    dropChild(region.getLong(ref + TUPLE_ITEMS + 8L * i));
                }
            }
            case DICT -> {
                long table = region.getLong(ref + DICT_TABLE);
                int slots = region.getInt(ref + DICT_SLOTS);
                for (int i = 0; i < slots; i++) {
                    long at = table + BLOCK_DATA + (long) DICT_ENTRY * i;
                    long k = region.getLong(at);
                    if (k != NULL && k != DUMMY) {
                        dropChild(k);
                        dropChild(region.getLong(at + 8));
                    }
                }
                freeBlock(table);
            }
            default -> throw new AssertionError(t);
        }
    }

    private void dropChild(long child) {
        check(child, "decref");
        if (refCounts.decref(child)) {
            deallocate(child);
        }
    }

    private void push(long ref) {
        if (pendingSize == pending.length) {
            pending = java.util.Arrays.copyOf(pending, pending.length * 2);
        }
        pending[pendingSize++] = ref;
    }

    // ---------------------------------------------------------------- reference checks

    private ObjectType typeAt(long ref) {
        return ObjectType.ofCode(region.getInt(ref + OB_TYPE) & 0xFF);
    }

    /**
     * Checks that {@code ref} is a live object of this heap and returns its type.
     * Reads the header only. {@code op} names the operation for the message.
     */
    private ObjectType check(long ref, String op) {
        if (ref > 0 && ref <= region.size() - HEADER_SIZE && (ref & (ALIGNMENT - 1)) == 0) {
            int word = region.getInt(ref + OB_TYPE);
            ObjectType t = ObjectType.ofCode(word & 0xFF);
            if (t != null && t.isObject() && ((word >>> 8) & 0xFF) == HEADER_CHECK && ref >= Allocator.DATA_START) {
                return t; // the fast path: one read
            }
        }
        throw describeProblem(ref, op);
    }

    /** Why {@code ref} is not a live object, or null if it is one. */
    private HeapException describeProblem(long ref, String op) {
        if (ref == NULL) {
            return new HeapException(HeapException.Kind.NULL_REFERENCE, ref, op + ": got NULL where an object was"
                    + " required. A lookup that found nothing (dictGet of a missing key) returns NULL: check for it.");
        }
        if (ref < Allocator.DATA_START || ref > region.size() - HEADER_SIZE || (ref & (ALIGNMENT - 1)) != 0) {
            return new HeapException(HeapException.Kind.BAD_REFERENCE, ref, op + ": " + ref + " is not a reference"
                    + " into this heap: objects lie at multiples of " + ALIGNMENT + " in [" + Allocator.DATA_START + ", "
                    + region.size() + "). Was it computed, corrupted, or taken from another heap?");
        }
        int word = region.getInt(ref + OB_TYPE);
        int code = word & 0xFF;
        if (code == ObjectType.FREED.code()) {
            ObjectType was = ObjectType.ofCode((word >>> 8) & 0xFF);
            String what = was == null ? "an object" : "a " + was.pythonName();
            if (op.equals("decref")) {
                return new HeapException(HeapException.Kind.DOUBLE_DECREF, ref, "double decref: offset " + ref + " held "
                        + what + " that was already freed when its count reached zero. Decref each owned reference"
                        + " exactly once, and never decref a borrowed one (from listGet, dictGet, ...) you did not incref.");
            }
            return new HeapException(HeapException.Kind.USE_AFTER_FREE, ref, "use after free in " + op + ": offset " + ref
                    + " held " + what + " that has been freed (its count reached zero). A borrowed reference was kept"
                    + " after its owner let go: incref a borrowed reference you keep, decref it when done.");
        }
        ObjectType t = ObjectType.ofCode(code);
        if (t == null || !t.isObject() || ((word >>> 8) & 0xFF) != HEADER_CHECK) {
            boolean unused = ref >= allocator.bump();
            return new HeapException(HeapException.Kind.BAD_REFERENCE, ref, op + ": offset " + ref + " is not the start"
                    + " of a live object (" + (unused ? "nothing was ever allocated there"
                    : t == ObjectType.BLOCK ? "it is the internal storage block of a list or dict"
                    : "its header is implausible: type byte " + code + ", check byte " + ((word >>> 8) & 0xFF))
                    + "). Pass only references that constructors and getters returned.");
        }
        return null;
    }

    private void requireType(long ref, ObjectType expected, String op) {
        ObjectType t = check(ref, op);
        if (t != expected) {
            throw new HeapException(HeapException.Kind.WRONG_TYPE, ref, op + " needs a " + expected.pythonName()
                    + ", but offset " + ref + " is a " + t.pythonName() + " (" + describe(ref) + ").");
        }
    }

    private void requireIndex(long ref, ObjectType expected, int index, String op) {
        requireType(ref, expected, op);
        int n = region.getInt(ref + OB_SIZE);
        if (index < 0 || index >= n) {
            throw new HeapException(HeapException.Kind.INDEX_OUT_OF_RANGE, ref, op + ": index " + index
                    + " is out of range for the " + expected.pythonName() + " at offset " + ref + ", which has " + n
                    + " items (valid: 0.." + (n - 1) + ").");
        }
    }

    @Override
    public String toString() {
        return "Heap[" + refCounts.name() + ", " + region + ", " + (region.isClosed() ? "closed" : stats()) + "]";
    }
}
