// Where reference counts live is one decision behind one interface: the seam modules 04 and 05 plug into.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.BitSet;
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
 *
 * <p><b>The seam carries behaviour, not names.</b> A demo, a benchmark or a server never
 * asks a strategy for its name to decide what to do. Everything that differs between
 * strategies is a method here, with a default that fits counts kept in the header word:
 * <ul>
 *   <li><b>where</b> the bookkeeping lives: the header word, or {@link #table()};</li>
 *   <li><b>what to do before fork</b>: {@link #prepareForFork} (nothing by default; the
 *       immortal strategy makes every object immortal, as Cinder's {@code immortalize_heap});</li>
 *   <li><b>what a read costs after fork</b>: {@link #predictPrivatePages}, the pages of each
 *       region a child that reads given objects will copy, which the experiments compare
 *       with the kernel's page map page for page;</li>
 *   <li><b>whether threads may share it</b>: {@link #safeUnderThreads()} (no by default: a
 *       plain load, add and store loses updates when two threads interleave it).</li>
 * </ul>
 * A new strategy is one class and one line in {@code META-INF/services}; no switch elsewhere
 * learns its name. The same shape fits the next bookkeeping a runtime writes on reads: a
 * tracing collector's mark bits ("mark placement": in the header, as Ruby before 2.0, or in
 * a bitmap, as Ruby 2.0's bitmap marking) would be an interface with the same three
 * behaviours, found the same way (a {@link Factory} service ordered by its chapter): where
 * the marks live, what to do before fork (CPython's {@code gc.freeze()} moves every object
 * out of the collector's reach), and which pages a collection in the child copies.
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

    /**
     * Whether several threads may incref and decref the same objects at once without losing
     * an update (the count of an object two threads share must not drift). The default, false,
     * is the truth for every strategy whose update is a plain load, add and store: all of
     * chapters 03 to 05, whose heaps are single-threaded. A server that runs handlers on many
     * threads without a lock asks this, never the strategy's name.
     */
    default boolean safeUnderThreads() {
        return false;
    }

    /**
     * Called once in the parent after the heap is built and before the first fork (and
     * before any warm-up run, so the warm-up sees the objects as the children will). A
     * strategy that needs nothing does nothing, the default.
     *
     * @param heap the heap that uses this strategy
     * @return one line saying what was done, for a demo or a log (e.g. how many objects were
     *         made immortal), or "" when nothing was
     * @throws IllegalArgumentException if {@code heap} does not use this strategy; nothing is written then
     */
    default String prepareForFork(Heap heap) {
        requireUsedBy(heap, this);
        return "";
    }

    /**
     * The pages a forked child copies when it reads each of {@code touched} (increfs and
     * decrefs it, as {@code Workloads} do), given what {@link #prepareForFork} did: the
     * pages this strategy writes for those objects, per region. The default is the header
     * word's: the page of each touched object's header, and no table page. The heap itself
     * writes nothing on a read, so this is exactly what the kernel reports, page for page.
     *
     * @param heap    the heap that uses this strategy
     * @param touched live objects of {@code heap}, in any order, duplicates allowed
     * @throws IllegalArgumentException if {@code heap} does not use this strategy
     */
    default PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        requireUsedBy(heap, this);
        return new PredictedPages("header addresses", ObjectGraph.headerPages(touched), new BitSet());
    }

    /**
     * Refuses a heap whose counts {@code counts} does not keep (asking one strategy about
     * another's heap would read or write counts it does not own). For implementations.
     *
     * @throws IllegalArgumentException naming both strategies
     */
    static void requireUsedBy(Heap heap, RefCounts counts) {
        if (heap.refCounts() != counts) {
            throw new IllegalArgumentException("this heap's counts are kept by '" + heap.refCounts().name()
                    + "', not by this '" + counts.name() + "' strategy: ask heap.refCounts() instead");
        }
    }

    /**
     * The pages a strategy predicts a child will copy, per region, as page indices from
     * the region's start.
     *
     * @param basis what the prediction is computed from, for a demo's sentence
     *              "predicted from the touched objects' BASIS", e.g. "header addresses"
     * @param heap  pages of the heap's object region
     * @param table pages of the strategy's {@link RefCounts#table()} region (empty without one)
     */
    record PredictedPages(String basis, BitSet heap, BitSet table) {
        /** Pages in both regions. */
        public int total() {
            return heap.cardinality() + table.cardinality();
        }
    }

    /** Releases what the strategy allocated (a table region). The heap calls it when it closes. */
    @Override
    default void close() {
    }

    /**
     * Makes a strategy for one heap ({@link Registered}: a name, a chapter, {@code create}),
     * registered as a service so that benchmarks and demos find every strategy on the class
     * path by name: see {@link RefCountStrategies}. {@code create} is called once, while the
     * heap is being created, before any object exists; every object will be aligned to
     * {@link Heap#ALIGNMENT} bytes, and a side table sizes itself from the region.
     * {@link SeamFactory} holds what every shipped factory shares (name, chapter, the
     * closed-region guard).
     */
    interface Factory extends Registered<RefCounts> {
    }
}
