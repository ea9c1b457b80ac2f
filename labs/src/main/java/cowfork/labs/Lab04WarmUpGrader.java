// Lab 04's warm-up grader: predict, from objects' addresses alone, which side-table pages a forked child copies when it reads them.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.ObjectGraph;
import cowfork.heap.RefCountStrategies;
import cowfork.sidetable.lab.TablePages;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link TablePages}: with chapter 04's {@code sidetable} strategy, predict which
 * table pages a child copies when it increfs and decrefs a set of objects, and let the
 * kernel check the prediction page for page. The same arithmetic, done by the strategy
 * itself, is what your own table's {@code predictPrivatePages} will need in the lab proper.
 */
public class Lab04WarmUpGrader {

    @Test
    void yourArithmeticOnSmallCases() {
        // Hand-made offsets, before any fork: the first and last slot of page 0, then page 1.
        assertThat(TablePages.of(new long[0])).as("no object, no page").isEqualTo(new BitSet());
        assertThat(TablePages.of(new long[] {16, 8176})).as("offsets 16 and 8176").isEqualTo(pages(0));
        assertThat(TablePages.of(new long[] {8192, 8192 + 16})).as("offsets 8192 and 8208").isEqualTo(pages(1));
        assertThat(TablePages.of(new long[] {4096, 12288, 81920})).as("offsets 4096, 12288, 81920").isEqualTo(pages(0, 1, 10));
    }

    @Test
    void theKernelCopiesExactlyThePagesYouPredict() {
        Forker forker = Forker.safe();
        long datasetBytes = 512 << 10;
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(datasetBytes), RefCountStrategies.byName("sidetable"))) {
            Dataset data = DatasetBuilder.build(heap, datasetBytes, 4, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            // A cluster (the first 300 objects in address order) and a thin random spread (2%).
            long[] sorted = all.clone();
            Arrays.sort(sorted);
            SplittableRandom random = new SplittableRandom(42);
            long[][] subsets = {
                Arrays.copyOf(sorted, 300),
                Arrays.stream(all).filter(r -> random.nextDouble() < 0.02).toArray(),
            };
            for (long[] touched : subsets) {
                BitSet predicted = TablePages.of(touched); // before the fork: from addresses only
                SharingReport report = SharingExperiment.run(forker, heap, h -> Workloads.touch(h, touched), touched.length);
                assertThat(report.heapPagesPrivate()).as("heap pages copied: the side table writes no object")
                        .isLessThanOrEqualTo(SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES);
                assertThat(report.tablePrivatePageSet())
                        .as("table pages the kernel found private in the child that touched %d objects", touched.length)
                        .isEqualTo(predicted);
            }
            assertThat(TablePages.of(subsets[0]).cardinality())
                    .as("300 neighbouring objects share table pages: far fewer pages than objects").isLessThan(30);
            heap.decref(data.root());
        }
    }

    private static BitSet pages(int... indices) {
        BitSet b = new BitSet();
        for (int i : indices) {
            b.set(i);
        }
        return b;
    }
}
