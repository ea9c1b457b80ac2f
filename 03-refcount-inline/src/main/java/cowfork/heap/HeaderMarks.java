// Ruby 1.9's and CPython's way: the mark bit lives in the object's own header, so a collection writes every live object's page.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.Optional;

/**
 * Mark bits kept in bit 0 of the header byte {@link Heap#GC_FLAGS}, which the allocator
 * leaves 0 in every new and freed chunk. Marking is one read and one write of the header
 * the collector reads anyway: cheap, and after {@code fork()} one collection writes (and
 * so copies) every page that holds a live object's header, whether or not anything on it
 * is garbage. The sweep clears each mark again (Ruby 1.9's {@code gc_sweep} does the same),
 * on a page the mark already wrote.
 */
public class HeaderMarks implements MarkPlacement {
    /** The placement's name. */
    public static final String NAME = "header";
    /** The mark bit in the {@link Heap#GC_FLAGS} byte. */
    public static final int MARK_BIT = 1;
    /** The bit of the {@link Heap#GC_FLAGS} byte that puts an object in a permanent generation (chapter 05's frozen placement). */
    public static final int FROZEN_BIT = 2;

    /** The factory, also registered as a service. */
    public static final class Factory extends SeamFactory<MarkPlacement> implements MarkPlacement.Factory {
        public Factory() {
            super(NAME, 3);
        }

        @Override
        public RefCounts.Factory shippedWith() {
            return InlineRefCounts.FACTORY;
        }

        @Override
        protected MarkPlacement createFor(Region heapRegion) {
            return new HeaderMarks(heapRegion);
        }
    }

    /** A ready factory. */
    public static final MarkPlacement.Factory FACTORY = new Factory();

    /** The heap's region: the marks live inside its objects. */
    protected final Region region;

    /** Marks for the heap whose objects live in {@code region}. */
    protected HeaderMarks(Region region) {
        this.region = region;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The header flags byte of the object at {@code ref}. */
    protected final int flags(long ref) {
        return region.getByte(ref + Heap.GC_FLAGS) & 0xFF;
    }

    @Override
    public boolean mark(long ref) {
        int f = flags(ref);
        if ((f & MARK_BIT) != 0) {
            return false; // reached before: checking first is what stops cycles from looping
        }
        region.putByte(ref + Heap.GC_FLAGS, (byte) (f | MARK_BIT));
        return true;
    }

    @Override
    public boolean isMarked(long ref) {
        return (flags(ref) & MARK_BIT) != 0;
    }

    @Override
    public void sweptLive(long ref) {
        int f = flags(ref);
        if ((f & MARK_BIT) != 0) {
            region.putByte(ref + Heap.GC_FLAGS, (byte) (f & ~MARK_BIT));
        }
    }

    @Override
    public Optional<Region> side() {
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "HeaderMarks[bit " + MARK_BIT + " of header byte " + Heap.GC_FLAGS + "]";
    }
}
