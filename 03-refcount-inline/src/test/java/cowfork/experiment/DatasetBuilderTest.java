// The dataset is what a web app preloads: deterministic from its seed, as big as asked, and freed completely.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.InlineRefCounts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetBuilderTest {
    private static final long TARGET = 512 << 10;

    @Test
    void theSameSeedBuildsTheSameHeapByteForByte() {
        try (Heap a = Heap.create(DatasetBuilder.heapSizeFor(TARGET), InlineRefCounts.FACTORY);
             Heap b = Heap.create(DatasetBuilder.heapSizeFor(TARGET), InlineRefCounts.FACTORY);
             Heap c = Heap.create(DatasetBuilder.heapSizeFor(TARGET), InlineRefCounts.FACTORY)) {
            Dataset da = DatasetBuilder.build(a, TARGET, 1, DatasetBuilder.Progress.none());
            Dataset db = DatasetBuilder.build(b, TARGET, 1, DatasetBuilder.Progress.none());
            Dataset dc = DatasetBuilder.build(c, TARGET, 2, DatasetBuilder.Progress.none());
            assertThat(db).isEqualTo(da);
            assertThat(bytes(b)).isEqualTo(bytes(a));
            assertThat(bytes(c)).as("another seed, other data").isNotEqualTo(bytes(a));
            assertThat(dc.seed()).isEqualTo(2);
        }
    }

    private static byte[] bytes(Heap heap) {
        byte[] out = new byte[(int) heap.usedEnd()];
        heap.region().getBytes(0, out, 0, out.length);
        return out;
    }

    @Test
    void itReachesTheTargetReportsProgressAndHasTheDocumentedShape() {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(TARGET), InlineRefCounts.FACTORY)) {
            List<Long> reports = new ArrayList<>();
            HeapStats baseline = heap.stats();
            Dataset d = DatasetBuilder.build(heap, TARGET, 5, (built, target) -> reports.add(built));
            assertThat(heap.stats().liveBytes()).isBetween(TARGET, TARGET + 4096);
            assertThat(reports).isSortedAccordingTo(Long::compare).last().isEqualTo(TARGET);
            assertThat(reports.size()).isGreaterThan(10);
            assertThat(heap.dictSize(d.items())).isEqualTo(d.itemCount());
            assertThat(heap.listSize(d.ids())).isEqualTo(d.itemCount());
            assertThat(heap.dictGet(d.root(), "items")).isEqualTo(d.items());
            assertThat(heap.intValue(heap.dictGet(heap.dictGet(d.root(), "meta"), "count"))).isEqualTo(d.itemCount());
            long item = heap.dictGet(d.items(), Dataset.key(d.itemCount() - 1));
            assertThat(heap.dictSize(item)).isEqualTo(6);
            assertThat(heap.strValue(heap.dictGet(item, "id"))).isEqualTo(Dataset.key(d.itemCount() - 1));
            assertThat(heap.dictKeyAt(d.items(), heap.dictNext(d.items(), 0))).as("ids and keys are the same objects")
                    .isIn(listItems(heap, d.ids()));
            heap.decref(d.root());
            assertThat(heap.stats().liveBytes()).as("one decref frees the whole dataset").isEqualTo(baseline.liveBytes());
        }
    }

    private static List<Long> listItems(Heap heap, long list) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < heap.listSize(list); i++) {
            out.add(heap.listGet(list, i));
        }
        return out;
    }

    @Test
    void aHeapTooSmallIsRefusedWithTheSizeToUse() {
        try (Heap heap = Heap.create(1 << 20, InlineRefCounts.FACTORY)) {
            assertThatThrownBy(() -> DatasetBuilder.build(heap, 8 << 20)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("too small").hasMessageContaining(String.valueOf(DatasetBuilder.heapSizeFor(8 << 20)));
            assertThatThrownBy(() -> DatasetBuilder.build(heap, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
