// A mark-and-sweep collector beside the refcounts, for what they cannot free (cycles), keeping its marks where a MarkPlacement says.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.function.LongConsumer;

/**
 * CPython runs a tracing collector beside its refcounts because a reference cycle keeps
 * every count in it above zero forever. This one is the simplest such collector, Ruby's
 * and "Baby's first GC"'s: mark everything reachable from the roots, then sweep the heap in
 * address order and free what was not marked.
 *
 * <h2>A collection</h2>
 * <ol>
 *   <li><b>Mark.</b> The roots (the caller's owned references, and the heap's singletons)
 *       are marked, then everything they reach, with an explicit stack in a {@link Region}
 *       of its own mapped once by the constructor: no recursion, and no Java allocation per
 *       object (a forked child has little Java heap to spare). A {@linkplain
 *       MarkPlacement#isPermanent permanent} object is never marked; its children are
 *       marked as if it were a root, found by reading it.</li>
 *   <li><b>Sweep.</b> A walk over every chunk, reading headers only. A marked object stays
 *       (the placement may clear its mark); an unmarked one is garbage: first its references
 *       to <em>surviving</em> objects are decref'd (their counts must not keep the garbage's
 *       share), its references to other garbage are simply dropped (that garbage is freed by
 *       this same walk: no cascade of decrefs into freed memory, CPython's {@code tp_clear}
 *       problem), then it is freed through the allocator, as a deallocation frees it. A page
 *       without garbage is never written by the sweep; a page with garbage is, by the
 *       allocator's free-list link and poison, and so is the allocator's metadata page.</li>
 * </ol>
 * After a collection the heap's invariants hold ({@link Heap#verify(long...)} with the same
 * roots passes): every count equals the references held by live objects, roots and the heap.
 *
 * <h2>Errors</h2>
 * A root that is not a live object is refused before anything is written (the heap's own
 * {@link HeapException}). A collection while a {@linkplain #borrow() borrowed iteration} is
 * open is refused: the iteration's references are not roots, and freeing under them would
 * leave them dangling. A surviving object whose count reaches zero when the garbage lets go
 * of it (only an object the garbage alone held, such as a permanent one) is decref'd through
 * the heap's ordinary path after the sweep. Any other failure inside a collection marks the
 * heap broken. Not thread-safe.
 */
public final class Collector implements AutoCloseable {
    private final Heap heap;
    private final Region region;
    private final Allocator allocator;
    private final MarkPlacement.Factory placement;
    private final MarkPlacement marks;
    /** The mark stack: objects marked whose children are still to be scanned; 8 bytes each. */
    private final Region stack;
    private long stackSize;
    private int openBorrows;
    private long sweepAt; // the chunk the sweep is at
    private final LongConsumer markChild = this::markAndPush; // one object, reused for every child
    private final LongConsumer releaseChild = this::releaseChild;

    /** What one collection did: objects found live (permanent ones included) and objects freed. */
    public record Result(long live, long freed) {
    }

    /**
     * A collector for {@code heap} keeping marks with {@code placement}'s placement.
     *
     * @throws IllegalArgumentException if the heap is closed
     */
    public Collector(Heap heap, MarkPlacement.Factory placement) {
        if (heap.region().isClosed()) {
            throw new IllegalArgumentException("the heap is closed");
        }
        this.heap = heap;
        this.region = heap.region();
        this.allocator = heap.allocator();
        this.placement = placement;
        // At most one entry per 16-byte granule; the kernel maps only the stack pages used.
        long slots = (region.size() - Allocator.DATA_START) / Heap.ALIGNMENT + 1;
        this.stack = Region.allocate(Math.max(Region.PAGE_SIZE, slots * 8));
        try {
            this.marks = placement.create(region);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** The heap this collector collects. */
    public Heap heap() {
        return heap;
    }

    /** The factory of the mark placement in use. */
    public MarkPlacement.Factory placement() {
        return placement;
    }

    /** The mark placement in use. */
    public MarkPlacement marks() {
        return marks;
    }

    /** Calls the placement's {@link MarkPlacement#prepareForFork} with these roots; returns its line. */
    public String prepareForFork(long... roots) {
        return marks.prepareForFork(this, roots);
    }

    /**
     * Declares an iteration that holds borrowed, unrooted references (a loop over
     * {@code listGet} results, say): until it is closed, {@link #collect} refuses to run.
     */
    public Borrow borrow() {
        openBorrows++;
        return new Borrow();
    }

    /** An open borrowed iteration; close it when the references it handed out are no longer used. */
    public final class Borrow implements AutoCloseable {
        private boolean closed;

        private Borrow() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                openBorrows--;
            }
        }
    }

    /**
     * Runs one full collection: frees every object not reachable from {@code roots} (the
     * caller's owned references; a reference owned twice may be listed once or twice), the
     * heap's singletons, or a permanent object.
     *
     * @throws HeapException a root that is not a live object (NULL, freed, not an object); nothing is written then
     * @throws IllegalStateException if a {@link #borrow()} is open; nothing is written then
     * @throws HeapException HEAP_BROKEN if the collection failed half-way (the heap is then marked broken)
     */
    public Result collect(long... roots) {
        heap.refs.requireUsable("collect");
        if (openBorrows > 0) {
            throw new IllegalStateException("collect() while " + openBorrows + " borrowed iteration(s) are open: their"
                    + " references are not roots, and a collection could free what they point to. Close the"
                    + " Borrow first, or incref what you keep and pass it as a root.");
        }
        for (long r : roots) {
            heap.refs.check(r, "collect root");
        }
        try {
            markFrom(roots);
            return sweep();
        } catch (RuntimeException e) {
            HeapException cause = e instanceof HeapException he ? he
                    : new HeapException(HeapException.Kind.HEAP_CORRUPT, 0, "unexpected " + e, e);
            if (cause.kind() == HeapException.Kind.HEAP_BROKEN) {
                throw cause;
            }
            heap.refs.markBroken(cause);
            throw new HeapException(HeapException.Kind.HEAP_BROKEN, 0, "a collection failed half-way: "
                    + cause.getMessage() + " The heap is now marked broken.", cause);
        }
    }

    private void markFrom(long[] roots) {
        stackSize = 0;
        markAndPush(heap.none());
        markAndPush(heap.bool(false));
        markAndPush(heap.bool(true));
        for (long r : roots) {
            markAndPush(r);
        }
        if (marks.hasPermanentObjects()) {
            long end = allocator.bump();
            for (long at = Allocator.DATA_START; at < end; at += allocator.chunkSize(at)) {
                ObjectType t = heap.refs.typeAt(at);
                if (t != null && t.isObject() && marks.isPermanent(at)) {
                    heap.children(at, t, markChild); // reading a frozen object writes nothing
                }
            }
        }
        while (stackSize > 0) {
            long r = stack.getLong(8 * --stackSize);
            heap.children(r, heap.refs.typeAt(r), markChild);
        }
    }

    private void markAndPush(long ref) {
        if (marks.mark(ref)) {
            stack.putLong(8 * stackSize++, ref);
        }
    }

    private Result sweep() {
        long live = 0;
        long freed = 0;
        stackSize = 0;
        long end = allocator.bump();
        for (long at = Allocator.DATA_START; at < end; at += allocator.chunkSize(at)) {
            sweepAt = at;
            ObjectType t = heap.refs.typeAt(at); // freeing garbage keeps every chunk's size: the walk stays valid
            if (t == null || !t.isObject()) {
                continue; // blocks go with their owner; freed chunks are already free
            }
            if (marks.isMarked(at)) {
                marks.sweptLive(at);
                live++;
            } else {
                heap.children(at, t, releaseChild);
                if (t == ObjectType.LIST || t == ObjectType.DICT) {
                    heap.freeBlock(t == ObjectType.LIST ? region.getLong(at + Heap.LIST_ITEMS) : heap.dicts.table(at));
                }
                heap.refCounts.onFree(at);
                allocator.free(at, t);
                freed++;
            }
        }
        marks.endCollection(heap);
        while (stackSize > 0) { // survivors only the garbage held: the ordinary decref frees them now
            heap.decref(stack.getLong(8 * --stackSize));
        }
        return new Result(live, freed);
    }

    /** Garbage lets go of {@code child}: a survivor loses a counted reference; other garbage is freed by the walk itself. */
    private void releaseChild(long child) {
        // The walk has already swept what lies below: there a survivor is what was not freed
        // (its mark may be cleared already); at and above, the marks still say.
        boolean survives = child < sweepAt ? heap.refs.typeAt(child) != ObjectType.FREED : marks.isMarked(child);
        if (!survives) {
            return; // garbage: freed by this walk, before or after this point, never decref'd
        }
        if (heap.refCounts.decref(child)) {
            heap.refCounts.incref(child); // keep it counted until the sweep is over, then drop it the ordinary way
            stack.putLong(8 * stackSize++, child);
        }
    }

    /** Closes the placement and unmaps the mark stack. The heap stays open. Idempotent. */
    @Override
    public void close() {
        if (!stack.isClosed()) {
            marks.close();
            stack.close();
        }
    }
}
