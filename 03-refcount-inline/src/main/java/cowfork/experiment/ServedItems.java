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
 * Which items a demo's child serves, what serving them touches, and the serving itself:
 * look each item up by key (increfs the items dict and the item), serialise it (increfs
 * everything it contains), drop it. No value changes; every count ends as it started.
 * The sample depends only on the item count, the fraction and the random seed, so heaps
 * built from the same seed under different strategies serve the very same objects, at
 * the very same offsets.
 */
public final class ServedItems {
    private ServedItems() {
    }

    /**
     * A deterministic sample of the item indices, ascending: each item is chosen
     * independently with probability {@code fraction}, from a generator seeded from {@code seed}.
     *
     * @throws IllegalArgumentException if {@code fraction} is not within [0, 1]
     */
    public static int[] choose(Dataset data, double fraction, long seed) {
        return choose(data, fraction, new SplittableRandom(seed ^ 0x5DEECE66DL));
    }

    /**
     * As {@link #choose(Dataset, double, long)}, drawing from {@code random} (one draw per item, in index order).
     *
     * @throws IllegalArgumentException if {@code fraction} is not within [0, 1]
     */
    public static int[] choose(Dataset data, double fraction, SplittableRandom random) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the fraction of items to serve must be within [0, 1], got " + fraction);
        }
        int[] picked = new int[data.itemCount()];
        int n = 0;
        for (int i = 0; i < data.itemCount(); i++) {
            if (random.nextDouble() < fraction) {
                picked[n++] = i;
            }
        }
        return Arrays.copyOf(picked, n);
    }

    /**
     * Every object {@link #serve} touches, ascending and distinct: the items dict itself,
     * and everything reachable from each chosen item.
     *
     * @throws HeapException if the dataset is not live in {@code heap}
     */
    public static long[] touchedBy(Heap heap, Dataset data, int[] chosen) {
        long[] roots = new long[chosen.length];
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < chosen.length; i++) {
            roots[i] = heap.dictGet(data.items(), Dataset.key(chosen[i], key));
        }
        long[] reached = ObjectGraph.reachableFrom(heap, roots);
        return LongStream.concat(LongStream.of(data.items()), LongStream.of(reached)).sorted().distinct().toArray();
    }

    /**
     * The child's work: serves each chosen item once, using {@code key} and {@code json} as
     * buffers. Allocates nothing once the buffers have grown, so it may run in a forked child.
     *
     * @throws HeapException if the dataset is not live in {@code heap}
     */
    public static void serve(Heap heap, Dataset data, int[] chosen, StringBuilder key, StringBuilder json) {
        for (int i : chosen) {
            long item = Workloads.lookup(heap, data.items(), Dataset.key(i, key));
            json.setLength(0);
            Json.write(heap, item, json);
            heap.decref(item);
        }
    }
}
