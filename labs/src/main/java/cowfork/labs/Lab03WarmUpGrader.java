// Lab 03's warm-up grader: a child that reads every item through borrowed references copies no heap page, even with inline counts.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.lab.BorrowedSum;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link BorrowedSum}: the same sum as chapter 03's {@code Workloads.sumField}, and a
 * forked child that runs it under inline counts copies no heap page at all.
 */
public class Lab03WarmUpGrader {

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
