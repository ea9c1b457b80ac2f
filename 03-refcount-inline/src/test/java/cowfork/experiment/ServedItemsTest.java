// The served-items workload: a deterministic ascending sample, exactly the objects serving touches, and every count back where it was.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.heap.Heap;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.ObjectGraph;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServedItemsTest {
    private final Heap heap = Heap.create(1 << 20, InlineRefCounts.FACTORY);
    private final Dataset data = DatasetBuilder.build(heap, 128 << 10);

    @AfterEach
    void close() {
        heap.close();
    }

    @Test
    void theSampleIsDeterministicAscendingAndAboutTheFraction() {
        int[] a = ServedItems.choose(data, 0.3, 7);
        assertThat(a).isEqualTo(ServedItems.choose(data, 0.3, 7)).isSorted().doesNotHaveDuplicates();
        assertThat(a.length).isBetween(data.itemCount() / 5, data.itemCount() * 2 / 5);
        assertThat(ServedItems.choose(data, 0.3, 8)).isNotEqualTo(a);
        assertThat(new ServedItems(data, 0.3, 7).chosen()).as("one sample for every chapter").isEqualTo(a);
        assertThat(ServedItems.choose(data, 0, 7)).isEmpty();
        assertThat(ServedItems.choose(data, 1, 7)).hasSize(data.itemCount());
        assertThatThrownBy(() -> ServedItems.choose(data, 1.5, 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("within [0, 1]");
        assertThatThrownBy(() -> ServedItems.choose(data, Double.NaN, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void touchedIsTheItemsDictAndWhatTheChosenItemsReach() {
        ServedItems all = new ServedItems(data, 1, 3);
        int[] chosen = all.chosen();
        long[] roots = Arrays.stream(chosen).mapToLong(i -> heap.dictGet(data.items(), Dataset.key(i))).toArray();
        long[] reached = ObjectGraph.reachableFrom(heap, roots);
        assertThat(all.touchedObjects(heap)).isSorted().doesNotHaveDuplicates().contains(data.items()).contains(reached)
                .hasSize(reached.length + 1);
        assertThat(new ServedItems(data, 0, 3).touchedObjects(heap)).containsExactly(data.items());
    }

    @Test
    void servingChangesNoCount() {
        ServedItems served = new ServedItems(data, 0.5, 1);
        long[] touched = served.touchedObjects(heap);
        long[] before = Arrays.stream(touched).map(heap::refCount).toArray();
        served.serve(heap);
        assertThat(Arrays.stream(touched).map(heap::refCount).toArray()).isEqualTo(before);
        int[] chosen = served.chosen();
        assertThat(served.count()).isEqualTo(chosen.length).isPositive();
        assertThat(served.lastJson()).startsWith("{\"id\":\"item-" + chosen[chosen.length - 1] + "\"");
    }
}
