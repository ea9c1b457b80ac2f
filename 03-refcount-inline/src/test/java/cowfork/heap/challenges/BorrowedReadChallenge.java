package cowfork.heap.challenges;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.RefCountStrategies;
import org.junit.jupiter.api.Test;

/**
 * Challenge 03: CPython's {@code PyDict_GetItem} returns a <em>borrowed</em> reference: no
 * incref, no decref, so no write. Sum a field over every item using borrowed references
 * only, and show that a child doing it copies no heap page at all, even with inline counts.
 *
 * <p>Run: {@code ./mvnw -P challenges -pl 03-refcount-inline test}. It fails until you
 * write {@link #sumFieldBorrowed}. Hint: which {@link Heap} accessors already return
 * borrowed references? What must stay true for a borrowed reference to be safe to use?
 */
class BorrowedReadChallenge {

    /**
     * YOUR CODE HERE: the sum of {@code item[field]} (an int) over every item in the dict
     * {@code items}, without changing any reference count.
     */
    static long sumFieldBorrowed(Heap heap, long items, String field) {
        throw new UnsupportedOperationException("challenge 03: walk the dict's slots with borrowed references");
    }

    @Test
    void aChildReadingWithBorrowedReferencesCopiesNothing() {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(2L << 20), RefCountStrategies.byName("inline"))) {
            Dataset data = DatasetBuilder.build(heap, 2L << 20, 7, (built, target) -> { });
            long expected = Workloads.sumField(heap, data.items(), "price");
            assertThat(sumFieldBorrowed(heap, data.items(), "price")).isEqualTo(expected);
            SharingReport report = SharingExperiment.run(Forker.safe(), heap,
                    h -> sumFieldBorrowed(h, data.items(), "price"), data.itemCount());
            assertThat(report.heapPagesPrivate()).as("heap pages the child copied").isZero();
        }
    }
}
