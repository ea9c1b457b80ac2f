// CPython's gc.freeze(): before fork, every live object moves to a permanent generation that a collection neither marks nor sweeps.
package cowfork.immortal;

import cowfork.cow.Region;
import cowfork.heap.Collector;
import cowfork.heap.Heap;
import cowfork.heap.HeaderMarks;
import cowfork.heap.MarkPlacement;
import cowfork.heap.RefCounts;
import cowfork.heap.SeamFactory;
import java.util.Locale;

/**
 * Header marks ({@link HeaderMarks}), plus a permanent generation: {@link #freeze} sets the
 * {@link HeaderMarks#FROZEN_BIT} in every live object's header, in the parent, before fork
 * (the last write to those pages). A collection never marks a frozen object nor sweeps it:
 * it treats it as reachable and reads it to mark its children. So after fork a collection
 * writes no page of the frozen heap: only objects allocated after the freeze are marked in
 * their headers, and only garbage among them is freed.
 *
 * <p>This is CPython 3.7's {@code gc.freeze()}, which Instagram asked for: Python's cycle
 * collector writes the GC header of every object it examines, and disabling it was what
 * brought their workers' shared memory back. The price is the same as CPython's: frozen
 * garbage is never collected (call a collection first: {@link #prepareForFork} does, as
 * CPython's documentation advises and Cinder's {@code immortalize_heap()} does), and
 * freezing is for once, before the first fork. Not thread-safe.
 */
public final class FrozenMarks extends HeaderMarks {
    /** The placement's name. */
    public static final String NAME = "frozen";

    /** The factory, also registered as a service under the name {@value #NAME}. */
    public static final class Factory extends SeamFactory<MarkPlacement> implements MarkPlacement.Factory {
        public Factory() {
            super(NAME, 5);
        }

        /** Cinder's recipe: collect, freeze, and immortalize the counts. */
        @Override
        public RefCounts.Factory shippedWith() {
            return ImmortalRefCounts.FACTORY;
        }

        @Override
        protected MarkPlacement createFor(Region heapRegion) {
            return new FrozenMarks(heapRegion);
        }
    }

    /** A ready factory. */
    public static final MarkPlacement.Factory FACTORY = new Factory();

    private long frozen = -1; // objects frozen, or -1 before freeze()

    private FrozenMarks(Region region) {
        super(region);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Moves every live object of {@code heap} to the permanent generation ({@code gc.freeze()}).
     *
     * @return how many objects were frozen
     * @throws IllegalStateException if this placement has frozen already; nothing is written then
     * @throws IllegalArgumentException if {@code heap} is not the one this placement marks
     */
    public long freeze(Heap heap) {
        if (heap.region() != region) {
            throw new IllegalArgumentException("this placement marks another heap's objects: freeze the heap it was created for");
        }
        if (frozen >= 0) {
            throw twice();
        }
        long[] n = {0};
        heap.forEachLiveObject(ref -> {
            region.putByte(ref + Heap.GC_FLAGS, (byte) (flags(ref) | FROZEN_BIT));
            n[0]++;
        });
        frozen = n[0];
        return frozen;
    }

    /** How many objects {@link #freeze} froze, or -1 if it has not run. */
    public long frozenObjects() {
        return frozen;
    }

    @Override
    public boolean isPermanent(long ref) {
        return (flags(ref) & FROZEN_BIT) != 0;
    }

    @Override
    public boolean hasPermanentObjects() {
        return frozen > 0;
    }

    @Override
    public boolean mark(long ref) {
        return !isPermanent(ref) && super.mark(ref); // a frozen object is not marked: its children are reached by reading it
    }

    @Override
    public boolean isMarked(long ref) {
        return isPermanent(ref) || super.isMarked(ref);
    }

    @Override
    public void sweptLive(long ref) {
        if (!isPermanent(ref)) {
            super.sweptLive(ref);
        }
    }

    /**
     * {@code gc.collect(); gc.freeze()}: collects from {@code roots}, so no garbage is frozen,
     * then freezes what is left.
     *
     * @throws IllegalStateException if this placement has frozen already
     */
    @Override
    public String prepareForFork(Collector collector, long... roots) {
        MarkPlacement.requireUsedBy(collector, this);
        if (frozen >= 0) {
            throw twice(); // the same refusal as freeze(), before the collection changes anything
        }
        Collector.Result r = collector.collect(roots);
        long n = freeze(collector.heap());
        return String.format(Locale.ROOT, "gc.collect() freed %,d objects, then gc.freeze() moved %,d objects to the"
                + " permanent generation", r.freed(), n);
    }

    private IllegalStateException twice() {
        return new IllegalStateException("freeze() twice: " + frozen + " objects are already in the permanent generation."
                + " Freeze once, in the parent, just before the first fork; objects allocated since stay collectable.");
    }

    @Override
    public String toString() {
        return "FrozenMarks[" + (frozen < 0 ? "not frozen" : frozen + " objects frozen") + "]";
    }
}
