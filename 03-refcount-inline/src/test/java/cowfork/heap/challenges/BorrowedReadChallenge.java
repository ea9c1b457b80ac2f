// Challenge 03: a child that reads every item through borrowed references copies no heap page, even with inline counts.
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
 * <p>Run: {@code ./mvnw -B -P challenges -pl 03-refcount-inline -am verify
 * -Dtest=BorrowedReadChallenge -Dsurefire.failIfNoSpecifiedTests=false}.
 * It fails until you write {@link BorrowedSum#sumField}. Hint: which {@link Heap} accessors already return
 * borrowed references? What must stay true for a borrowed reference to be safe to use?
 */
class BorrowedReadChallenge {

    @Test
    void aChildReadingWithBorrowedReferencesCopiesNothing() {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(2L << 20), RefCountStrategies.byName("inline"))) {
            Dataset data = DatasetBuilder.build(heap, 2L << 20, 7, (built, target) -> { });
            long expected = Workloads.sumField(heap, data.items(), "price");
            assertThat(BorrowedSum.sumField(heap, data.items(), "price")).isEqualTo(expected);
            SharingReport report = SharingExperiment.run(Forker.safe(), heap,
                    h -> BorrowedSum.sumField(h, data.items(), "price"), data.itemCount());
            assertThat(report.heapPagesPrivate()).as("heap pages the child copied").isZero();
        }
    }
}
