// The seam's registry and defaults: strategies listed in course order, and what a strategy that keeps its count in the header does before fork and predicts after it.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RefCountStrategiesTest {

    @Test
    void theRegistryFindsInlineByNameAndRefusesAnUnknownNameListingTheKnownOnes() {
        assertThat(RefCountStrategies.names()).contains(InlineRefCounts.NAME);
        assertThat(RefCountStrategies.byName(InlineRefCounts.NAME).name()).isEqualTo(InlineRefCounts.NAME);
        assertThatThrownBy(() -> RefCountStrategies.byName("nonesuch")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nonesuch'").hasMessageContaining(InlineRefCounts.NAME)
                .hasMessageContaining("META-INF/services");
    }

    @Test
    void strategiesAreListedInTheOrderOfTheChaptersThatIntroduceThem() {
        assertThat(RefCountStrategies.all()).extracting(RefCounts.Factory::chapter).isSorted();
        assertThat(InlineRefCounts.FACTORY.chapter()).isEqualTo(3);
    }

    @Test
    void headerCountsNeedNothingBeforeForkAndWriteNoByteThere() {
        try (Heap heap = Heap.create(1 << 16, InlineRefCounts.FACTORY)) {
            long s = heap.newStr("x");
            byte[] before = bytes(heap);
            assertThat(heap.refCounts().prepareForFork(heap)).isEmpty();
            assertThat(bytes(heap)).isEqualTo(before);
            assertThat(heap.refCount(s)).isEqualTo(1);
        }
    }

    @Test
    void headerCountsPredictTheHeaderPageOfEachTouchedObjectAndNoTablePage() {
        try (Heap heap = Heap.create(1 << 20, InlineRefCounts.FACTORY)) {
            long first = heap.newStr("first");
            long last = first;
            while (Region.pageOf(last) < 3) {
                last = heap.newStr("filler that takes room on the heap's pages");
            }
            RefCounts.PredictedPages p = heap.refCounts().predictPrivatePages(heap, new long[] {last, first, last});
            BitSet expected = new BitSet();
            expected.set((int) Region.pageOf(first));
            expected.set((int) Region.pageOf(last));
            assertThat(p.heap()).isEqualTo(expected);
            assertThat(p.table().isEmpty()).as("no table page").isTrue();
            assertThat(p.total()).isEqualTo(2);
            assertThat(p.basis()).isEqualTo("header addresses");
            assertThat(heap.refCounts().predictPrivatePages(heap, new long[0]).total()).isZero();
        }
    }

    /** For any subset of a dataset's objects, the header-word default names exactly their header pages and no table page. */
    @Property(tries = 50)
    void theDefaultPredictionIsTheTouchedHeadersPagesForAnySubset(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 1_000_000) Integer> picks) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(64 << 10), InlineRefCounts.FACTORY)) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, 1, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            long[] touched = picks.stream().mapToLong(i -> all[i % all.length]).toArray();
            BitSet expected = new BitSet();
            for (long ref : touched) {
                expected.set((int) (ref / Region.PAGE_SIZE)); // the header is the object's first 16 bytes, never split by a page
            }
            RefCounts.PredictedPages p = heap.refCounts().predictPrivatePages(heap, touched);
            assertThat(p.heap()).isEqualTo(expected);
            assertThat(p.table().isEmpty()).isTrue();
        }
    }

    @Test
    void aStrategyRefusesToPrepareOrPredictForAnotherStrategysHeap() {
        try (Heap a = Heap.create(1 << 16, InlineRefCounts.FACTORY); Heap b = Heap.create(1 << 16, InlineRefCounts.FACTORY)) {
            long s = b.newStr("x");
            assertThatThrownBy(() -> a.refCounts().prepareForFork(b)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("heap.refCounts()");
            assertThatThrownBy(() -> a.refCounts().predictPrivatePages(b, new long[] {s}))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static byte[] bytes(Heap heap) {
        byte[] out = new byte[(int) heap.usedEnd()];
        heap.region().getBytes(0, out, 0, out.length);
        return out;
    }
}
