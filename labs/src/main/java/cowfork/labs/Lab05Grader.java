// Lab 05's grader: chapter 03's refcount contract with every object immortalized before the fork; then what immortality must and must not do.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.ObjectGraph;
import cowfork.heap.RefCounts;
import cowfork.heap.RefCountsContract;
import cowfork.immortal.lab.LabImmortal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link LabImmortal}: every test and property of {@link RefCountsContract} (mortal
 * objects behave as chapter 03's; the fork properties immortalize the heap first, so a
 * reading child must copy no heap page), and this lab's own checks: immortalizing reaches
 * every live object and stores nothing afterwards, an immortal object is never freed, an
 * object made after the fork preparation is mortal, a child that reads old and new objects
 * copies exactly the new ones' header pages, and serving a tenth of the items copies nothing;
 * and, what CPython 3.14 changed the scheme for, an immortalized object stays immortal after
 * blind updates of its whole count word from old extension code, and a child reading it after
 * blind increments copies nothing. CPython 3.12's scheme fails that; 3.14's passes.
 */
public class Lab05Grader extends RefCountsContract {
    /** The data set the serving check builds. */
    static final long DATASET_BYTES = 4L << 20;

    @Override
    protected RefCounts.Factory factory() {
        return LabImmortal.FACTORY;
    }

    /** The contract's fork properties run after this: every object they touch is immortal. */
    @Override
    protected void beforeFork(Heap heap) {
        heap.refCounts().prepareForFork(heap);
    }

    /** An immortal count is never stored: no heap page goes private. */
    @Override
    protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) {
        return new BitSet();
    }

    @Test
    void theForkPreparationReachesEveryLiveObjectAndSaysHowMany() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 3, DatasetBuilder.Progress.none());
            long live = heap.stats().liveObjects();
            String line = heap.refCounts().prepareForFork(heap);
            assertThat(line).as("what prepareForFork says it did").containsAnyOf(Long.toString(live), String.format(Locale.ROOT, "%,d", live));
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            byte[] before = snapshot(heap);
            Workloads.touch(heap, all);
            Workloads.touch(heap, all);
            assertUnchanged("the heap after every object was incref'd and decref'd twice, following the fork preparation", before,
                    snapshot(heap));
        }
    }

    @Test
    void anImmortalObjectIsNeverFreedWhateverItsDecrefs() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("immortal");
            heap.refCounts().prepareForFork(heap);
            for (int i = 0; i < 10; i++) {
                heap.decref(s); // ten decrefs of an object with one reference
            }
            assertThat(heap.isLive(s)).as("an immortal object after more decrefs than it has references").isTrue();
        }
    }

    @Test
    void anObjectMadeAfterTheForkPreparationIsMortalAndFreedAtZero() {
        try (Heap heap = newHeap(1 << 16)) {
            heap.newStr("old");
            heap.refCounts().prepareForFork(heap);
            long young = heap.newStr("young");
            assertThat(heap.refCount(young)).isEqualTo(1);
            heap.incref(young);
            assertThat(heap.refCount(young)).isEqualTo(2);
            heap.decref(young);
            heap.decref(young);
            assertThat(heap.isFreed(young)).as("a mortal object at zero").isTrue();
        }
    }

    /**
     * After the fork preparation, new (mortal) objects join old (immortal) ones; a child reads
     * both. The kernel must find exactly the pages of the new ones' headers private, and the
     * strategy must have said so.
     */
    @Test
    void aChildReadingOldAndNewObjectsCopiesExactlyThePredictedPages() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 5, DatasetBuilder.Progress.none());
            heap.refCounts().prepareForFork(heap);
            long[] old = ObjectGraph.reachableFrom(heap, data.root());
            List<Long> young = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                young.add(heap.newStr("made after the fork preparation, number " + i));
            }
            long[] youngRefs = young.stream().mapToLong(Long::longValue).toArray();
            long[] touched = LongStream.concat(LongStream.of(old).limit(2000), LongStream.of(youngRefs)).toArray();
            RefCounts.PredictedPages predicted = heap.refCounts().predictPrivatePages(heap, touched);
            assertThat(predicted.heap()).as("your prediction: the header pages of the new objects only")
                    .isEqualTo(ObjectGraph.headerPages(youngRefs));
            SharingReport report = SharingExperiment.run(Forker.safe(), heap, h -> Workloads.touch(h, touched), touched.length);
            PageSets.assertSame("heap pages of the child", report.heapPrivatePageSet(), predicted.heap());
            young.forEach(heap::decref);
        }
    }

    @Test
    void servingATenthOfTheItemsAfterTheForkPreparationCopiesNoPage() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, DatasetBuilder.DEFAULT_SEED, DatasetBuilder.Progress.none());
            ServedItems served = new ServedItems(data, 0.10, DatasetBuilder.DEFAULT_SEED);
            heap.refCounts().prepareForFork(heap);
            SharingReport report = SharingExperiment.run(Forker.safe(), heap, served::serve, served.count());
            assertThat(report.heapPagesPrivate()).as("heap pages copied to serve %,d of %,d items, of %,d", served.count(),
                    data.itemCount(), report.heapPages()).isZero();
        }
    }

    /**
     * Objects whose count word holds a value in the immortal range that immortalizeAll did
     * not store: a mortal object that really reached 2^31 references (CPython 3.12 calls it
     * accidentally immortal) or one whose count drifted. Real increfs cannot get there in a
     * test's time, so the grader writes those words itself, before the fork, as if they had.
     * Each object sits alone on its pages; the kernel must copy exactly the header pages the
     * strategy predicts, whatever its scheme does with each value. (The experiment runs the
     * workload once in the parent before it forks, and a read may move such a count by one:
     * no value here is one step below a value at which either scheme stops storing.)
     */
    @Test
    void aChildReadingAccidentallyImmortalObjectsCopiesExactlyThePredictedPages() {
        long[] accidental = {0x8000_0000L, 0x8000_1234L, 0xBFFF_FF00L, 0xC000_0000L, 0xD000_0000L, 0xFFFF_FF00L};
        String filler = "x".repeat(5000); // one object per page at least: a page holds one header only
        try (Heap heap = newHeap(1 << 20)) {
            List<Long> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(heap.newStr(filler + " made before the fork preparation " + i));
            }
            heap.refCounts().prepareForFork(heap);
            for (int i = 0; i < 3; i++) {
                all.add(heap.newStr(filler + " made after it " + i));
            }
            for (long value : accidental) {
                long ref = heap.newStr(filler + " with a count of 0x" + Long.toHexString(value));
                heap.region().putLong(ref + Heap.OB_REFCNT, value);
                all.add(ref);
            }
            long[] touched = all.stream().mapToLong(Long::longValue).toArray();
            RefCounts.PredictedPages predicted = heap.refCounts().predictPrivatePages(heap, touched);
            SharingReport report = SharingExperiment.run(Forker.safe(), heap, h -> Workloads.touch(h, touched), touched.length);
            PageSets.assertSame("heap pages of a child that read 3 immortalized objects, 3 made afterwards and 6 whose counts"
                    + " are 0x80000000, 0x80001234, 0xBFFFFF00, 0xC0000000, 0xD0000000 and 0xFFFFFF00 before the reads",
                    report.heapPrivatePageSet(), predicted.heap());
        }
    }

    /**
     * Blind updates from old extension code: an extension built for CPython 3.11 or earlier
     * against the stable ABI compiles {@code Py_INCREF} and {@code Py_DECREF} to a plain
     * {@code ob_refcnt++} and {@code --ob_refcnt} on all 64 bits of the count word, with no
     * test for immortality. CPython 3.14 chose its immortal value so that an object
     * immortalized before such code runs stays immortal after up to about a billion of them,
     * in either direction (the comment at the top of {@code Include/refcount.h}).
     */
    static final long[] BLIND = {1, 2, 1_000, 1_000_000, 1_000_000_000};

    /**
     * Objects immortalized, then incremented blindly by old code (the grader adds to their
     * count words, as such code would): a child that reads them must copy no page, and no
     * number of decrefs may free them. Each object sits alone on its pages, so a copied page
     * names the object.
     */
    @Test
    void aChildReadingImmortalObjectsThatOldCodeIncrementedBlindlyCopiesNoPage() {
        String filler = "x".repeat(5000); // a page holds one header only
        try (Heap heap = newHeap(1 << 20)) {
            long[] refs = new long[BLIND.length];
            for (int i = 0; i < refs.length; i++) {
                refs[i] = heap.newStr(filler + " incremented blindly " + BLIND[i] + " times");
            }
            heap.refCounts().prepareForFork(heap);
            for (int i = 0; i < refs.length; i++) {
                long at = refs[i] + Heap.OB_REFCNT;
                heap.region().putLong(at, heap.region().getLong(at) + BLIND[i]); // old code's ob_refcnt++, BLIND[i] times
            }
            SharingReport report = SharingExperiment.run(Forker.safe(), heap, h -> Workloads.touch(h, refs), refs.length);
            BitSet copied = report.heapPrivatePageSet();
            List<String> lost = new ArrayList<>();
            for (int i = 0; i < refs.length; i++) {
                if (copied.get(Math.toIntExact(Region.pageOf(refs[i] + Heap.OB_REFCNT)))) {
                    lost.add(String.format(Locale.ROOT, "%,d", BLIND[i]));
                }
            }
            assertThat(lost).as("the objects whose pages a reading child copied, by how many blind increments (a stable-ABI"
                    + " Py_INCREF built for 3.11: ob_refcnt++ on all 64 bits) old code made after immortalizeAll; your incref"
                    + " or decref no longer treats their counts as immortal").isEmpty();
            PageSets.assertSame("heap pages of a child that read objects made immortal and then incremented blindly", copied,
                    new BitSet());
            for (int i = 0; i < refs.length; i++) {
                for (int d = 0; d < 10; d++) {
                    heap.decref(refs[i]);
                }
                assertThat(heap.isLive(refs[i])).as("an immortalized object incremented blindly %,d times, after ten decrefs",
                        BLIND[i]).isTrue();
            }
        }
    }

    /**
     * Objects immortalized, then decremented blindly by old code (a {@code Py_DECREF} of a
     * reference it never took, on all 64 bits): they must stay immortal, so a decref stores
     * nothing and never frees them.
     */
    @Test
    void anImmortalObjectThatOldCodeDecrementedBlindlyStaysImmortal() {
        try (Heap heap = newHeap(1 << 16)) {
            long[] refs = new long[BLIND.length];
            for (int i = 0; i < refs.length; i++) {
                refs[i] = heap.newStr("decremented blindly " + BLIND[i] + " times");
            }
            heap.refCounts().prepareForFork(heap);
            for (int i = 0; i < refs.length; i++) {
                long at = refs[i] + Heap.OB_REFCNT;
                heap.region().putLong(at, heap.region().getLong(at) - BLIND[i]); // old code's --ob_refcnt, BLIND[i] times
            }
            for (int i = 0; i < refs.length; i++) {
                long word = heap.region().getLong(refs[i] + Heap.OB_REFCNT);
                for (int d = 0; d < 100; d++) {
                    heap.decref(refs[i]);
                    boolean unchanged = heap.region().getLong(refs[i] + Heap.OB_REFCNT) == word;
                    assertThat(unchanged).as("whether real decref number %d left the count word as it was, of an immortalized"
                            + " object that old code then decremented blindly (ob_refcnt-- on all 64 bits, %,d in all): it should"
                            + " still be immortal, so decref stores nothing", d + 1, BLIND[i]).isTrue();
                }
                assertThat(heap.isLive(refs[i])).as("an immortalized object decremented blindly %,d times, after 100 decrefs",
                        BLIND[i]).isTrue();
            }
        }
    }

    /** Fails saying how many bytes and pages changed and where the first is, not two dumps of the heap (nor the values). */
    private static void assertUnchanged(String what, byte[] before, byte[] after) {
        int first = Arrays.mismatch(before, after);
        if (first < 0) {
            return;
        }
        long bytes = 0;
        BitSet pages = new BitSet();
        for (int i = first; i < before.length; i++) {
            if (before[i] != after[i]) {
                bytes++;
                pages.set(Math.toIntExact(Region.pageOf(i)));
            }
        }
        fail(String.format(Locale.ROOT, "%s: %,d bytes changed, on %,d pages (%s); the first at"
                + " heap offset %,d, byte %d of an 8-byte word at offset %,d. Something still stores to an immortal count.", what,
                bytes, pages.cardinality(), PageSets.list(pages), first, first % 8, first - first % 8));
    }

    private static byte[] snapshot(Heap heap) {
        byte[] b = new byte[Math.toIntExact(heap.usedEnd())];
        heap.region().getBytes(0, b, 0, b.length);
        return b;
    }
}
