// Module 03's collector contract against marks in the object header; plus where the bit lives.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeaderMarksTest extends MarkPlacementContract {
    @Override
    protected MarkPlacement.Factory placement() {
        return HeaderMarks.FACTORY;
    }

    @Override
    protected boolean marksWriteObjectPages() {
        return true;
    }

    /** The mark is bit 0 of header byte 11: set during marking, and the rest of the header is untouched by it. */
    @Test
    void theMarkIsABitInTheHeaderFlagsByteAndTheSizeClassStillReads() {
        try (Heap heap = Heap.create(1 << 16, InlineRefCounts.FACTORY); Collector c = new Collector(heap, placement())) {
            long list = heap.newList();
            long size = heap.chunkSize(list);
            long word = heap.region().getLong(list + Heap.OB_TYPE);
            assertThat(c.marks().mark(list)).isTrue();
            assertThat(c.marks().mark(list)).as("marking twice reports it was marked").isFalse();
            assertThat(heap.region().getByte(list + Heap.GC_FLAGS)).isEqualTo((byte) HeaderMarks.MARK_BIT);
            assertThat(heap.region().getLong(list + Heap.OB_TYPE) ^ word).isEqualTo(1L << 24);
            assertThat(heap.chunkSize(list)).as("size class still reads with the mark set").isEqualTo(size);
            c.marks().sweptLive(list);
            assertThat(heap.region().getLong(list + Heap.OB_TYPE)).isEqualTo(word);
            heap.verify(list); // a mark left behind would fail here: the verifier allows only "frozen" outside a collection
            heap.decref(list);
        }
    }
}
