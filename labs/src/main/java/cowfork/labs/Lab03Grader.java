// Lab 03's grader: the kernel, page for page, against the student's prediction of what a reading child copies under inline counts.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.GarbageCycles;
import cowfork.experiment.GcExperiment;
import cowfork.experiment.GcReport;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Collector;
import cowfork.heap.HeaderMarks;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacements;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.lab.CopyPrediction;
import java.util.BitSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link CopyPrediction}. Every check forks a child that runs the workload on a heap
 * with chapter 03's inline counts and reads its page map: the pages the kernel found private
 * must be exactly the ones predicted before the fork. The grader holds no answer of its own;
 * the kernel is the answer. One check more: the prediction itself writes nothing.
 */
public class Lab03Grader {
    private static final Forker FORKER = Forker.safe();
    private static final long DATASET_BYTES = 256 << 10;

    private static Heap inlineHeap(long bytes) {
        return Heap.create(bytes, RefCountStrategies.byName("inline"));
    }

    /** The kernel's answer for a child running {@code sumField}, against the prediction made before the fork. */
    private static void checkSumField(Heap heap, long dict, String field) {
        BitSet predicted = CopyPrediction.sumField(heap, dict, field);
        SharingReport report = SharingExperiment.run(FORKER, heap, h -> Workloads.sumField(h, dict, field), 0);
        PageSets.assertSame("heap pages of a child summing '" + field + "'", report.heapPrivatePageSet(), predicted);
    }

    private static void checkServe(Heap heap, Dataset data, ServedItems served) {
        BitSet predicted = CopyPrediction.serve(heap, data, served.chosen());
        SharingReport report = SharingExperiment.run(FORKER, heap, served::serve, served.count());
        PageSets.assertSame("heap pages of a child serving " + served.count() + " items", report.heapPrivatePageSet(), predicted);
    }

    @Test
    void summingOverAnEmptyDict() {
        try (Heap heap = inlineHeap(1 << 16)) {
            long dict = heap.newDict();
            checkSumField(heap, dict, "price");
        }
    }

    @Test
    void summingWhereSomeItemsLackTheField() {
        try (Heap heap = inlineHeap(4 << 20)) {
            Dataset data = spreadOut(heap, 40);
            checkSumField(heap, data.items(), "price"); // a third of the items have no price
        }
    }

    @Property(tries = 8)
    void summingAnyFieldOverTheDataset(@ForAll @IntRange(min = 0, max = 2) int which, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        String field = new String[] {"price", "stock", "no such field"}[which];
        try (Heap heap = inlineHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, seed, DatasetBuilder.Progress.none());
            checkSumField(heap, data.items(), field);
        }
    }

    @Test
    void servingNoItem() {
        try (Heap heap = inlineHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, 1, DatasetBuilder.Progress.none());
            checkServe(heap, data, new ServedItems(data, 0, 1));
        }
    }

    @Test
    void servingAFewItems() {
        try (Heap heap = inlineHeap(4 << 20)) {
            Dataset data = spreadOut(heap, 40);
            checkServe(heap, data, new ServedItems(data, 0.25, 3));
        }
    }

    @Property(tries = 8)
    void servingAnySampleOfTheItems(@ForAll @DoubleRange(min = 0, max = 0.5) double fraction,
                                    @ForAll @IntRange(min = 0, max = 1000) int seed) {
        try (Heap heap = inlineHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, seed, DatasetBuilder.Progress.none());
            checkServe(heap, data, new ServedItems(data, fraction, seed));
        }
    }

    /** The kernel's answer for a child that collects once from {@code root}, mark bits in the headers. */
    private static void checkCollect(Heap heap, long root) {
        try (Collector collector = new Collector(heap, MarkPlacements.byName(HeaderMarks.NAME))) {
            BitSet predicted = CopyPrediction.collect(heap, root);
            GcReport report = GcExperiment.run(FORKER, collector, root);
            PageSets.assertSame("heap pages of a child that collected once (" + report.result().freed() + " objects freed)",
                    report.heapPrivatePageSet(), predicted);
        }
    }

    /**
     * One object per page, and garbage: the fillers between the objects, a few dropped cycles
     * of lists, and a list and a dict that hold themselves hundreds of times, so that their
     * blocks (the list's items, the dict's table) span pages no header sits on.
     */
    @Test
    void collectingAHeapWithGarbage() {
        try (Heap heap = inlineHeap(4 << 20)) {
            Dataset data = spreadOut(heap, 12);
            GarbageCycles.add(heap, data, 6, 1);
            long list = heap.newList();
            long dict = heap.newDict();
            for (int i = 0; i < 1500; i++) {
                heap.listAppend(list, list);
                if (i < 400) {
                    heap.dictSet(dict, "key " + i, dict);
                }
            }
            heap.decref(list); // from here only their cycles hold them
            heap.decref(dict);
            checkCollect(heap, data.root());
        }
    }

    @Property(tries = 4)
    void collectingAnyDatasetWithOrWithoutCycles(@ForAll @IntRange(min = 0, max = 1) int withCycles,
                                                 @ForAll @IntRange(min = 0, max = 1000) int seed) {
        try (Heap heap = inlineHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, seed, DatasetBuilder.Progress.none());
            GarbageCycles.add(heap, data, 8 * withCycles, seed);
            checkCollect(heap, data.root());
        }
    }

    /**
     * A small data set shaped like DatasetBuilder's, with one difference: a 4,000-byte filler
     * follows every object, so no two headers share a page and a prediction that names one
     * object too many or too few is off by a page. In a real heap an item's objects sit side
     * by side, and a careless prediction can be right by luck. Items whose index is a multiple
     * of 3 have a "weight" where the others have a "price".
     */
    static Dataset spreadOut(Heap heap, int count) {
        long root = spaced(heap, heap.newDict());
        long items = spaced(heap, heap.newDict());
        long ids = spaced(heap, heap.newList());
        heap.dictSet(root, spaced(heap, heap.newStr("items")), items);
        heap.dictSet(root, spaced(heap, heap.newStr("ids")), ids);
        long[] names = new long[6];
        String[] fields = {"id", "name", "price", "weight", "tags", "dims"};
        for (int f = 0; f < names.length; f++) {
            names[f] = spaced(heap, heap.newStr(fields[f])); // field names shared by every item, as interned ones are
        }
        long[] tagNames = {spaced(heap, heap.newStr("red")), spaced(heap, heap.newStr("sale"))};
        for (int i = 0; i < count; i++) {
            long key = spaced(heap, heap.newStr(Dataset.key(i)));
            long item = spaced(heap, heap.newDict());
            put(heap, item, names[0], key);
            put(heap, item, names[1], spaced(heap, heap.newStr("item number " + i)));
            put(heap, item, names[i % 3 == 0 ? 3 : 2], spaced(heap, heap.newInt(100 + i)));
            long tags = spaced(heap, heap.newList());
            heap.listAppend(tags, tagNames[i % 2]);
            put(heap, item, names[4], tags);
            long w = spaced(heap, heap.newInt(i));
            long dims = spaced(heap, heap.newTuple(w, w));
            heap.decref(w);
            put(heap, item, names[5], dims);
            heap.dictSet(items, key, item);
            heap.listAppend(ids, key);
            heap.decref(item);
        }
        return new Dataset(root, items, ids, count, 0);
    }

    private static final String FILLER = "x".repeat(4000);

    /** Leaves a page's worth of heap behind {@code ref}, so the next object starts on another page. */
    private static long spaced(Heap heap, long ref) {
        heap.newStr(FILLER); // never freed: the heap is closed with the check
        return ref;
    }

    /** Stores {@code value} under {@code key} and gives up the caller's reference to the value (the dict keeps its own). */
    private static void put(Heap heap, long dict, long key, long value) {
        heap.dictSet(dict, key, value);
        heap.decref(value);
    }

    @Test
    void yourPredictionWritesNothing() {
        try (Heap heap = inlineHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, 2, DatasetBuilder.Progress.none());
            byte[] before = new byte[Math.toIntExact(heap.usedEnd())];
            heap.region().getBytes(0, before, 0, before.length);
            CopyPrediction.sumField(heap, data.items(), "price");
            CopyPrediction.serve(heap, data, ServedItems.choose(data, 0.2, 2));
            CopyPrediction.collect(heap, data.root());
            byte[] after = new byte[before.length];
            heap.region().getBytes(0, after, 0, after.length);
            assertThat(after).as("the heap's bytes after your two predictions").isEqualTo(before);
        }
    }
}
