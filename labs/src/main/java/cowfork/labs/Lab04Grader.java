// Lab 04's grader: chapter 03's refcount contract, unchanged, against the student's side table; then what serving costs it.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

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
import cowfork.sidetable.lab.LabSideTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link LabSideTable}: every test and property of {@link RefCountsContract} (the
 * same ones chapter 04's own side tables pass), with the expectation a side table must meet
 * (no object page written; the table pages the strategy itself predicts, checked against
 * the kernel), and this lab's own constraints and checks: the table writes no object, not
 * even once at allocation (so chapter 04's dense table, which keeps a slot number in the
 * header, is ruled out); it costs at most an eighth of the heap (so chapter 04's granule
 * table, half the heap, is ruled out); every count's state is in the table, where the
 * kernel sees a child's writes; a count is exact from 1 to a hundred thousand; a child that
 * reads the most popular objects copies exactly the predicted pages; and serving a tenth of
 * the items of a small data set from a forked child copies no heap page and few table pages.
 */
public class Lab04Grader extends RefCountsContract {
    /** The data set the serving check builds (small, so the lab runs in seconds). */
    static final long DATASET_BYTES = 4L << 20;
    /** The fraction of its items a worker serves: the demos' 10%. */
    static final double SERVED = 0.10;
    /**
     * Heap pages per copied table page the serving check allows at most: a table whose counts
     * are spread over a quarter or more of the heap's size copies more.
     */
    static final int HEAP_PAGES_PER_TABLE_PAGE = 8;
    /** The table's budget: at most one byte of table per this many bytes of heap (rounded up to whole pages). */
    static final int HEAP_BYTES_PER_TABLE_BYTE = 8;
    /** References an object needs before the popular-objects check counts it popular (an interned name has one per item). */
    static final long POPULAR = 1_000;

    @Override
    protected RefCounts.Factory factory() {
        return LabSideTable.FACTORY;
    }

    /** A side table never writes an object: no heap page goes private. */
    @Override
    protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) {
        return new BitSet();
    }

    /** The table pages the strategy itself predicts; the contract's fork property holds the kernel to them. */
    @Override
    protected BitSet expectedPrivateTablePages(Heap heap, long[] touched) {
        return heap.refCounts().predictPrivatePages(heap, touched).table();
    }

    @Test
    void aCountHoldsAHundredThousandReferences() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("popular");
            for (int i = 0; i < 100_000; i++) {
                heap.incref(s);
            }
            assertThat(heap.refCount(s)).as("the count after 100,000 increfs of a new object").isEqualTo(100_001);
            for (int i = 0; i < 100_000; i++) {
                heap.decref(s);
            }
            assertThat(heap.refCount(s)).as("after as many decrefs").isEqualTo(1);
            heap.decref(s);
            assertThat(heap.isFreed(s)).as("freed at zero").isTrue();
        }
    }

    @Test
    void servingATenthOfTheItemsCopiesNoHeapPageAndFewTablePages() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(DATASET_BYTES))) {
            Dataset data = DatasetBuilder.build(heap, DATASET_BYTES, DatasetBuilder.DEFAULT_SEED, DatasetBuilder.Progress.none());
            ServedItems served = new ServedItems(data, SERVED, DatasetBuilder.DEFAULT_SEED);
            BitSet predicted = heap.refCounts().predictPrivatePages(heap, served.touchedObjects(heap)).table();
            SharingReport report = SharingExperiment.run(Forker.safe(), heap, served::serve, served.count());
            assertThat(report.heapPagesPrivate()).as("object pages the serving child copied").isZero();
            PageSets.assertSame("table pages of the serving child", report.tablePrivatePageSet(), predicted);
            int allowed = report.heapPages() / HEAP_PAGES_PER_TABLE_PAGE;
            assertThat(report.tablePagesPrivate())
                    .as("table pages copied to serve %,d of %,d items from a heap of %,d pages (at most one per %d heap pages)",
                            served.count(), data.itemCount(), report.heapPages(), HEAP_PAGES_PER_TABLE_PAGE)
                    .isLessThanOrEqualTo(allowed);
            heap.decref(data.root());
        }
    }

    /** The most table bytes a heap of {@code heapBytes} may cost: an eighth of it, rounded up to whole pages. */
    static long budget(long heapBytes) {
        long bytes = heapBytes / HEAP_BYTES_PER_TABLE_BYTE;
        return (bytes + Region.PAGE_SIZE - 1) / Region.PAGE_SIZE * Region.PAGE_SIZE;
    }

    @Test
    void theTableCostsAtMostAnEighthOfTheHeap() {
        for (long bytes : new long[] {1 << 16, 1 << 20, DatasetBuilder.heapSizeFor(DATASET_BYTES)}) {
            try (Heap heap = newHeap(bytes)) {
                Region table = heap.refCounts().table()
                        .orElseThrow(() -> new AssertionError("table() is empty: where are your counts? The grader measures the region it returns"));
                assertThat(table.size()).as("the bytes of your table for a heap of %,d bytes (the budget: an eighth of the heap, in whole pages)",
                        heap.region().size()).isLessThanOrEqualTo(budget(heap.region().size()));
            }
        }
    }

    @Test
    void noObjectIsEverWrittenNotEvenAtAllocation() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 11, DatasetBuilder.Progress.none());
            for (int i = 0; i < 300; i++) { // objects that die, and chunks that are used again
                long s = heap.newStr("short-lived " + i);
                heap.incref(s);
                heap.decref(s);
                heap.decref(s);
            }
            List<Long> written = new ArrayList<>();
            heap.forEachLiveObject(ref -> {
                if (heap.region().getLong(ref + Heap.OB_REFCNT) != 0) {
                    written.add(ref);
                }
            });
            assertThat(written).as("live objects whose header word (offset %d) is not 0, of %,d: in this lab the header is not yours,"
                    + " not even once at allocation; the first is %s, whose word holds %d", Heap.OB_REFCNT, heap.stats().liveObjects(),
                    written.isEmpty() ? "-" : heap.describe(written.get(0)),
                    written.isEmpty() ? 0 : heap.region().getLong(written.get(0) + Heap.OB_REFCNT)).isEmpty();
            heap.decref(data.root());
        }
    }

    @Test
    void everyCountLivesInTheTable() {
        try (Heap heap = newHeap(1 << 16)) {
            long popular = heap.newStr("popular");
            long plain = heap.newStr("plain");
            for (int i = 0; i < 999; i++) {
                heap.incref(popular);
            }
            heap.incref(plain);
            heap.incref(plain);
            Region table = heap.refCounts().table()
                    .orElseThrow(() -> new AssertionError("table() is empty: where are your counts?"));
            byte[] before = new byte[Math.toIntExact(table.size())];
            table.getBytes(0, before, 0, before.length);
            for (int i = 0; i < 100; i++) {
                heap.incref(popular);
            }
            heap.incref(plain);
            table.putBytes(0, before, 0, before.length); // as if the increfs had happened in another process
            assertThat(heap.refCount(plain)).as("the count of an object with 3 references, after the table's bytes were put back"
                    + " as they were before one more incref").isEqualTo(3);
            assertThat(heap.refCount(popular)).as("the count of an object with 1,000 references, after the table's bytes were put"
                    + " back as they were before 100 more increfs: a count kept outside the table region (a Java field, array or"
                    + " map) is memory the grader cannot see a forked child write").isEqualTo(1_000);
        }
    }

    /** Three objects, counts moved up and down by hundreds at a time; each must always be exact, and free at zero. */
    @Property(tries = 40)
    void countsInTheThousandsStayExactAndObjectsDieAtZero(@ForAll @Size(min = 1, max = 12) List<@IntRange(min = -700, max = 700) Integer> moves) {
        try (Heap heap = newHeap(1 << 16)) {
            long[] refs = {heap.newStr("a"), heap.newStr("b"), heap.newStr("c")};
            long[] counts = {1, 1, 1};
            for (int k = 0; k < moves.size(); k++) {
                int o = k % refs.length;
                int move = moves.get(k);
                for (int i = 0; i < move; i++) {
                    heap.incref(refs[o]);
                    counts[o]++;
                }
                for (int i = 0; i < -move && counts[o] > 1; i++) {
                    heap.decref(refs[o]);
                    counts[o]--;
                }
                for (int j = 0; j < refs.length; j++) {
                    assertThat(heap.refCount(refs[j])).as("the count of object %d after moves %s", j, moves.subList(0, k + 1))
                            .isEqualTo(counts[j]);
                }
            }
            for (int j = 0; j < refs.length; j++) {
                for (; counts[j] > 1; counts[j]--) {
                    heap.decref(refs[j]);
                }
                assertThat(heap.isLive(refs[j])).as("object %d with one reference left", j).isTrue();
                heap.decref(refs[j]);
                assertThat(heap.isFreed(refs[j])).as("object %d at zero", j).isTrue();
            }
            long again = heap.newStr("a");
            assertThat(heap.refCount(again)).as("a new object, on a chunk a popular object used").isEqualTo(1);
        }
    }

    /**
     * A child reads the most popular objects of a data set (the interned field names), and a
     * few ordinary ones: the kernel must copy exactly the table pages the strategy predicts.
     */
    @Test
    void aChildReadingThePopularObjectsCopiesExactlyThePredictedPages() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(1 << 20))) {
            Dataset data = DatasetBuilder.build(heap, 1 << 20, 7, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            long[] popular = Arrays.stream(all).filter(r -> heap.refCount(r) >= POPULAR).toArray();
            assertThat(popular).as("objects of the data set with at least %,d references", POPULAR).hasSizeGreaterThan(3);
            for (long[] touched : new long[][] {popular, LongStream.concat(LongStream.of(popular), LongStream.of(all).limit(50)).toArray()}) {
                BitSet predicted = heap.refCounts().predictPrivatePages(heap, touched).table();
                SharingReport report = SharingExperiment.run(Forker.safe(), heap, h -> Workloads.touch(h, touched), touched.length);
                assertThat(report.heapPagesPrivate()).as("object pages the child copied").isZero();
                PageSets.assertSame("table pages of a child that read " + popular.length + " objects with " + POPULAR
                        + " references or more" + (touched.length > popular.length ? ", and 50 ordinary ones" : ""),
                        report.tablePrivatePageSet(), predicted);
            }
            heap.decref(data.root());
        }
    }
}
