// The read-only work every chapter forks a child for: a worker serving GET /items/{id} as JSON for a sample of the items.
package cowfork.experiment;

import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.Json;
import cowfork.heap.ObjectGraph;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * A sample of a dataset's items and the serving of them: look each item up by key
 * (increfs the items dict and the item), serialise it (increfs everything it contains),
 * drop it. No value changes; every count ends as it started. The sample depends only on
 * the item count, the fraction and the random seed, so heaps built from the same seed
 * under different strategies serve the very same objects, at the very same offsets: the
 * demos of chapters 03, 04 and 05 serve the same items.
 */
public final class ServedItems {
    private final Dataset data;
    private final int[] chosen;
    private final StringBuilder key = new StringBuilder(32);
    private final StringBuilder json = new StringBuilder(1 << 16);

    /**
     * The sample {@link #choose} draws for {@code data}, with its own buffers.
     *
     * @throws IllegalArgumentException if {@code fraction} is not within [0, 1]
     */
    public ServedItems(Dataset data, double fraction, long seed) {
        this.data = data;
        this.chosen = choose(data, fraction, seed);
    }

    /**
     * A deterministic sample of the item indices, ascending: each item is chosen
     * independently with probability {@code fraction}, from a generator seeded from
     * {@code seed} (mixed, so that it does not repeat the dataset builder's draws).
     *
     * @throws IllegalArgumentException if {@code fraction} is not within [0, 1]
     */
    public static int[] choose(Dataset data, double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the fraction of items to serve must be within [0, 1], got " + fraction);
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] picked = new int[data.itemCount()];
        int n = 0;
        for (int i = 0; i < data.itemCount(); i++) {
            if (random.nextDouble() < fraction) {
                picked[n++] = i;
            }
        }
        return Arrays.copyOf(picked, n);
    }

    /** How many items are served. */
    public int count() {
        return chosen.length;
    }

    /** The indices of the served items, ascending (a copy). */
    public int[] chosen() {
        return chosen.clone();
    }

    /**
     * Every object {@link #serve} touches, ascending and distinct: the items dict itself,
     * and everything reachable from each chosen item.
     *
     * @throws HeapException if the dataset is not live in {@code heap}
     */
    public long[] touchedObjects(Heap heap) {
        long[] roots = new long[chosen.length];
        StringBuilder k = new StringBuilder();
        for (int i = 0; i < chosen.length; i++) {
            roots[i] = heap.dictGet(data.items(), Dataset.key(chosen[i], k));
        }
        long[] reached = ObjectGraph.reachableFrom(heap, roots);
        return LongStream.concat(LongStream.of(data.items()), LongStream.of(reached)).sorted().distinct().toArray();
    }

    /**
     * The child's work: serves each chosen item once. Allocates nothing once the buffers
     * have grown (the first call, in the parent), so it may run in a forked child.
     *
     * @throws HeapException if the dataset is not live in {@code heap}
     */
    public void serve(Heap heap) {
        for (int i : chosen) {
            long item = Workloads.lookup(heap, data.items(), Dataset.key(i, key));
            json.setLength(0);
            Json.write(heap, item, json);
            heap.decref(item);
        }
    }

    /** The JSON of the last item served (empty before the first). */
    public String lastJson() {
        return json.toString();
    }
}
