// Lab 04's grader: chapter 03's refcount contract, unchanged, against the student's side table; then what serving costs it.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
import cowfork.heap.RefCountsContract;
import cowfork.sidetable.lab.LabSideTable;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link LabSideTable}: every test and property of {@link RefCountsContract} (the
 * same ones chapter 04's own side tables pass), with the expectation a side table must meet
 * (no object page written; the table pages the strategy itself predicts, checked against
 * the kernel), and two checks of this lab's own: a count as wide as a real program needs,
 * and the cost of serving a tenth of the items of a small data set from a forked child.
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
}
