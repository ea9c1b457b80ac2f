// The chapter's claim as a property: in a forked child, reading any subset of objects keeps every object page shared and copies exactly their counts' table pages.
package cowfork.sidetable;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.ServedItems;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.ObjectGraph;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class SideTableSharingProperties {
    private static final Forker FORKER = Forker.safe();
    private static final long DATASET = 256 << 10;

    enum Reader { TOUCH, SERVE_JSON }

    /**
     * Any subset: objects picked at random with probability {@code density} (so from none
     * to all of them), read either by incref+decref alone or by serving items as JSON.
     */
    @Property(tries = 30)
    void readingAnySubsetKeepsObjectPagesSharedAndCopiesExactlyItsTablePages(
            @ForAll @DoubleRange(min = 0, max = 1) double density, @ForAll @IntRange(min = 0, max = 10_000) int seed,
            @ForAll Reader reader) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(DATASET), SideTableRefCounts.FACTORY)) {
            Dataset data = DatasetBuilder.build(heap, DATASET, seed, DatasetBuilder.Progress.none());
            long[] touched;
            SharingExperiment.Workload workload;
            if (reader == Reader.SERVE_JSON) {
                ServedItems serve = new ServedItems(data, density, seed);
                touched = serve.count() == 0 ? new long[0] : serve.touchedObjects(heap);
                workload = serve::serve;
            } else {
                long[] all = ObjectGraph.reachableFrom(heap, data.root());
                java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                touched = Arrays.stream(all).filter(r -> random.nextDouble() < density).toArray();
                long[] refs = touched;
                workload = h -> Workloads.touch(h, refs);
            }
            int heapPages = (int) ((heap.usedEnd() + Region.PAGE_SIZE - 1) / Region.PAGE_SIZE);
            PageMap parent = PageMap.ofSelf(heap.region());

            SharingReport report = SharingExperiment.run(FORKER, heap, workload, touched.length);

            assertThat(report.heapPages()).isEqualTo(heapPages);
            assertThat(report.heapPagesPrivate()).as("heap pages private in the child").isLessThanOrEqualTo(SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES);
            for (int p = 0; p < heapPages; p++) {
                PageState expected = parent.state(p) == PageState.NOT_PRESENT ? PageState.NOT_PRESENT : PageState.SHARED;
                assertThat(report.heapMap().state(p)).as("heap page %d (%s in the parent) in the child", p, parent.state(p))
                        .isEqualTo(expected);
            }
            assertThat(report.tablePrivatePageSet()).as("table pages private in the child, %d objects touched", touched.length)
                    .isEqualTo(SideTablePages.of(touched));
            heap.decref(data.root());
        }
    }
}
