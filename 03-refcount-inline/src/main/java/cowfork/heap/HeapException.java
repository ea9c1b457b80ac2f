// Every misuse of the heap ends here: detected, named, explained, never silent corruption.
package cowfork.heap;

/**
 * A detected misuse of the {@link Heap}: a NULL or bogus reference, a use after free, a
 * count about to go below zero, a wrong type, a full heap. The message says what was
 * found, at which offset, and what to do about it. Checks come before writes, so an
 * operation that throws has changed nothing. What cannot be checked first is a decref
 * after a write: a deallocation cascade (one decref freeing a whole structure) meeting a
 * corrupt child or count deep inside, or the item a listDel, listSet, dictSet or dictDel
 * has already taken out of its container. If that fails, the heap is marked broken and
 * every later operation throws {@link Kind#HEAP_BROKEN} naming that first failure, rather
 * than go on with counts known to be wrong.
 */
public final class HeapException extends RuntimeException {
    /** What went wrong, for tests and for callers that recover. */
    public enum Kind {
        /** A NULL (0) reference where an object was required. */
        NULL_REFERENCE,
        /** An offset outside the heap, not aligned, or not at an object's header. */
        BAD_REFERENCE,
        /** A reference to an object that has been freed. */
        USE_AFTER_FREE,
        /** A decref of an object that has already been freed (its count went to zero before). */
        DOUBLE_DECREF,
        /** A decref of a live object whose count is already zero or less: a corrupt count. */
        NEGATIVE_COUNT,
        /** An object of the wrong type for the operation (e.g. a list where a dict was needed). */
        WRONG_TYPE,
        /** An index outside a list or tuple. */
        INDEX_OUT_OF_RANGE,
        /** No free chunk and no untouched space large enough for an allocation. */
        HEAP_EXHAUSTED,
        /** A structure nested too deeply to walk (or a cycle where none is allowed). */
        TOO_DEEP,
        /** {@link Heap#verify} found the heap's bookkeeping inconsistent (a count, a container, a free list). */
        HEAP_CORRUPT,
        /** The heap was left inconsistent by an earlier failure (the cause) and refuses every operation. */
        HEAP_BROKEN
    }

    private final Kind kind;
    private final long ref;

    public HeapException(Kind kind, long ref, String message) {
        this(kind, ref, message, null);
    }

    /** An exception caused by {@code cause} (for HEAP_BROKEN: the failure that broke the heap). */
    public HeapException(Kind kind, long ref, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.ref = ref;
    }

    public Kind kind() {
        return kind;
    }

    /** The offset of the object concerned, or 0 if none. */
    public long ref() {
        return ref;
    }

    /** The exception for a decref that would take a live object's count below zero. */
    public static HeapException negativeCount(long ref, long count, String strategy) {
        return new HeapException(Kind.NEGATIVE_COUNT, ref, "decref of the object at offset " + ref
                + " would take its reference count below zero (it is " + count + ", strategy " + strategy
                + "). A live object always has a count of at least 1, so the count was corrupted: something wrote"
                + " over the object's header or the refcount table. Look for a stray write near offset " + ref + ".");
    }
}
