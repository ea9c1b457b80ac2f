// Where reference counts live is one decision behind one interface: the seam modules 04 and 05 plug into.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.Optional;

/**
 * Storage for the reference counts of a {@link Heap}'s objects.
 *
 * <p>The heap owns objects and their layout; a {@code RefCounts} owns only the counts.
 * Where they are kept is the whole subject of modules 03 to 05:
 * <ul>
 *   <li>{@link InlineRefCounts} (this module): in the object's own header, like CPython's
 *       {@code ob_refcnt}. Reading an object writes its page.</li>
 *   <li>a side table (module 04): in a separate region indexed by offset / {@link Heap#ALIGNMENT};
 *       object pages stay clean, table pages go private instead.</li>
 *   <li>immortal objects (module 05): in the header, but counts of objects made immortal before
 *       fork are never written again.</li>
 * </ul>
 *
 * <p>The heap calls a strategy only with references it has already checked to be live
 * objects of the heap (never NULL, a block, or a freed chunk), so a strategy checks
 * nothing but its counts. The heap calls, in an object's life:
 * {@link #onAllocate} once, {@link #incref} and {@link #decref} any number of times, and,
 * after a decref returned true and the object's children were released, {@link #onFree}.
 *
 * <p>Every strategy sees the same 16-byte header (see {@link Heap}): the count word at
 * offset 0 belongs to the strategy. A strategy that keeps counts elsewhere leaves that
 * word unused rather than shrinking the header, so objects sit at the same offsets and
 * on the same pages under every strategy, and page counts compare like with like.
 * Implementations are not thread-safe (the heap is not).
 */
public interface RefCounts extends AutoCloseable {

    /** The strategy's short name, as printed in {@code refcounts: strategy=NAME} lines. */
    String name();

    /** A new object was allocated at {@code ref}: its count becomes 1 (the caller's new reference). */
    void onAllocate(long ref);

    /** Adds one reference. */
    void incref(long ref);

    /**
     * Drops one reference.
     *
     * @return true when that was the last one and the heap must now deallocate the object
     * @throws HeapException ({@link HeapException.Kind#NEGATIVE_COUNT}) if the count is already
     *         zero or less, which only a corrupt count can be; nothing is written then
     */
    boolean decref(long ref);

    /** The object's current count, as this strategy stores it (an immortal count may be huge). */
    long get(long ref);

    /** The object at {@code ref} is being freed: forget its count (a side table clears its slot). */
    void onFree(long ref);

    /**
     * The region this strategy keeps its counts in, if it is not the heap's own region
     * (a side table), so demos can measure that region's pages after fork too.
     */
    Optional<Region> table();

    /** Releases what the strategy allocated (a table region). The heap calls it when it closes. */
    @Override
    default void close() {
    }

    /**
     * Makes a strategy for one heap. Factories are registered as services
     * ({@code META-INF/services/cowfork.heap.RefCounts$Factory}) so benchmarks and demos find
     * every strategy on the class path by name: see {@link RefCountStrategies}.
     */
    interface Factory {
        /** The name of the strategy this factory makes; equal to {@link RefCounts#name()}. */
        String name();

        /**
         * A strategy for a heap whose objects live in {@code heapRegion}, every object
         * aligned to {@link Heap#ALIGNMENT} bytes. A side table sizes itself from the region.
         * Called once, while the heap is being created, before any object exists.
         */
        RefCounts create(Region heapRegion);
    }
}
