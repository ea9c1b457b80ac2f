// The read-only workload both strategies are compared on: a worker serving GET /items/{id} as JSON for a fixed sample of items.
package cowfork.sidetable;

import cowfork.experiment.Dataset;
import cowfork.experiment.ServedItems;
import cowfork.heap.Heap;
import java.util.SplittableRandom;

/**
 * A sample of a dataset's items and what serving them does, as chapter 03's
 * {@link ServedItems} defines it (look each item up by key, serialise it, drop it; no
 * value changes), bound to one dataset with its own buffers. The sample depends only on
 * the item count, the fraction and the seed, so inline and side-table heaps built from
 * the same seed serve the very same objects, at the very same offsets.
 */
public final class ServeItems {
    private final Dataset data;
    private final int[] chosen;
    private final StringBuilder key = new StringBuilder(32);
    private final StringBuilder json = new StringBuilder(1 << 16);

    /**
     * Chooses each item independently with probability {@code fraction}. (This chapter's
     * sample draws from its own mix of the seed, so its figures stay those of its README.)
     *
     * @throws IllegalArgumentException if {@code fraction} is not within [0, 1]
     */
    public ServeItems(Dataset data, double fraction, long seed) {
        this.data = data;
        this.chosen = ServedItems.choose(data, fraction, new SplittableRandom(seed * 31 + 17));
    }

    /** How many items are served. */
    public int items() {
        return chosen.length;
    }

    /** Every object serving touches, in address order: the items dict and all that each chosen item reaches. */
    public long[] touchedObjects(Heap heap) {
        return ServedItems.touchedBy(heap, data, chosen);
    }

    /** Serves every chosen item once. Allocates nothing once the buffers have grown, so it may run in a forked child. */
    public void serve(Heap heap) {
        ServedItems.serve(heap, data, chosen, key, json);
    }
}
