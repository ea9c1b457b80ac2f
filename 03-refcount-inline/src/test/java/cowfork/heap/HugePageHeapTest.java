// A heap on transparent huge pages: the kernel backs it with 2 MiB pages where it can, and a child's incref still copies 4 KiB.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.KernelProbe;
import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.Smaps;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.fork.Forker;
import cowfork.support.Processes;
import org.junit.jupiter.api.Test;

/**
 * The fact the huge-page argument rests on, checked on the heap the server uses: fork of a
 * heap on 2 MiB pages copies 512 times fewer page-table entries, and is only worth it if a
 * child's write into a shared huge page still copies one 4 KiB page (the kernel splits the
 * child's PMD mapping) and not the whole 2 MiB. What the kernel grants is probed, never
 * assumed: on a kernel where no huge page backs a MADV_HUGEPAGE region the test asserts
 * that none backs the heap either.
 */
class HugePageHeapTest {
    private static final Forker FORKER = Forker.safe();
    private static final long DATA = 6L << 20;

    @Test
    void aHeapAllowedHugePagesIsBackedByThemExactlyWhenTheKernelGrantsThem() {
        KernelProbe.Facts kernel = KernelProbe.probe();
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(DATA), RefCountStrategies.byName("inline"),
                Region.HugePages.ALLOWED)) {
            DatasetBuilder.build(heap, DATA);
            Smaps.Fields heapFields = Smaps.of(Processes.self(), heap.region()).fields();
            System.out.println("huge-heap: thp=" + kernel.thp() + " thp_backed=" + (kernel.thpBacked() ? "yes" : "no")
                    + " heap_rss_kib=" + heapFields.rssKb() + " heap_thp_kib=" + heapFields.anonHugePagesKb());
            assertThat(heap.region().address() % Region.HUGE_PAGE_SIZE).as("2 MiB-aligned, where a huge page fits").isZero();
            if (kernel.thpBacked()) {
                assertThat(heapFields.anonHugePagesKb()).as("%s: the filled heap is on huge pages", kernel.line())
                        .isPositive();
                assertThat(heapFields.anonHugePagesKb() % 2048).as("AnonHugePages counts whole 2 MiB pages").isZero();
            } else {
                assertThat(heapFields.anonHugePagesKb()).as("%s: no huge page may back the heap", kernel.line()).isZero();
            }
        }
    }

    @Test
    void theDefaultHeapIsNeverOnHugePages() {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(DATA), RefCountStrategies.byName("inline"))) {
            DatasetBuilder.build(heap, DATA);
            assertThat(heap.region().hugePages()).isEqualTo(Region.HugePages.NEVER);
            assertThat(Smaps.of(Processes.self(), heap.region()).fields().anonHugePagesKb()).isZero();
        }
    }

    @Test
    void aChildsIncrefIntoAHugePageBackedHeapCopiesOne4KiBPage() {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(DATA), RefCountStrategies.byName("inline"),
                Region.HugePages.ALLOWED)) {
            Dataset data = DatasetBuilder.build(heap, DATA);
            long parentThpKb = Smaps.of(Processes.self(), heap.region()).fields().anonHugePagesKb();
            KernelProbe.Facts kernel = KernelProbe.probe();
            // Without huge pages the write would still copy 4 KiB, which proves nothing about huge pages.
            assumeThat(kernel.thpBacked()).as("the kernel backs a MADV_HUGEPAGE region with huge pages (%s)", kernel.line())
                    .isTrue();
            assertThat(parentThpKb).as("the kernel grants huge pages: the shared heap must be on them").isPositive();
            long item = data.items();
            record Child(Smaps.Fields fields, PageMap map) {}
            // Under inline counts an incref is a store into the object's header: one write.
            Child child = ChildSnapshot.take(FORKER, () -> heap.incref(item),
                    pid -> new Child(Smaps.of(pid, heap.region()).fields(), PageMap.of(pid, heap.region())));
            String kind = parentThpKb > 0 ? parentThpKb + " KiB of the heap on huge pages" : "no huge page backed the heap";
            System.out.println("huge-heap: child incref copied " + child.fields().privateDirtyKb() + " KiB (" + kind + ")");
            assertThat(child.fields().privateDirtyKb()).as("%s: the write copies one 4 KiB page, not 2 MiB", kind)
                    .isEqualTo(4);
            assertThat(child.map().privatePages()).as("page map and smaps agree")
                    .containsExactly((int) Region.pageOf(item));
        }
    }
}
