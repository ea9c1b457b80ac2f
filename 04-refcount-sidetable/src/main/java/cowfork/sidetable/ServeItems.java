// The read-only workload both strategies are compared on: a worker serving GET /items/{id} as JSON for a fixed sample of items.
package cowfork.sidetable;

import cowfork.heap.Dataset;
import cowfork.heap.Heap;
import cowfork.heap.Json;
import cowfork.heap.ObjectGraph;
import cowfork.heap.Workloads;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A sample of a dataset's items and what serving them does: look each item up by key
 * (increfs the items dict and the item), serialise it (increfs everything it contains),
 * drop it. No value changes; every count ends as it started. The sample depends only on
 * the item count, the fraction and the seed, so inline and side-table heaps built from
 * the same seed serve the very same objects, at the very same offsets.
 */
public final class ServeItems {
    private final Dataset data;
    private final int[] chosen;
    private final StringBuilder key = new StringBuilder(32);
    private final StringBuilder json = new StringBuilder(1 << 16);

    /**
     * Chooses each item independently with probability {@code fraction}.
     *
     * @throws IllegalArgumentException if {@code fraction} is not within [0, 1]
     */
    public ServeItems(Dataset data, double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the fraction of items to serve must be within [0, 1], got " + fraction);
        }
        this.data = data;
        SplittableRandom random = new SplittableRandom(seed * 31 + 17);
        int[] picked = new int[data.itemCount()];
        int n = 0;
        for (int i = 0; i < picked.length; i++) {
            if (random.nextDouble() < fraction) {
                picked[n++] = i;
            }
        }
        this.chosen = Arrays.copyOf(picked, n);
    }

    /** How many items are served. */
    public int items() {
        return chosen.length;
    }

    /** Every object serving touches, in address order: the items dict and all that each chosen item reaches. */
    public long[] touchedObjects(Heap heap) {
        long[] roots = new long[chosen.length + 1];
        roots[0] = data.items();
        for (int i = 0; i < chosen.length; i++) {
            roots[i + 1] = heap.dictGet(data.items(), Dataset.key(chosen[i], key));
        }
        // reachableFrom(items dict) would be every item; walk the items themselves, then add the dict alone.
        long[] reached = ObjectGraph.reachableFrom(heap, Arrays.copyOfRange(roots, 1, roots.length));
        long[] all = Arrays.copyOf(reached, reached.length + 1);
        all[reached.length] = data.items();
        Arrays.sort(all);
        return all;
    }

    /** Serves every chosen item once. Allocates nothing once the buffers have grown, so it may run in a forked child. */
    public void serve(Heap heap) {
        for (int i : chosen) {
            long item = Workloads.lookup(heap, data.items(), Dataset.key(i, key));
            json.setLength(0);
            Json.write(heap, item, json);
            heap.decref(item);
        }
    }
}
