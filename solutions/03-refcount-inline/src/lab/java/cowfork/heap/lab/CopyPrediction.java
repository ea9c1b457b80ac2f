// Lab 03, reference answer: the header pages of exactly the objects each workload increfs, found with borrowed references, and what one collection writes.
package cowfork.heap.lab;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.heap.Heap;
import cowfork.heap.ObjectGraph;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

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

    /**
     * A collection writes the header of every object it keeps (the mark, then the sweep clears
     * it), and, for every object it frees, the whole chunk (the allocator's free-list link and
     * poison) and the object's own block (a list's items, a dict's table), freed with it; a
     * sweep that frees anything also writes the allocator's metadata page, page 0. Decrefs the
     * garbage makes on survivors write their headers, already written by their marks. With
     * inline counts and header marks no object is permanent.
     */
    public static BitSet collect(Heap heap, long... roots) {
        long[] starts = Arrays.copyOf(roots, roots.length + 3); // the mark starts from the heap's singletons too
        starts[roots.length] = heap.none();
        starts[roots.length + 1] = heap.bool(false);
        starts[roots.length + 2] = heap.bool(true);
        Set<Long> kept = new HashSet<>();
        for (long ref : ObjectGraph.reachableFrom(heap, starts)) { // reading only: the prediction writes no mark
            kept.add(ref);
        }
        BitSet pages = new BitSet();
        heap.forEachLiveObject(at -> {
            if (kept.contains(at)) {
                pages.set(countPage(at)); // the mark bit shares the header's 16 bytes with the count
            } else {
                span(pages, at, heap.chunkSize(at));
                long block = heap.blockOf(at);
                if (block != Heap.NULL) {
                    span(pages, block, heap.blockSize(at));
                }
                pages.set(0);
            }
        });
        return pages;
    }

    /** Every page from {@code at} to {@code at + bytes - 1}. */
    private static void span(BitSet pages, long at, long bytes) {
        pages.set(Math.toIntExact(Region.pageOf(at)), Math.toIntExact(Region.pageOf(at + bytes - 1)) + 1);
    }

    /** The page an inline incref of the object at {@code ref} writes: its header's count word. */
    private static int countPage(long ref) {
        return Math.toIntExact(Region.pageOf(ref + Heap.OB_REFCNT));
    }
}
