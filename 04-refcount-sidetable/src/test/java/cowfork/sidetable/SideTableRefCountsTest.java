// Module 03's refcount contract, unchanged, against the side table; plus what is particular to it: where a count lives, and what a corrupt slot does.
package cowfork.sidetable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import cowfork.heap.RefCountsContract;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class SideTableRefCountsTest extends RefCountsContract {
    @Override
    protected RefCounts.Factory factory() {
        return SideTableRefCounts.FACTORY;
    }

    /** The side table never writes an object: no heap page goes private. */
    @Override
    protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) {
        return new BitSet();
    }

    /** Exactly the table pages holding the touched objects' counts. */
    @Override
    protected BitSet expectedPrivateTablePages(Heap heap, long[] touched) {
        return SideTablePages.of(touched);
    }

    @Test
    void theCountLivesInTheTableAtRefOverTwoAndTheHeaderWordIsNeverWritten() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            heap.incref(s);
            Region table = heap.refCounts().table().orElseThrow();
            assertThat(SideTableRefCounts.slotOffset(s)).isEqualTo(s / 2);
            assertThat(table.getLong(s / 2)).isEqualTo(2).isEqualTo(heap.refCount(s));
            assertThat(heap.region().getLong(s + Heap.OB_REFCNT)).as("the header's count word stays unused").isZero();
        }
    }

    @Test
    void theTableIsHalfTheHeapAndOnlyItsWrittenPagesArePresent() {
        try (Heap heap = newHeap(1 << 20)) {
            Region table = heap.refCounts().table().orElseThrow();
            assertThat(table.size()).isEqualTo(heap.region().size() / 2);
            long last = 0;
            for (int i = 0; i < 100; i++) {
                last = heap.newInt(i);
            }
            PageMap map = PageMap.ofSelf(table);
            BitSet present = new BitSet();
            for (int p = 0; p < map.pages(); p++) {
                if (map.state(p) != PageState.NOT_PRESENT) {
                    present.set(p);
                }
            }
            // 103 small objects (the singletons and 100 ints) fill the first few KiB of heap: one or two table pages.
            BitSet expected = new BitSet();
            expected.set(0, (int) SideTableRefCounts.tablePageOf(last) + 1);
            assertThat(present).isEqualTo(expected);
            assertThat(map.pages()).isGreaterThan(expected.cardinality() * 50);
        }
    }

    @Test
    void aCorruptSlotIsReportedAsANegativeCountAndNothingIsWritten() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            Region table = heap.refCounts().table().orElseThrow();
            table.putLong(SideTableRefCounts.slotOffset(s), 0); // a stray write over the table
            assertThatThrownBy(() -> heap.decref(s)).isInstanceOf(HeapException.class)
                    .hasMessageContaining("below zero").hasMessageContaining("offset " + s)
                    .hasMessageContaining("strategy sidetable")
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.NEGATIVE_COUNT));
            assertThat(table.getLong(SideTableRefCounts.slotOffset(s))).as("nothing written").isZero();
            assertThat(heap.isLive(s)).as("not deallocated").isTrue();
        }
    }

    @Test
    void aFreedObjectsSlotIsZeroAndAReusedChunkStartsAtOne() {
        try (Heap heap = newHeap(1 << 16)) {
            long a = heap.newInt(1);
            heap.incref(a);
            heap.decref(a);
            heap.decref(a);
            assertThat(heap.refCounts().table().orElseThrow().getLong(SideTableRefCounts.slotOffset(a))).isZero();
            long b = heap.newInt(2);
            assertThat(b).as("LIFO free list reuses the chunk").isEqualTo(a);
            assertThat(heap.refCount(b)).isEqualTo(1);
        }
    }

    @Test
    void closingTheHeapUnmapsTheTableOnce() {
        Heap heap = newHeap(1 << 16);
        Region table = heap.refCounts().table().orElseThrow();
        heap.close();
        assertThat(table.isClosed()).isTrue();
        heap.refCounts().close(); // idempotent
        assertThat(table.isClosed()).isTrue();
    }

    @Test
    void aClosedHeapRegionIsRefusedWithAnExplanation() {
        Region region = Region.allocate(1 << 16);
        region.close();
        assertThatThrownBy(() -> SideTableRefCounts.FACTORY.create(region)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("closed heap region");
    }

    @Test
    void itPredictsTheTablePagesOfTheTouchedSlotsAndNoHeapPage() {
        try (Heap heap = newHeap(1 << 20)) {
            long first = heap.newStr("first");
            long far = first;
            while (far < 3 * SideTableRefCounts.HEAP_BYTES_PER_TABLE_PAGE) {
                far = heap.newStr("filler that takes room on the heap's pages");
            }
            RefCounts.PredictedPages p = heap.refCounts().predictPrivatePages(heap, new long[] {first, far});
            BitSet expected = new BitSet();
            expected.set((int) (first / 2 / Region.PAGE_SIZE)); // slot at ref / 16 * 8, by hand
            expected.set((int) (far / 2 / Region.PAGE_SIZE));
            assertThat(p.table()).isEqualTo(expected);
            assertThat(expected.cardinality()).isEqualTo(2);
            assertThat(p.heap().isEmpty()).as("the header word is never written").isTrue();
            assertThat(heap.refCounts().prepareForFork(heap)).as("nothing to do before fork").isEmpty();
        }
    }

    @Test
    void theRegistryListsTheSideTableAfterInline() {
        assertThat(RefCountStrategies.names()).containsSubsequence("inline", SideTableRefCounts.NAME);
    }

    @Test
    void oneTablePageCoversTwoHeapPages() {
        assertThat(SideTableRefCounts.COUNTS_PER_TABLE_PAGE).isEqualTo(512);
        assertThat(SideTableRefCounts.HEAP_BYTES_PER_TABLE_PAGE).isEqualTo(2 * Region.PAGE_SIZE);
        assertThat(SideTableRefCounts.tablePageOf(8192 - 16)).isZero();
        assertThat(SideTableRefCounts.tablePageOf(8192)).isEqualTo(1);
        assertThat(SideTableRefCounts.tableBytesFor(1 << 20)).isEqualTo(1 << 19);
    }
}
