// The experiment's oracle for a collection: a second mark-and-sweep, on paper, that says which pages a collection in a child will write.
package cowfork.experiment;

import cowfork.cow.Region;
import cowfork.heap.Collector;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacement;
import cowfork.heap.ObjectType;
import cowfork.heap.RefCounts;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * What a collection from some roots would do, computed in this process without writing
 * anything, for a demo or a test to compare with the kernel's page map after a child
 * collected: the objects it would keep, those it would free, and the pages it would write,
 * per region. It walks the heap as {@link Collector#collect} does, but with a Java
 * {@link BitSet} for marks, through the heap's public questions only, so the collector
 * itself keeps only the mechanism.
 *
 * @param live       objects that survive (permanent ones included)
 * @param freed      objects freed
 * @param heapPages  heap pages written: marks, the sweep's frees, and the count writes of the freed objects
 *                   and of the survivors the garbage held
 * @param sidePages  pages of the placement's {@link MarkPlacement#side()} region written
 * @param sweepPages of {@code heapPages}, those the sweep's frees write (garbage chunks, metadata page)
 * @param countTablePages pages of the refcount strategy's {@link RefCounts#table()} the sweep's decrefs write
 */
public record GcPrediction(long live, long freed, BitSet heapPages, BitSet sidePages, BitSet sweepPages,
                           BitSet countTablePages) {

    /**
     * What {@code collector}'s next collection from {@code roots} will do.
     *
     * @throws cowfork.heap.HeapException a root that is not a live object
     */
    public static GcPrediction of(Collector collector, long... roots) {
        Heap heap = collector.heap();
        MarkPlacement marks = collector.marks();
        for (long r : roots) {
            heap.type(r); // checks the root
        }
        BitSet reached = new BitSet(); // granule index of every object a collection would keep
        ArrayDeque<Long> todo = new ArrayDeque<>();
        LongConsumer reach = ref -> {
            int g = Math.toIntExact(ref / Heap.ALIGNMENT);
            if (!reached.get(g)) {
                reached.set(g);
                todo.push(ref);
            }
        };
        reach.accept(heap.none());
        reach.accept(heap.bool(false));
        reach.accept(heap.bool(true));
        for (long r : roots) {
            reach.accept(r);
        }
        heap.forEachLiveObject(at -> {
            if (marks.isPermanent(at)) {
                reach.accept(at);
            }
        });
        while (!todo.isEmpty()) {
            heap.forEachChild(todo.pop(), reach);
        }
        List<Long> markedList = new ArrayList<>();
        List<Long> survivorsTouched = new ArrayList<>(); // and the garbage itself: count words written
        BitSet sweepPages = new BitSet();
        long[] liveAndFreed = new long[2];
        heap.forEachLiveObject(at -> {
            if (reached.get(Math.toIntExact(at / Heap.ALIGNMENT))) {
                liveAndFreed[0]++;
                if (!marks.isPermanent(at)) {
                    markedList.add(at);
                }
                return;
            }
            liveAndFreed[1]++;
            setPages(sweepPages, at, heap.chunkSize(at));
            ObjectType t = heap.type(at);
            if (t == ObjectType.LIST || t == ObjectType.DICT) {
                long block = heap.blockOf(at);
                if (block != Heap.NULL) {
                    setPages(sweepPages, block, heap.blockSize(at));
                }
            }
            survivorsTouched.add(at); // the strategy forgets its count (onFree): where a decref of it would write
            heap.forEachChild(at, c -> {
                if (reached.get(Math.toIntExact(c / Heap.ALIGNMENT))) {
                    survivorsTouched.add(c);
                }
            });
        });
        if (liveAndFreed[1] > 0) {
            sweepPages.set(0); // the allocator's free-list heads and statistics
        }
        long[] marked = markedList.stream().mapToLong(Long::longValue).toArray();
        RefCounts.PredictedPages markPages = marks.predictMarkPages(heap, marked);
        RefCounts.PredictedPages countPages = heap.refCounts().predictPrivatePages(heap,
                survivorsTouched.stream().mapToLong(Long::longValue).toArray());
        BitSet heapPages = (BitSet) markPages.heap().clone();
        heapPages.or(sweepPages);
        heapPages.or(countPages.heap());
        return new GcPrediction(liveAndFreed[0], liveAndFreed[1], heapPages, markPages.table(), sweepPages,
                countPages.table());
    }

    private static void setPages(BitSet pages, long at, long size) {
        pages.set(Math.toIntExact(Region.pageOf(at)), Math.toIntExact(Region.pageOf(at + size - 1)) + 1);
    }
}
