// CPython's way: the count is the first word of the object's own header, so every use writes the object's page.
package cowfork.heap;

import cowfork.cow.Region;

/**
 * Reference counts kept inline, in the first 8 bytes of each object's header, exactly
 * where CPython keeps {@code ob_refcnt}. Cheap (the header is already in cache) and
 * simple, but after {@code fork()} every incref of a shared object is a write to the
 * object's page, and the kernel copies the whole 4 KiB page into the child.
 */
public final class InlineRefCounts extends HeaderRefCounts {
    /** The strategy's name. */
    public static final String NAME = "inline";

    /** The factory, also registered as a service. */
    public static final class Factory extends SeamFactory<RefCounts> implements RefCounts.Factory {
        public Factory() {
            super(NAME, 3);
        }

        @Override
        protected RefCounts createFor(Region heapRegion) {
            return new InlineRefCounts(heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    private InlineRefCounts(Region region) {
        super(region);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void incref(long ref) {
        region.putLong(ref + Heap.OB_REFCNT, region.getLong(ref + Heap.OB_REFCNT) + 1);
    }

    @Override
    public boolean decref(long ref) {
        return decrementCountWord(ref);
    }

    @Override
    public String toString() {
        return "InlineRefCounts[count at header offset " + Heap.OB_REFCNT + "]";
    }
}
