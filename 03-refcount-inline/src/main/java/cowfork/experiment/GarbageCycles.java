// What refcounts cannot free: reference cycles the program has dropped, added to a built dataset for the collector to find.
package cowfork.experiment;

import cowfork.heap.Heap;
import java.util.SplittableRandom;

/**
 * Adds dropped reference cycles to a heap that holds a {@link Dataset}, as a long-running
 * app leaves them (a parent and child that point at each other, a list that holds itself):
 * every object in them keeps a count of at least 1 after the program lets go, so only a
 * tracing collector ({@code cowfork.heap.Collector}) frees them. Each cycle also holds a
 * reference to one of the dataset's item keys, so freeing it decrefs a survivor.
 *
 * <p>Only the collector's experiments call this, after the dataset is built, so the
 * dataset that the refcount figures of chapters 03 to 05 measure is the same as before:
 * the cycles take chunks the build left on the free lists, then fresh space at the end.
 */
public final class GarbageCycles {
    /** Cycles per MiB of dataset the demos add. */
    public static final int PER_MIB = 32;

    private GarbageCycles() {
    }

    /**
     * Builds {@code count} unreachable cycles of 1 to 3 lists each; returns how many objects they hold.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static long add(Heap heap, Dataset data, int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long objects = 0;
        for (int c = 0; c < count; c++) {
            int length = 1 + random.nextInt(3);
            long[] lists = new long[length];
            for (int i = 0; i < length; i++) {
                lists[i] = heap.newList();
            }
            for (int i = 0; i < length; i++) {
                heap.listAppend(lists[i], lists[(i + 1) % length]); // the last points back at the first (itself if alone)
            }
            heap.listAppend(lists[0], heap.listGet(data.ids(), random.nextInt(data.itemCount())));
            for (long list : lists) {
                heap.decref(list); // the program lets go: each count stays at 1, held by the cycle
            }
            objects += length;
        }
        return objects;
    }
}
