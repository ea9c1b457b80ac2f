// Counts in the header word, changed by atomic read-modify-write: what many threads reading one heap need, and what it costs.
package cowfork.server.app;

import cowfork.cow.Region;
import cowfork.heap.HeaderRefCounts;
import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.RefCounts;

/**
 * Inline counts (the header word at {@link Heap#OB_REFCNT}, as CPython's {@code ob_refcnt})
 * whose incref and decref are one atomic add ({@code lock xadd} on x86, through
 * {@link Region#getAndAddLong}), so that threads reading the same objects at once lose no
 * update. The plain {@code load; add; store} of {@code InlineRefCounts} loses one whenever
 * two threads interleave it: the count drifts, and a count that drifts to zero frees a
 * live object.
 *
 * <p>Only the counts are made safe. Allocation, freeing and container writes stay
 * single-threaded ({@link Heap} is not thread-safe); the threaded server only reads the
 * preloaded data set, and each of its reads holds a reference for as long as it uses an
 * object, so no count it touches reaches zero.
 *
 * <p>Deliberately not registered as a service: chapter 05's single-threaded comparison of
 * strategies would list it next to counts that need no atomics, which is not the question
 * it answers. {@code ThreadedServer} constructs it through {@link #FACTORY}.
 */
public final class AtomicRefCounts extends HeaderRefCounts {
    public static final String NAME = "atomic";

    public static final RefCounts.Factory FACTORY = new RefCounts.Factory() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public RefCounts create(Region heapRegion) {
            return new AtomicRefCounts(heapRegion);
        }
    };

    private AtomicRefCounts(Region region) {
        super(region);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Yes: every update is one atomic add, so threads sharing an object lose none. */
    @Override
    public boolean safeUnderThreads() {
        return true;
    }

    @Override
    public void incref(long ref) {
        region.getAndAddLong(ref + Heap.OB_REFCNT, 1);
    }

    /**
     * Atomically drops one reference.
     *
     * @return true when that was the last one
     * @throws HeapException NEGATIVE_COUNT if the count was already zero or less; the
     *         decrement is undone then (another thread may have seen it for an instant)
     */
    @Override
    public boolean decref(long ref) {
        long before = region.getAndAddLong(ref + Heap.OB_REFCNT, -1);
        if (before <= 0) {
            region.getAndAddLong(ref + Heap.OB_REFCNT, 1);
            throw HeapException.negativeCount(ref, before, NAME);
        }
        return before == 1;
    }

    @Override
    public String toString() {
        return "AtomicRefCounts[count at header offset " + Heap.OB_REFCNT + ", atomic add]";
    }
}
