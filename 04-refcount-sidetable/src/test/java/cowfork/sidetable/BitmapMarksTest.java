// Module 03's collector contract, unchanged, against marks in a bitmap; plus where a mark bit lives and how big the bitmap is.
package cowfork.sidetable;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Region;
import cowfork.heap.Collector;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacement;
import cowfork.heap.MarkPlacementContract;
import org.junit.jupiter.api.Test;

class BitmapMarksTest extends MarkPlacementContract {
    @Override
    protected MarkPlacement.Factory placement() {
        return BitmapMarks.FACTORY;
    }

    @Override
    protected boolean marksWriteObjectPages() {
        return false;
    }

    @Test
    void theBitmapIsOneBitPerGranuleAnd1Over128OfTheHeap() {
        assertThat(BitmapMarks.bitmapBytesFor(32L << 20)).isEqualTo((32L << 20) / 128);
        assertThat(BitmapMarks.HEAP_BYTES_PER_BITMAP_PAGE).isEqualTo(512 << 10);
        assertThat(BitmapMarks.bitmapPageOf((512 << 10) - 16)).isZero();
        assertThat(BitmapMarks.bitmapPageOf(512 << 10)).isEqualTo(1);
    }

    /** Marking writes one bit of the bitmap and not one byte of the heap; the collection's end clears it again. */
    @Test
    void markingWritesTheBitmapAndNotTheObject() {
        try (Heap heap = Heap.create(1 << 16, SideTableRefCounts.FACTORY); Collector c = new Collector(heap, placement())) {
            long list = heap.newList();
            byte[] before = new byte[Math.toIntExact(heap.usedEnd())];
            heap.region().getBytes(0, before, 0, before.length);
            Region bitmap = c.marks().side().orElseThrow();
            assertThat(c.marks().mark(list)).isTrue();
            assertThat(c.marks().mark(list)).isFalse();
            assertThat(bitmap.getLong(BitmapMarks.wordOffset(list))).isEqualTo(1L << (list / 16 % 64));
            byte[] after = new byte[before.length];
            heap.region().getBytes(0, after, 0, after.length);
            assertThat(after).as("the heap's bytes").isEqualTo(before);
            c.marks().endCollection(heap);
            assertThat(c.marks().isMarked(list)).isFalse();
            heap.decref(list);
        }
    }
}
