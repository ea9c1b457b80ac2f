// Lab 03, reference answer: the header pages of exactly the objects each workload increfs, found with borrowed references.
package cowfork.heap.lab;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.heap.Heap;
import cowfork.heap.ObjectGraph;
import java.util.BitSet;

/** Reference answer for lab 03 (graded by {@code Lab03Grader}, that is by the kernel). */
public final class CopyPrediction {
    private CopyPrediction() {
    }

    /**
     * sumField increfs the dict, each item, and each item's value for {@code field} when it has
     * one. It looks the field up by comparing keys, which increfs no key.
     */
    public static BitSet sumField(Heap heap, long dict, String field) {
        BitSet pages = new BitSet();
        pages.set(countPage(dict));
        for (int s = heap.dictNext(dict, 0); s >= 0; s = heap.dictNext(dict, s + 1)) {
            long item = heap.dictValueAt(dict, s); // borrowed: the prediction changes no count
            pages.set(countPage(item));
            long value = heap.dictGet(item, field);
            if (value != Heap.NULL) {
                pages.set(countPage(value));
            }
        }
        return pages;
    }

    /**
     * Serving an item increfs the items dict (the lookup), then every object the JSON writer
     * visits: the item and everything reachable from it, dict keys included (the tag strings and
     * field names shared by many items too). Serving nothing writes nothing.
     */
    public static BitSet serve(Heap heap, Dataset data, int[] chosen) {
        BitSet pages = new BitSet();
        if (chosen.length == 0) {
            return pages;
        }
        pages.set(countPage(data.items()));
        long[] items = new long[chosen.length];
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < chosen.length; i++) {
            items[i] = heap.dictGet(data.items(), Dataset.key(chosen[i], key));
        }
        for (long ref : ObjectGraph.reachableFrom(heap, items)) {
            pages.set(countPage(ref));
        }
        return pages;
    }

    /** The page an inline incref of the object at {@code ref} writes: its header's count word. */
    private static int countPage(long ref) {
        return Math.toIntExact(Region.pageOf(ref + Heap.OB_REFCNT));
    }
}
