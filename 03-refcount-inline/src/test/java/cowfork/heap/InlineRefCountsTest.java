// The refcount contract run against inline counts, plus what is particular to them: the count lives at header offset 0.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class InlineRefCountsTest extends RefCountsContract {
    @Override
    protected RefCounts.Factory factory() {
        return InlineRefCounts.FACTORY;
    }

    /** Inline counts write the header of every touched object: its page, and nothing else. */
    @Override
    protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) {
        return ObjectGraph.headerPages(touched);
    }

    @Test
    void theCountIsTheFirstWordOfTheHeader() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            heap.incref(s);
            assertThat(heap.region().getLong(s + Heap.OB_REFCNT)).isEqualTo(2).isEqualTo(heap.refCount(s));
            assertThat(heap.refCounts().table()).isEmpty();
        }
    }

    @Test
    void aCorruptCountIsReportedNotWrappedBelowZero() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            heap.region().putLong(s + Heap.OB_REFCNT, 0); // a stray write over the header
            assertThatThrownBy(() -> heap.decref(s)).isInstanceOf(HeapException.class)
                    .hasMessageContaining("below zero").hasMessageContaining("offset " + s)
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.NEGATIVE_COUNT));
            assertThat(heap.region().getLong(s + Heap.OB_REFCNT)).as("nothing written").isZero();
        }
    }
}
