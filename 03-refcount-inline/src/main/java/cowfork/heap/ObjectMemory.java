// The memory under the heap's objects: chunks with a counted header, allocation, incref/decref, and deallocation at zero.
package cowfork.heap;

import static cowfork.heap.Heap.LIST_ITEMS;
import static cowfork.heap.Heap.NULL;
import static cowfork.heap.Heap.OB_SIZE;
import static cowfork.heap.Heap.TUPLE_ITEMS;

import cowfork.cow.Region;
import java.util.function.LongConsumer;

/**
 * What every object of a {@link Heap} shares, whatever its type: a chunk from the
 * {@link Allocator} with the 16-byte header drawn in {@link Heap}, a count kept by the
 * {@link RefCounts} strategy, checked references ({@link References}), and deallocation
 * when the count reaches zero, which releases the references a container holds (the
 * containers' storage is {@link ListItems} and {@link DictTable}). {@link Heap} adds the
 * Python types on top; this class is its superclass only so that each file holds one
 * idea, and its public methods are {@code Heap}'s. Not thread-safe.
 */
abstract sealed class ObjectMemory implements AutoCloseable permits Heap {
    final Region region;
    private final Allocator allocator;
    final RefCounts refCounts;
    final References refs;
    final DictTable dicts;
    final ListItems lists;
    /** The singletons None, False and True: the heap owns one reference to each. */
    final long none;
    final long falseRef;
    final long trueRef;
    private boolean verifyEach = Heap.VERIFY_BY_DEFAULT;

    /** Objects whose count reached zero, waiting to be deallocated (CPython's trashcan). */
    private long[] pending = new long[64];
    private int pendingSize;
    private boolean deallocating;

    /**
     * The memory of a heap in {@code region} (freshly allocated, so zeroed), with the
     * singletons None, False and True allocated.
     *
     * @throws IllegalArgumentException if the region is under two pages or over {@link Heap#MAX_BYTES}
     */
    ObjectMemory(Region region, RefCounts.Factory factory) {
        this.region = region;
        this.allocator = new Allocator(region);
        this.refs = new References(region, allocator);
        this.dicts = new DictTable(region, this);
        this.lists = new ListItems(region, this);
        this.refCounts = factory.create(region);
        try {
            // The singletons; the heap owns one reference to each, as the interpreter does.
            this.none = allocObject(ObjectType.NONE, Heap.HEADER_SIZE, 0);
            this.falseRef = allocObject(ObjectType.BOOL, Heap.HEADER_SIZE, 0);
            this.trueRef = allocObject(ObjectType.BOOL, Heap.HEADER_SIZE, 1);
        } catch (RuntimeException e) {
            refCounts.close(); // a side table would otherwise stay mapped
            throw e;
        }
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

    /** The allocator, for the collector of this package (it frees what the counts cannot). */
    final Allocator allocator() {
        return allocator;
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
        refs.check(ref, "chunkSize");
        return allocator.chunkSize(ref);
    }

    /**
     * The block that holds a list's items or a dict's table: a chunk of its own, written and
     * freed with its container. {@link Heap#NULL} for any other object, and for a
     * container that has none.
     */
    public long blockOf(long ref) {
        return switch (refs.check(ref, "blockOf")) {
            case LIST -> region.getLong(ref + LIST_ITEMS);
            case DICT -> dicts.table(ref);
            default -> NULL;
        };
    }

    /** The size of the chunk {@link #blockOf}{@code (ref)} names (its header included), or 0 without one. */
    public long blockSize(long ref) {
        long block = blockOf(ref);
        return block == NULL ? 0 : allocator.chunkSize(block);
    }

    /**
     * Calls {@code action} with every live object, in address order. Blocks and freed
     * chunks are skipped. Reads headers only. {@code action} must not allocate or free.
     *
     * @throws HeapException HEAP_BROKEN if the heap is broken
     */
    public void forEachLiveObject(LongConsumer action) {
        refs.requireUsable("forEachLiveObject");
        long end = allocator.bump();
        for (long at = Allocator.DATA_START; at < end; at += allocator.chunkSize(at)) {
            ObjectType t = refs.typeAt(at);
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
        children(ref, refs.check(ref, "forEachChild"), visit);
    }

    /** {@link #forEachChild} for a {@code ref} already known to be a live {@code type}. */
    void children(long ref, ObjectType type, LongConsumer visit) {
        switch (type) {
            case LIST, TUPLE -> { // a list's items are in its block, a tuple's in its own chunk
                long first = type == ObjectType.LIST ? lists.slot(ref, 0) : ref + TUPLE_ITEMS;
                int n = region.getInt(ref + OB_SIZE);
                for (int i = 0; i < n; i++) {
                    visit.accept(region.getLong(first + 8L * i));
                }
            }
            case DICT -> dicts.forEachReference(ref, visit);
            default -> {
                // ints, strs and singletons hold no references
            }
        }
    }

    /** Closes the strategy and unmaps the region. Every reference becomes invalid. Idempotent; works on a broken heap. */
    @Override
    public void close() {
        if (!region.isClosed()) {
            refCounts.close();
            region.close();
        }
    }

    // ---------------------------------------------------------------- verification

    /**
     * Checks the whole heap's bookkeeping ({@link HeapVerifier} says what, and what not):
     * chunks, free lists, containers, and that no count is below the references the heap
     * itself holds to the object (the caller's own references are unknown here).
     *
     * @throws HeapException HEAP_CORRUPT naming the first inconsistency; the heap is then marked broken
     */
    public void verify() {
        verify(null, "verify");
    }

    /**
     * {@link #verify()} with the caller's owned references declared ({@code roots}, a
     * reference owned twice listed twice): then every count must <em>equal</em> the
     * references held by live objects, the roots and the heap (one to each singleton).
     *
     * @throws HeapException HEAP_CORRUPT naming the first inconsistency; the heap is then marked broken
     */
    public void verify(long... roots) {
        verify(roots.clone(), "verify");
    }

    private void verify(long[] roots, String after) {
        refs.requireUsable("verify");
        try {
            new HeapVerifier(this, region, allocator, refs, dicts).verify(roots, new long[] {none, falseRef, trueRef}, after);
        } catch (HeapException e) {
            refs.markBroken(e);
            throw e;
        }
    }

    /**
     * Verifies the heap after every mutating operation from now on ({@code DEBUG_STRESS_GC}):
     * slow, each operation walks the whole heap; for tests and debugging. Off, it costs one
     * predictable branch on a field per operation.
     */
    public void verifyEachOperation(boolean on) {
        verifyEach = on;
    }

    /** Whether an earlier failure left the heap inconsistent, so that every operation now throws HEAP_BROKEN. */
    public boolean isBroken() {
        return refs.broken() != null;
    }

    /** Runs {@link #verify()} after {@code op} if {@link #verifyEachOperation} is on. */
    final void verified(String op) {
        if (verifyEach) {
            verify(null, op);
        }
    }

    // ---------------------------------------------------------------- reference counting

    /** Adds a reference to the object ({@code Py_INCREF}). */
    public void incref(long ref) {
        refs.check(ref, "incref");
        refCounts.incref(ref);
        verified("incref");
    }

    /**
     * Drops a reference ({@code Py_DECREF}); at zero the object is deallocated, its
     * children decref'd and its memory returned for reuse.
     *
     * @throws HeapException DOUBLE_DECREF if the object was already freed, NEGATIVE_COUNT if its
     *         count is corrupt or the heap's own reference to a singleton was dropped (nothing changed
     *         in these cases); HEAP_BROKEN if the deallocation it started failed half-way
     */
    public void decref(long ref) {
        drop(ref);
        verified("decref");
    }

    /** {@link #decref} that accepts NULL and does nothing then ({@code Py_XDECREF}). */
    public void xdecref(long ref) {
        if (ref != NULL) {
            decref(ref);
        }
    }

    /** The object's reference count as the strategy stores it ({@code Py_REFCNT}). */
    public long refCount(long ref) {
        refs.check(ref, "refCount");
        return refCounts.get(ref);
    }

    /** decref without the verification: for operations that verify once, when they are done. */
    private void drop(long ref) {
        refs.check(ref, "decref");
        if (refCounts.decref(ref)) {
            deallocate(ref);
        }
    }

    // ---------------------------------------------------------------- type and liveness

    /** The type of the live object at {@code ref}. */
    public ObjectType type(long ref) {
        return refs.check(ref, "type");
    }

    /** Whether {@code ref} is a live object of this heap. Never throws. */
    public boolean isLive(long ref) {
        return refs.isLive(ref);
    }

    /** Whether {@code ref} points at a freed chunk waiting for reuse (a dangling reference). Never throws. */
    public boolean isFreed(long ref) {
        HeapException problem = refs.describeProblem(ref, "isFreed");
        return problem != null && problem.kind() == HeapException.Kind.USE_AFTER_FREE;
    }

    /** A one-line description for messages and test output, e.g. {@code str@4160(rc=2 "id")}; never throws. */
    public String describe(long ref) {
        return refs.describe(ref, refCounts);
    }

    final String strText(long ref) {
        return refs.strText(ref);
    }

    // ---------------------------------------------------------------- allocation and deallocation

    /** A new object: its chunk, header and (by the strategy) count. @throws HeapException HEAP_EXHAUSTED, HEAP_BROKEN */
    final long allocObject(ObjectType type, long bytes, int obSize) {
        refs.requireUsable("new " + type.pythonName());
        long ref = allocator.allocate(bytes, type);
        region.putInt(ref + OB_SIZE, obSize);
        refCounts.onAllocate(ref);
        return ref;
    }

    /** Returns {@code ref}, a new object, after {@link #verified}. */
    final long created(long ref, String op) {
        verified(op);
        return ref;
    }

    /** A block for a list's items or a dict's table: no count (its count word is left as it is). */
    long allocBlock(long dataBytes) {
        refs.requireUsable("allocate a block");
        long block = allocator.allocate(Heap.BLOCK_DATA + dataBytes, ObjectType.BLOCK);
        region.putInt(block + OB_SIZE, 0);
        return block;
    }

    void freeBlock(long block) {
        if (block != NULL) {
            allocator.free(block, ObjectType.BLOCK);
        }
    }

    /**
     * Deallocates {@code ref}, whose count just reached zero, and whatever that frees in
     * turn, iteratively (CPython's trashcan: no recursion, however deep the structure). Each
     * object's references are all checked before the first is decref'd. Any failure inside
     * the cascade (a container holding a bad reference, a corrupt count further down) marks
     * the heap broken: objects may already be freed, so the counts can no longer be trusted.
     *
     * @throws HeapException NEGATIVE_COUNT (count restored, heap unchanged) for the heap's own
     *         reference to a singleton; HEAP_BROKEN, caused by the first failure, for anything else
     */
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
            return; // an outer deallocate() loop will get to it
        }
        deallocating = true;
        ObjectType topType = refs.typeAt(ref);
        long freed = 0;
        try {
            while (pendingSize > 0) {
                long r = pending[--pendingSize];
                ObjectType t = refs.typeAt(r);
                children(r, t, child -> refs.check(child, "decref")); // every one, before the first decref
                children(r, t, this::dropChild);
                if (t == ObjectType.LIST || t == ObjectType.DICT) {
                    freeBlock(t == ObjectType.LIST ? region.getLong(r + LIST_ITEMS) : dicts.table(r));
                }
                refCounts.onFree(r);
                allocator.free(r, t);
                freed++;
            }
        } catch (RuntimeException e) {
            throw broke(e, ref, "deallocating the " + topType.pythonName() + " at offset " + ref + " failed after " + freed
                    + " objects were freed");
        } finally {
            deallocating = false;
            pendingSize = 0;
        }
    }

    /** {@link #drop} of a reference a container has just let go: the container has changed, so a failure breaks the heap. */
    final void dropReleased(long ref, String op) {
        try {
            drop(ref);
        } catch (RuntimeException e) {
            throw broke(e, ref, op + " had already taken " + ref + " out of its container when releasing it failed");
        }
    }

    /** Marks the heap broken by {@code e} (unless it already is) and returns the HEAP_BROKEN to throw. */
    private HeapException broke(RuntimeException e, long ref, String what) {
        HeapException cause = e instanceof HeapException he ? he
                : new HeapException(HeapException.Kind.HEAP_CORRUPT, ref, "unexpected " + e, e);
        if (cause.kind() == HeapException.Kind.HEAP_BROKEN) {
            return cause; // broken further down, and already said so
        }
        refs.markBroken(cause);
        return new HeapException(HeapException.Kind.HEAP_BROKEN, ref, what + ": " + cause.getMessage()
                + " The heap is now marked broken (its counts can no longer be trusted): every later operation"
                + " throws HEAP_BROKEN. Find the stray decref or write that corrupted it (verifyEachOperation).", cause);
    }

    private void dropChild(long child) {
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

    @Override
    public String toString() {
        return "Heap[" + refCounts.name() + ", " + region + ", " + (region.isClosed() ? "closed"
                : isBroken() ? "BROKEN" : stats()) + "]";
    }
}
