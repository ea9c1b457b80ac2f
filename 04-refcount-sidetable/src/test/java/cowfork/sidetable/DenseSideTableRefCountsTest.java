// Module 03's refcount contract, unchanged, against the dense side table; plus what is particular to it: slot numbers in the header, reuse of freed slots, a corrupt header or slot.
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

class DenseSideTableRefCountsTest extends RefCountsContract {
    @Override
    protected RefCounts.Factory factory() {
        return DenseSideTableRefCounts.FACTORY;
    }

    /** The header word is read, never written, after allocation: no heap page goes private. */
    @Override
    protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) {
        return new BitSet();
    }

    /** The table pages of the touched objects' slots, by hand: the header word is the slot, 4 bytes each. */
    @Override
    protected BitSet expectedPrivateTablePages(Heap heap, long[] touched) {
        BitSet pages = new BitSet();
        for (long ref : touched) {
            pages.set((int) (heap.region().getLong(ref) * 4 / Region.PAGE_SIZE));
        }
        return pages;
    }

    private static Region table(Heap heap) {
        return heap.refCounts().table().orElseThrow();
    }

    @Test
    void theHeaderHoldsTheSlotNumberAndTheTableTheFourByteCount() {
        try (Heap heap = newHeap(1 << 16)) {
            long a = heap.newStr("a");
            long b = heap.newStr("b");
            heap.incref(b);
            long slotA = heap.region().getLong(a + Heap.OB_REFCNT);
            long slotB = heap.region().getLong(b + Heap.OB_REFCNT);
            assertThat(slotB).as("slots in allocation order").isEqualTo(slotA + 1);
            assertThat(slotA).isGreaterThanOrEqualTo(DenseSideTableRefCounts.FIRST_SLOT);
            assertThat(table(heap).getInt(slotB * 4)).isEqualTo(2).isEqualTo((int) heap.refCount(b));
            assertThat(table(heap).getInt(slotA * 4)).isEqualTo(1);
            assertThat(heap.region().getLong(b + Heap.OB_REFCNT)).as("an incref does not write the header").isEqualTo(slotB);
        }
    }

    @Test
    void aFreedSlotIsReusedByTheNextAllocationAndTheFreedHeaderHoldsNoSlot() {
        try (Heap heap = newHeap(1 << 16)) {
            DenseSideTableRefCounts counts = (DenseSideTableRefCounts) heap.refCounts();
            long a = heap.newInt(1);
            long b = heap.newInt(2);
            long slotA = counts.slotOf(a);
            long slotB = counts.slotOf(b);
            long handedOut = counts.slotsHandedOut();
            heap.decref(a);
            heap.decref(b);
            assertThat(heap.region().getLong(a + Heap.OB_REFCNT)).as("freed header: no slot").isZero();
            long c = heap.newStr("a string of another size class, so it gets a new chunk");
            long d = heap.newStr("another one, to take the second free slot of the list");
            assertThat(counts.slotOf(c)).as("last freed, first reused").isEqualTo(slotB);
            assertThat(counts.slotOf(d)).isEqualTo(slotA);
            assertThat(counts.slotsHandedOut()).as("no new slot while free ones exist").isEqualTo(handedOut);
            assertThat(heap.refCount(c)).isEqualTo(1);
            assertThat(heap.refCount(d)).isEqualTo(1);
            long e = heap.newInt(3);
            assertThat(counts.slotOf(e)).as("free list empty: the next unused slot").isEqualTo(DenseSideTableRefCounts.FIRST_SLOT + handedOut);
        }
    }

    @Test
    void aCorruptSlotIsReportedAsANegativeCountAndNothingIsWritten() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            long slot = heap.region().getLong(s);
            table(heap).putInt(slot * 4, 0); // a stray write over the table
            assertThatThrownBy(() -> heap.decref(s)).isInstanceOf(HeapException.class)
                    .hasMessageContaining("below zero").hasMessageContaining("strategy dense")
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.NEGATIVE_COUNT));
            assertThat(table(heap).getInt(slot * 4)).as("nothing written").isZero();
            assertThat(heap.isLive(s)).isTrue();
        }
    }

    @Test
    void aHeaderThatHoldsNoSlotIsReportedAsCorruptAndNothingIsWritten() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            long slot = heap.region().getLong(s);
            heap.region().putLong(s + Heap.OB_REFCNT, 1 << 20); // a stray write over the header: a slot never handed out
            assertThatThrownBy(() -> heap.incref(s)).isInstanceOf(HeapException.class)
                    .hasMessageContaining("slot number " + (1 << 20)).hasMessageContaining("offset " + s)
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.HEAP_CORRUPT));
            heap.region().putLong(s + Heap.OB_REFCNT, 0);
            assertThatThrownBy(() -> heap.refCount(s)).isInstanceOf(HeapException.class).hasMessageContaining("slot number 0");
            assertThat(table(heap).getInt(slot * 4)).as("the real count untouched").isEqualTo(1);
        }
    }

    @Test
    void anIncrefAtTheLargestFourByteCountIsRefusedAndNothingIsWritten() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            long slot = heap.region().getLong(s);
            table(heap).putInt(slot * 4, (int) DenseSideTableRefCounts.MAX_COUNT); // as if 2^32 - 1 references existed
            assertThatThrownBy(() -> heap.incref(s)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("4-byte count");
            assertThat(heap.refCount(s)).as("unsigned, and unchanged").isEqualTo(DenseSideTableRefCounts.MAX_COUNT);
            heap.decref(s);
            assertThat(heap.refCount(s)).isEqualTo(DenseSideTableRefCounts.MAX_COUNT - 1);
        }
    }

    @Test
    void theTableIsAQuarterOfTheHeapAndPresentOnlyUpToTheLastSlot() {
        try (Heap heap = newHeap(1 << 20)) {
            Region table = table(heap);
            assertThat(table.size()).isEqualTo((heap.region().size() / 4 + 16 + Region.PAGE_SIZE - 1) / Region.PAGE_SIZE * Region.PAGE_SIZE);
            long last = 0;
            for (int i = 0; i < 2000; i++) {
                last = heap.newInt(i);
            }
            long lastSlot = heap.region().getLong(last);
            BitSet present = new BitSet();
            PageMap map = PageMap.ofSelf(table);
            for (int p = 0; p < map.pages(); p++) {
                if (map.state(p) != PageState.NOT_PRESENT) {
                    present.set(p);
                }
            }
            BitSet expected = new BitSet();
            expected.set(0, (int) (lastSlot * 4 / Region.PAGE_SIZE) + 1); // 2,003 slots of 4 bytes: two pages
            assertThat(present).isEqualTo(expected);
            assertThat(expected.cardinality()).isEqualTo(2);
        }
    }

    @Test
    void itPredictsTheTablePagesOfTheTouchedSlotsAndNoHeapPage() {
        try (Heap heap = newHeap(1 << 20)) {
            long first = heap.newInt(0);
            long far = first;
            for (int i = 0; i < DenseSideTableRefCounts.COUNTS_PER_TABLE_PAGE; i++) {
                far = heap.newInt(i); // 1,024 objects later: the next table page
            }
            RefCounts.PredictedPages p = heap.refCounts().predictPrivatePages(heap, new long[] {first, far, first});
            assertThat(p.table()).isEqualTo(expectedPrivateTablePages(heap, new long[] {first, far}));
            assertThat(p.table().cardinality()).isEqualTo(2);
            assertThat(p.heap().isEmpty()).isTrue();
            assertThat(heap.refCounts().prepareForFork(heap)).as("nothing to do before fork").isEmpty();
        }
    }

    @Test
    void registeredInChapterFourAfterInline() {
        assertThat(RefCountStrategies.names()).containsSubsequence("inline", DenseSideTableRefCounts.NAME);
        assertThat(RefCountStrategies.byName(DenseSideTableRefCounts.NAME).chapter()).isEqualTo(4);
    }

    @Test
    void closingTheHeapUnmapsTheTableOnce() {
        Heap heap = newHeap(1 << 16);
        Region table = table(heap);
        heap.close();
        assertThat(table.isClosed()).isTrue();
        heap.refCounts().close();
        assertThat(heap.refCounts().toString()).contains("closed");
    }

    @Test
    void aClosedHeapRegionIsRefusedWithAnExplanation() {
        Region region = Region.allocate(1 << 16);
        region.close();
        assertThatThrownBy(() -> DenseSideTableRefCounts.FACTORY.create(region)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("closed heap region");
    }
}
