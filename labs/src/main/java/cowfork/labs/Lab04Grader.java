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
import java.util.Locale;
import java.util.TreeSet;
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
                    .as("table pages copied to serve %,d of %,d items from a heap of %,d used pages, up to Heap.usedEnd() (at most one"
                            + " per %d used heap pages)",
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

    /** The sweep's top count: past 2^16, so that a count kept in 8 or 16 bits crosses its edge on the way. */
    static final int SWEEP_TOP = 70_000;
    /** At most this many counts where the student's own writes change pages join the forked ones (it keeps the check fast). */
    private static final int MOST_OWN_EDGES = 12;

    /**
     * Every count from 1 to {@link #SWEEP_TOP} and back, one step at a time, must be exact,
     * beside a neighbour whose count is large too; then a child forks at the counts where a
     * representation may change (around 2^7, 2^8, 2^15 and 2^16, and wherever the table pages
     * an incref writes changed during the sweep: the design's own edges) and reads the
     * object once; the kernel must copy exactly the predicted table pages, page for page.
     * (No check goes near 2^32: that is 2^32 increfs, more than a check makes in seconds, and
     * 32 GiB of 8-byte slots if the references were in a heap.)
     */
    @Test
    void everyCountAcrossTheEdgesOfARepresentationIsExactAndAChildCopiesThePredictedPages() {
        try (Heap heap = newHeap(1 << 16)) {
            long before = heap.newStr("before");
            long swept = heap.newStr("swept");
            long after = heap.newStr("after");
            for (int i = 1; i < 300; i++) {
                heap.incref(before); // a large count next door, so that two large counts live at once
            }
            Region table = heap.refCounts().table()
                    .orElseThrow(() -> new AssertionError("table() is empty: where are your counts?"));
            TreeSet<Long> forkAt = new TreeSet<>();
            for (int bits : new int[] {7, 8, 15, 16}) {
                forkAt.addAll(List.of((1L << bits) - 1, 1L << bits, (1L << bits) + 1));
            }
            byte[] last = new byte[Math.toIntExact(table.size())];
            byte[] now = new byte[last.length];
            table.getBytes(0, last, 0, last.length);
            BitSet lastWritten = null;
            int ownEdges = 0;
            for (long count = 1; count < SWEEP_TOP; count++) {
                heap.incref(swept);
                table.getBytes(0, now, 0, now.length);
                BitSet written = changedPages(last, now);
                if (lastWritten != null && !written.equals(lastWritten) && ownEdges++ < MOST_OWN_EDGES) {
                    forkAt.addAll(List.of(count - 1, count, count + 1)); // an incref from count writes other pages than one from count - 1
                }
                lastWritten = written;
                byte[] t = last;
                last = now;
                now = t;
                assertCounts(heap, "after an incref from " + count, before, 300, swept, count + 1, after, 1);
            }
            for (long count = SWEEP_TOP; count > 1; count--) {
                heap.decref(swept);
                assertCounts(heap, "after a decref from " + count, before, 300, swept, count - 1, after, 1);
            }
            long count = 1;
            for (long target : forkAt) {
                for (; count < target; count++) {
                    heap.incref(swept);
                }
                for (; count > target; count--) {
                    heap.decref(swept);
                }
                long[] touched = {swept};
                BitSet predicted = heap.refCounts().predictPrivatePages(heap, touched).table();
                SharingReport report = SharingExperiment.run(Forker.safe(), heap, h -> Workloads.touch(h, touched), 1);
                assertThat(report.heapPagesPrivate()).as("object pages a child copied reading an object of count %,d", target).isZero();
                PageSets.assertSame("table pages of a child that read one object of count " + String.format("%,d", target)
                        + " (the check forks at " + forkAt + ": the edges of 8- and 16-bit counts and of your own layout)",
                        report.tablePrivatePageSet(), predicted);
                assertCounts(heap, "after the child's read", before, 300, swept, target, after, 1);
            }
            for (; count > 0; count--) {
                heap.decref(swept);
            }
            assertThat(heap.isFreed(swept)).as("the swept object at zero").isTrue();
            for (int i = 0; i < 300; i++) {
                heap.decref(before);
            }
            heap.decref(after);
            assertThat(heap.isFreed(before) && heap.isFreed(after)).as("its neighbours at zero").isTrue();
        }
    }

    /** The 4096-byte pages on which two snapshots of a table differ. */
    private static BitSet changedPages(byte[] a, byte[] b) {
        BitSet pages = new BitSet();
        for (int from = 0; from < a.length; ) {
            int i = Arrays.mismatch(a, from, a.length, b, from, b.length);
            if (i < 0) {
                break;
            }
            int page = (from + i) / Region.PAGE_SIZE;
            pages.set(page);
            from = (page + 1) * Region.PAGE_SIZE;
        }
        return pages;
    }

    private static void assertCounts(Heap heap, String when, long a, long countA, long b, long countB, long c, long countC) {
        if (heap.refCount(a) != countA || heap.refCount(b) != countB || heap.refCount(c) != countC) {
            throw new AssertionError(String.format(Locale.ROOT, "%s: the swept object's count is %,d (expected %,d);"
                    + " its neighbours' %,d (expected %,d) and %,d (expected %,d)", when, heap.refCount(b), countB,
                    heap.refCount(a), countA, heap.refCount(c), countC));
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
