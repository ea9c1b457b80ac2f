// Lab 04, your file: reference counts kept in a table of their own, so that reading an object never writes the object's page.
package cowfork.sidetable.lab;

import cowfork.cow.Region;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
import java.util.Optional;

/**
 * YOUR SIDE TABLE (lab 04; the handout is 04-refcount-sidetable/LAB.md, the grader
 * {@code ./cowfork lab 04}).
 *
 * <p>Chapter 03's heap calls this strategy for every count it needs: once when an object is
 * allocated, on every incref and decref, once when it is freed (the contract of each method
 * is in {@link RefCounts}). Keep the counts in a {@link Region} of your own, not in the
 * objects, so that a forked child reading objects leaves their pages shared. Then make
 * the table dense enough that serving requests copies few of its pages.
 *
 * <p>Every method below that throws is yours to write. Do not change the class's name,
 * its {@link #FACTORY}, or what the methods promise; add any fields and helpers you need.
 */
public final class LabSideTable implements RefCounts {
    /** The strategy's name, as the grader registers it while it runs. */
    public static final String NAME = "lab04";

    /** Makes one strategy per heap; the grader creates every heap through it. */
    public static final class Factory implements RefCounts.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int chapter() {
            return 4;
        }

        @Override
        public RefCounts create(Region heapRegion) {
            return new LabSideTable(heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    /** The heap's own region: read it if you must, but a count stored here is a count in the object's page. */
    private final Region heapRegion;

    private LabSideTable(Region heapRegion) {
        this.heapRegion = heapRegion;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void onAllocate(long ref) {
        throw new UnsupportedOperationException("lab 04: onAllocate is not written: the new object's count of 1 is stored nowhere");
    }

    @Override
    public void incref(long ref) {
        throw new UnsupportedOperationException("lab 04: incref is not written: no count goes up");
    }

    @Override
    public boolean decref(long ref) {
        throw new UnsupportedOperationException("lab 04: decref is not written: no count goes down, and no object is ever freed");
    }

    @Override
    public long get(long ref) {
        throw new UnsupportedOperationException("lab 04: get is not written: no count can be read back");
    }

    @Override
    public void onFree(long ref) {
        throw new UnsupportedOperationException("lab 04: onFree is not written: a freed object's count is never forgotten");
    }

    @Override
    public Optional<Region> table() {
        throw new UnsupportedOperationException("lab 04: table is not written: nobody can find the region your counts live in");
    }

    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        throw new UnsupportedOperationException("lab 04: predictPrivatePages is not written: no prediction of the pages a reading child copies");
    }

    /** Releases what the strategy allocated; the heap calls it when it closes. */
    @Override
    public void close() {
        // YOUR CODE: unmap what you allocated (a Region you allocate must be closed once).
    }

    @Override
    public String toString() {
        return "LabSideTable[" + heapRegion + "]";
    }
}
