// Serialising and querying the heap gives the right answers and leaves every count where it was.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.Json;
import cowfork.heap.ObjectGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonAndWorkloadsTest {
    private final Heap heap = Heap.create(1 << 20, InlineRefCounts.FACTORY);

    @AfterEach
    void close() {
        heap.close();
    }

    @Test
    void everyTypeIsWrittenAsJsonDumpsWouldWithCompactSeparators() {
        long list = heap.newList();
        long s = heap.newStr("a\"b\\c\nd\u0001é😀");
        long i = heap.newInt(-42);
        long t = heap.newTuple(heap.bool(true), heap.bool(false), heap.none());
        heap.listAppend(list, s);
        heap.listAppend(list, i);
        heap.listAppend(list, t);
        long dict = heap.newDict();
        heap.dictSet(dict, "only", list);
        assertThat(Json.toJson(heap, dict))
                .isEqualTo("{\"only\":[\"a\\\"b\\\\c\\nd\\u0001é😀\",-42,[true,false,null]]}");
    }

    @Test
    void writingJsonLeavesCountsUnchanged() {
        Dataset data = DatasetBuilder.build(heap, 64 << 10);
        long item = heap.dictGet(data.items(), Dataset.key(3));
        long before = heap.refCount(item);
        String json = Json.toJson(heap, item);
        assertThat(json).startsWith("{").contains("\"id\":\"item-3\"").contains("\"tags\":[").contains("\"dims\":[");
        assertThat(heap.refCount(item)).isEqualTo(before);
    }

    @Test
    void aCycleIsReportedNotFollowedForever() {
        long list = heap.newList();
        heap.listAppend(list, list); // a cycle: this heap, like CPython without gc, will never free it
        assertThatThrownBy(() -> Json.toJson(heap, list)).isInstanceOf(HeapException.class)
                .hasMessageContaining("cycle")
                .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.TOO_DEEP));
        assertThat(heap.refCount(list)).as("every incref on the way down was undone").isEqualTo(2);
    }

    @Test
    void lookupReturnsANewReferenceOrNull() {
        Dataset data = DatasetBuilder.build(heap, 64 << 10);
        long item = heap.dictGet(data.items(), Dataset.key(0));
        long before = heap.refCount(item);
        long got = Workloads.lookup(heap, data.items(), new StringBuilder("item-0"));
        assertThat(got).isEqualTo(item);
        assertThat(heap.refCount(item)).isEqualTo(before + 1);
        heap.decref(got);
        assertThat(Workloads.lookup(heap, data.items(), "no-such-item")).isEqualTo(Heap.NULL);
        assertThat(heap.refCount(data.items())).isEqualTo(1);
    }

    @Test
    void sumFieldAddsEveryItemsField() {
        Dataset data = DatasetBuilder.build(heap, 64 << 10);
        long expected = 0;
        for (int i = 0; i < data.itemCount(); i++) {
            expected += heap.intValue(heap.dictGet(heap.dictGet(data.items(), Dataset.key(i)), "price"));
        }
        assertThat(Workloads.sumField(heap, data.items(), "price")).isEqualTo(expected).isPositive();
    }

    @Test
    void reachableFromFindsEachObjectOnceAndHeaderPagesCountEachPageOnce() {
        long shared = heap.newStr("shared");
        long a = heap.newList();
        long b = heap.newList();
        heap.listAppend(a, shared);
        heap.listAppend(b, shared);
        assertThat(ObjectGraph.reachableFrom(heap, a, b)).containsExactly(shared, a, b);
        assertThat(ObjectGraph.headerPages(new long[] {shared, a, b}).cardinality()).isEqualTo(1);
        assertThat(ObjectGraph.headerPages(new long[] {4096, 8192 - 16, 8192}).stream().toArray()).containsExactly(1, 2);
    }
}
