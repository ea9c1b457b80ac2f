// What every strategy that keeps the count in the object's own header word shares: the word, its reads, and the checked decrement.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.Optional;

/**
 * The base of strategies that keep an object's count in its header, at
 * {@link Heap#OB_REFCNT}, as CPython's {@code ob_refcnt}: {@link InlineRefCounts} here and
 * chapter 05's immortal counts. It owns the count word's plain reads and writes; a
 * subclass decides how incref and decref write it. There is no table; freeing only
 * poisons the count word with {@link #FREED_COUNT}, a value no live count has.
 */
public abstract class HeaderRefCounts implements RefCounts {
    /** What a freed object's count word holds (the heap never writes the count word itself). */
    public static final long FREED_COUNT = 0xDEADDEADDEADDEADL;

    /** The heap's region: the counts live inside its objects. */
    protected final Region region;

    /** A strategy for the heap whose objects live in {@code region}. */
    protected HeaderRefCounts(Region region) {
        this.region = region;
    }

    @Override
    public void onAllocate(long ref) {
        region.putLong(ref + Heap.OB_REFCNT, 1); // new objects start with the caller's reference
    }

    @Override
    public long get(long ref) {
        return region.getLong(ref + Heap.OB_REFCNT);
    }

    /** Poisons the count word: a stale read of a freed object's count shows 0xDEAD..., never a plausible count. */
    @Override
    public void onFree(long ref) {
        region.putLong(ref + Heap.OB_REFCNT, FREED_COUNT);
    }

    @Override
    public Optional<Region> table() {
        return Optional.empty();
    }

    /**
     * Decrements the whole 64-bit count word of the object at {@code ref}.
     *
     * @return true when the count reached zero (that was the last reference)
     * @throws HeapException ({@link HeapException.Kind#NEGATIVE_COUNT}, naming this strategy) if the
     *         count is already zero or less; nothing is written then
     */
    protected final boolean decrementCountWord(long ref) {
        long count = region.getLong(ref + Heap.OB_REFCNT);
        if (count <= 0) {
            throw HeapException.negativeCount(ref, count, name());
        }
        region.putLong(ref + Heap.OB_REFCNT, count - 1);
        return count == 1;
    }
}
