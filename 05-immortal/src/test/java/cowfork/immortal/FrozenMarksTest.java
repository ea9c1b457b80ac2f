// Module 03's collector contract, unchanged, against frozen marks; plus what freezing means: once, permanent, and nothing written after.
package cowfork.immortal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.heap.Collector;
import cowfork.heap.Heap;
import cowfork.heap.MarkPlacement;
import cowfork.heap.MarkPlacementContract;
import org.junit.jupiter.api.Test;

class FrozenMarksTest extends MarkPlacementContract {
    @Override
    protected MarkPlacement.Factory placement() {
        return FrozenMarks.FACTORY;
    }

    @Override
    protected boolean marksWriteObjectPages() {
        return false;
    }

    @Test
    void freezingTwiceIsRefusedAndChangesNothing() {
        try (Heap heap = Heap.create(1 << 16, ImmortalRefCounts.FACTORY); Collector c = new Collector(heap, placement())) {
            long root = heap.newList();
            FrozenMarks marks = (FrozenMarks) c.marks();
            assertThat(c.prepareForFork(root)).contains("gc.freeze() moved 4 objects"); // the list and the three singletons
            long young = heap.newList();
            heap.listAppend(root, young);
            assertThatThrownBy(() -> marks.freeze(heap)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("freeze() twice").hasMessageContaining("4 objects");
            assertThatThrownBy(() -> c.prepareForFork(root)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("freeze() twice");
            assertThat(marks.isPermanent(young)).as("the refused freeze froze nothing").isFalse();
            assertThat(marks.frozenObjects()).isEqualTo(4);
            heap.decref(young);
            heap.verify(root);
        }
    }

    /**
     * The permanent generation is never swept: frozen garbage stays (as in CPython, which is
     * why one collects before freezing), a young object held only by a frozen one survives,
     * and young garbage is freed.
     */
    @Test
    void aCollectionNeitherMarksNorSweepsFrozenObjects() {
        try (Heap heap = Heap.create(1 << 16, ImmortalRefCounts.FACTORY); Collector c = new Collector(heap, placement())) {
            long root = heap.newList();
            long frozenCycle = heap.newList();
            heap.listAppend(frozenCycle, frozenCycle);
            heap.decref(frozenCycle);
            FrozenMarks marks = (FrozenMarks) c.marks();
            marks.freeze(heap); // without the collection first: the cycle is frozen with the rest
            long heldByFrozen = heap.newList();
            heap.listAppend(root, heldByFrozen);
            heap.decref(heldByFrozen);
            long youngCycle = heap.newList();
            heap.listAppend(youngCycle, youngCycle);
            heap.decref(youngCycle);
            byte[] frozenHeader = new byte[16];
            heap.region().getBytes(root, frozenHeader, 0, 16);

            Collector.Result r = c.collect(); // no declared root at all: frozen objects are roots enough
            assertThat(r.freed()).as("only the young cycle").isEqualTo(1);
            assertThat(heap.isFreed(youngCycle)).isTrue();
            assertThat(heap.isLive(frozenCycle)).as("frozen garbage is never collected").isTrue();
            assertThat(heap.isLive(heldByFrozen)).as("held by a frozen list").isTrue();
            byte[] after = new byte[16];
            heap.region().getBytes(root, after, 0, 16);
            assertThat(after).as("the frozen list's header after a collection").isEqualTo(frozenHeader);
            heap.verify(root); // the cycle holds its own count
        }
    }

    @Test
    void freezingAnotherHeapIsRefused() {
        try (Heap heap = Heap.create(1 << 16, ImmortalRefCounts.FACTORY); Heap other = Heap.create(1 << 16, ImmortalRefCounts.FACTORY);
             Collector c = new Collector(heap, placement())) {
            assertThatThrownBy(() -> ((FrozenMarks) c.marks()).freeze(other)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
