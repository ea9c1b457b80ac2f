// Where a tracing collector keeps its mark bits is one decision behind one interface, shaped like RefCounts: the seam modules 04 and 05 plug into.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.BitSet;
import java.util.Optional;

/**
 * Storage for the mark bits of a {@link Collector}: which objects a collection found
 * reachable. Where they live is the collector's half of the course's subject:
 * <ul>
 *   <li>{@link HeaderMarks} (this module): a bit in the object's own header, as Ruby up to
 *       1.9 and CPython's GC header. Marking an object writes its page.</li>
 *   <li>a bitmap (module 04): one bit per {@link Heap#ALIGNMENT}-byte granule in a separate
 *       region, found from the object's offset, as Ruby 2.0's bitmap marking: object pages
 *       stay clean, a few bitmap pages (1/128 of the heap) go private instead.</li>
 *   <li>frozen (module 05): {@code freeze()} before fork puts every live object in a
 *       permanent generation that a collection neither marks nor sweeps, as CPython's
 *       {@code gc.freeze()}.</li>
 * </ul>
 *
 * <p>The collector calls a placement only with live objects of its heap, in one collection:
 * {@link #mark} for every object it reaches (its answer decides whether the collector scans
 * the object's children), then, walking the heap in address order, {@link #isMarked} for
 * every live object, {@link #sweptLive} for each marked one, and {@link #endCollection} once.
 * After a collection no object is marked. Like {@link RefCounts}, the seam carries
 * behaviour, not names: what to do before fork ({@link #prepareForFork}) and which pages a
 * collection in a child copies ({@link #predictMarkPages}) are methods here, and a new
 * placement is one class and one line in {@code META-INF/services/cowfork.heap.MarkPlacement$Factory}.
 * Implementations are not thread-safe.
 */
public interface MarkPlacement extends AutoCloseable {

    /** The placement's short name, as printed in {@code gc: marks=NAME} lines. */
    String name();

    /**
     * Marks the object at {@code ref} reachable.
     *
     * @return true when it was not marked before and the collector must now scan its children;
     *         false when it was (or when it is {@linkplain #isPermanent permanent}: its children
     *         are scanned from the permanent generation instead)
     */
    boolean mark(long ref);

    /** Whether the object at {@code ref} survives this collection: marked, or permanent. Reads only. */
    boolean isMarked(long ref);

    /**
     * The sweep found the object at {@code ref} marked: forget the mark before the next
     * collection, if the mark lives with the object (a header bit is cleared here, on a page
     * marking already wrote; a bitmap does it all in {@link #endCollection}).
     */
    void sweptLive(long ref);

    /** The collection is over: clear whatever marks are left (a bitmap clears the words it set). */
    default void endCollection(Heap heap) {
    }

    /**
     * Whether the object at {@code ref} is in a permanent generation a collection never
     * marks nor sweeps (frozen). The collector treats every permanent object as reachable
     * and scans its children by reading it. False by default.
     */
    default boolean isPermanent(long ref) {
        return false;
    }

    /** Whether any object may be {@linkplain #isPermanent permanent}: the collector scans the heap for them only then. */
    default boolean hasPermanentObjects() {
        return false;
    }

    /**
     * The region the marks are kept in, if not the heap's own (a bitmap), so demos can
     * measure its pages after fork too.
     */
    Optional<Region> side();

    /**
     * Called once in the parent after the heap is built and before the first fork. A
     * placement that needs nothing does nothing, the default; frozen collects and then
     * freezes (CPython's {@code gc.collect(); gc.freeze()}).
     *
     * @param collector the collector that uses this placement
     * @param roots     the owned references that keep objects alive (see {@link Collector#collect})
     * @return one line saying what was done, for a demo, or "" when nothing was
     * @throws IllegalArgumentException if {@code collector} does not use this placement
     * @throws IllegalStateException if it was already done and cannot be done twice (freezing twice)
     */
    default String prepareForFork(Collector collector, long... roots) {
        requireUsedBy(collector, this);
        return "";
    }

    /**
     * The pages a forked child's collection writes <em>to keep marks</em> when it finds
     * {@code marked} reachable (after {@link #prepareForFork}): per region, the heap's and
     * {@link #side()}'s. The default is the header's: the page of each marked object's header.
     * The experiment's {@code GcPrediction} adds the sweep's own writes.
     *
     * @param marked the objects the collection will mark (permanent ones excluded), in any order
     */
    default RefCounts.PredictedPages predictMarkPages(Heap heap, long[] marked) {
        return new RefCounts.PredictedPages("mark bits in the headers", ObjectGraph.headerPages(marked), new BitSet());
    }

    /**
     * Refuses a collector whose marks {@code marks} does not keep.
     *
     * @throws IllegalArgumentException naming both placements
     */
    static void requireUsedBy(Collector collector, MarkPlacement marks) {
        if (collector.marks() != marks) {
            throw new IllegalArgumentException("this collector's marks are kept by '" + collector.marks().name()
                    + "', not by this '" + marks.name() + "' placement: ask collector.marks() instead");
        }
    }

    /** Releases what the placement allocated (a bitmap). The collector calls it when it closes. */
    @Override
    default void close() {
    }

    /**
     * Makes a placement for one heap ({@link Registered}: a name, a chapter, {@code create},
     * called once, by the collector's constructor), registered as a service and listed by
     * {@link MarkPlacements}, in chapter order. {@link SeamFactory} holds what every shipped
     * factory shares (name, chapter, the closed-region guard).
     */
    interface Factory extends Registered<MarkPlacement> {
        /**
         * The refcount strategy a real runtime shipped with this placement (header marks with
         * inline counts, as CPython up to 3.11 and Ruby 1.9's headers; bitmap with the side
         * table, Ruby 2.0's idea for both; frozen with immortal counts, Cinder): the pairs of
         * chapter 05's matrix.
         */
        RefCounts.Factory shippedWith();
    }
}
