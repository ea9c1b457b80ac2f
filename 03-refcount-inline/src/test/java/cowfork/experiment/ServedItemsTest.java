// The served-items workload: a deterministic ascending sample, exactly the objects serving touches, and every count back where it was.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.heap.Heap;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.ObjectGraph;
import java.util.Arrays;
import java.util.SplittableRandom;
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
        assertThat(ServedItems.choose(data, 0.3, new SplittableRandom(7 ^ 0x5DEECE66DL))).isEqualTo(a);
        assertThat(ServedItems.choose(data, 0, 7)).isEmpty();
        assertThat(ServedItems.choose(data, 1, 7)).hasSize(data.itemCount());
        assertThatThrownBy(() -> ServedItems.choose(data, 1.5, 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("within [0, 1]");
        assertThatThrownBy(() -> ServedItems.choose(data, Double.NaN, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void touchedIsTheItemsDictAndWhatTheChosenItemsReach() {
        int[] chosen = {0, 5};
        long[] touched = ServedItems.touchedBy(heap, data, chosen);
        long[] reached = ObjectGraph.reachableFrom(heap, heap.dictGet(data.items(), Dataset.key(0)),
                heap.dictGet(data.items(), Dataset.key(5)));
        assertThat(touched).isSorted().doesNotHaveDuplicates().contains(data.items()).contains(reached)
                .hasSize(reached.length + 1);
        assertThat(ServedItems.touchedBy(heap, data, new int[0])).containsExactly(data.items());
    }

    @Test
    void servingChangesNoCount() {
        int[] chosen = ServedItems.choose(data, 0.5, 1);
        long[] touched = ServedItems.touchedBy(heap, data, chosen);
        long[] before = Arrays.stream(touched).map(heap::refCount).toArray();
        StringBuilder json = new StringBuilder();
        ServedItems.serve(heap, data, chosen, new StringBuilder(), json);
        assertThat(Arrays.stream(touched).map(heap::refCount).toArray()).isEqualTo(before);
        assertThat(json.toString()).startsWith("{\"id\":\"item-" + chosen[chosen.length - 1] + "\"");
    }
}
