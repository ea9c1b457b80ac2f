// Sparse but uniform access: a few objects spread evenly over the heap, the pattern a side table does not help with.
package cowfork.sidetable;

import java.util.Arrays;

/**
 * Choosers of "sparse but uniform" object sets, for the demo's second section. Each takes
 * a heap's live objects in address order and returns a sorted subset.
 */
public final class SparseTouches {
    private SparseTouches() {
    }

    /**
     * Every {@code n}th object, counting in address order from the first: one object in every {@code n}.
     *
     * @throws IllegalArgumentException if {@code n} is below 1
     */
    public static long[] oneIn(long[] objects, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("one object in every " + n + " is not a sample: n must be at least 1");
        }
        long[] picked = new long[(objects.length + n - 1) / n];
        for (int i = 0; i < picked.length; i++) {
            picked[i] = objects[i * n];
        }
        return picked;
    }

    /**
     * The first object in every {@code windowBytes} of heap that holds one: with an
     * 8 KiB window, one object per side-table page, the densest sparse set.
     *
     * @throws IllegalArgumentException if {@code windowBytes} is not positive
     */
    public static long[] firstPerWindow(long[] objects, long windowBytes) {
        if (windowBytes <= 0) {
            throw new IllegalArgumentException("a window must be a positive number of bytes, got " + windowBytes);
        }
        long[] picked = new long[objects.length];
        int n = 0;
        long lastWindow = -1;
        for (long ref : objects) {
            long window = ref / windowBytes;
            if (window != lastWindow) {
                picked[n++] = ref;
                lastWindow = window;
            }
        }
        return Arrays.copyOf(picked, n);
    }
}
