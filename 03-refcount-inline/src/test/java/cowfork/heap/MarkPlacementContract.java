// The collector's contract: what every mark placement must do, as tests and jqwik properties that modules 04 and 05 run unchanged against theirs.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.GarbageCycles;
import cowfork.experiment.GcExperiment;
import cowfork.experiment.GcPrediction;
import cowfork.experiment.GcReport;
import cowfork.fork.Forker;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Every {@link MarkPlacement}, driving the unchanged {@link Collector} over a heap whose
 * counts are kept by the strategy it {@linkplain MarkPlacement.Factory#shippedWith shipped
 * with}, must pass this class. A module tests its placement by extending it:
 * <pre>{@code
 * class BitmapMarksTest extends MarkPlacementContract {
 *     protected MarkPlacement.Factory placement() { return BitmapMarks.FACTORY; }
 *     protected boolean marksWriteObjectPages() { return false; }
 * }
 * }</pre>
 *
 * <p>The properties: a collection frees exactly the objects unreachable from the roots,
 * cycles included, and never a reachable one, leaves no mark behind, and leaves a heap
 * whose counts equal its references ({@link Heap#verify(long...)}); in a forked child, one
 * collection makes private exactly the pages {@link GcPrediction} names, and, for a
 * placement that keeps marks away from the objects, no object page but those the sweep
 * freed garbage on.
 */
public abstract class MarkPlacementContract {
    private static final Forker FORKER = Forker.safe();

    /** The placement under test. */
    protected abstract MarkPlacement.Factory placement();

    /** Whether marking writes the marked objects' own pages (the header bit does; a bitmap and frozen objects do not). */
    protected abstract boolean marksWriteObjectPages();

    protected Heap newHeap(long bytes) {
        return Heap.create(bytes, placement().shippedWith());
    }

    // ------------------------------------------------------------------ the basic contract

    @Test
    void thePlacementIsNamedAsItsFactoryAndRegistered() {
        try (Heap heap = newHeap(1 << 16); Collector c = new Collector(heap, placement())) {
            assertThat(c.marks().name()).isEqualTo(placement().name());
            assertThat(MarkPlacements.names()).contains(placement().name());
            c.marks().side().ifPresent(side -> assertThat(side.address()).isNotEqualTo(heap.region().address()));
        }
    }

    @Test
    void aCycleTheProgramDroppedIsFreedAndWhatTheRootsReachIsKept() {
        try (Heap heap = newHeap(1 << 16); Collector c = new Collector(heap, placement())) {
            long root = heap.newDict();
            long kept = heap.newStr("kept");
            heap.dictSet(root, "k", kept);
            long a = heap.newList();
            long b = heap.newList();
            heap.listAppend(a, b);
            heap.listAppend(b, a);
            heap.listAppend(a, kept); // garbage holding a survivor: its count must drop back by one
            heap.decref(a);
            heap.decref(b);
            long liveBefore = heap.stats().liveObjects();
            Collector.Result r = c.collect(root, kept);
            assertThat(r.freed()).as("the two lists of the cycle").isEqualTo(2);
            assertThat(heap.isFreed(a)).isTrue();
            assertThat(heap.isFreed(b)).isTrue();
            assertThat(r.live()).isEqualTo(liveBefore - 2).isEqualTo(heap.stats().liveObjects());
            assertThat(heap.refCount(kept)).as("the root's own reference and the dict's").isEqualTo(2);
            heap.verify(root, kept);
            assertThat(c.collect(root, kept).freed()).as("a second collection finds nothing more").isZero();
        }
    }

    @Test
    void aRootThatIsNotALiveObjectIsRefusedAndNothingIsFreed() {
        try (Heap heap = newHeap(1 << 16); Collector c = new Collector(heap, placement())) {
            long cycle = heap.newList();
            heap.listAppend(cycle, cycle);
            heap.decref(cycle);
            long freed = heap.newInt(5);
            heap.decref(freed);
            assertThatThrownBy(() -> c.collect(Heap.NULL)).isInstanceOf(HeapException.class)
                    .extracting(e -> ((HeapException) e).kind()).isEqualTo(HeapException.Kind.NULL_REFERENCE);
            assertThatThrownBy(() -> c.collect(freed)).isInstanceOf(HeapException.class).hasMessageContaining("collect root")
                    .extracting(e -> ((HeapException) e).kind()).isEqualTo(HeapException.Kind.USE_AFTER_FREE);
            assertThatThrownBy(() -> c.collect(cycle + 8)).isInstanceOf(HeapException.class)
                    .extracting(e -> ((HeapException) e).kind()).isEqualTo(HeapException.Kind.BAD_REFERENCE);
            assertThat(heap.isLive(cycle)).as("refused collections free nothing").isTrue();
            assertThat(heap.isBroken()).isFalse();
            assertThat(c.collect().freed()).isEqualTo(1);
        }
    }

    @Test
    @SuppressWarnings("try") // the open Borrow is the point: held for the block, never referenced in it
    void aCollectionWhileABorrowedIterationIsOpenIsRefused() {
        try (Heap heap = newHeap(1 << 16); Collector c = new Collector(heap, placement())) {
            long list = heap.newList();
            heap.listAppend(list, heap.none());
            long cycle = heap.newList();
            heap.listAppend(cycle, cycle);
            heap.decref(cycle);
            try (Collector.Borrow iteration = c.borrow()) {
                long item = heap.listGet(list, 0); // borrowed, and not a root
                assertThatThrownBy(() -> c.collect(list)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("borrowed iteration");
                assertThat(heap.isLive(cycle)).isTrue();
                assertThat(heap.isLive(item)).isTrue();
            }
            assertThat(c.collect(list).freed()).as("once the iteration is closed").isEqualTo(1);
        }
    }

    /**
     * The mark stack is a mapped region, and the collector allocates nothing per object on
     * the Java heap: a forked child (which can never run the JVM's own GC) can afford it.
     * Measured here with the thread's allocation counter over a collection of ~14,000 objects.
     */
    @Test
    void aCollectionAllocatesAlmostNothingOnTheJavaHeap() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(1 << 20)); Collector c = new Collector(heap, placement())) {
            Dataset data = DatasetBuilder.build(heap, 1 << 20, 3, DatasetBuilder.Progress.none());
            GarbageCycles.add(heap, data, 200, 3);
            c.collect(data.root()); // the first loads classes; the second is what a child pays
            GarbageCycles.add(heap, data, 200, 4);
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            Collector.Result r = c.collect(data.root());
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(r.live()).isGreaterThan(10_000);
            assertThat(r.freed()).isGreaterThanOrEqualTo(200);
            assertThat(allocated).as("Java heap bytes allocated by one collection of %d objects", r.live())
                    .isLessThan(1024);
            heap.decref(data.root());
        }
    }

    // ------------------------------------------------------------------ the properties

    /**
     * For any graph of lists and dicts (cycles, self-loops and shared children included) and
     * any set of roots, a collection frees exactly the objects no root reaches, leaves no
     * mark behind, and the counts equal the references afterwards.
     */
    @Property(tries = 80)
    void aCollectionFreesExactlyTheUnreachable(
            @ForAll @IntRange(min = 1, max = 25) int n,
            @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 9999) Integer> edges,
            @ForAll @Size(max = 25) List<Boolean> rooted) {
        try (Heap heap = newHeap(1 << 18); Collector c = new Collector(heap, placement())) {
            long[] node = new long[n];
            for (int i = 0; i < n; i++) {
                node[i] = i % 3 == 2 ? heap.newDict() : heap.newList();
            }
            List<List<Integer>> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(new ArrayList<>());
            }
            for (int k = 0; k < edges.size(); k++) {
                int from = edges.get(k) % n;
                int to = edges.get(k) / n % n;
                if (heap.type(node[from]) == ObjectType.DICT) {
                    heap.dictSet(node[from], "e" + k, node[to]);
                } else {
                    heap.listAppend(node[from], node[to]);
                }
                out.get(from).add(to);
            }
            List<Long> roots = new ArrayList<>();
            BitSet reachable = new BitSet();
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i < rooted.size() && rooted.get(i)) {
                    roots.add(node[i]); // the test keeps its reference: a root
                    reachable.set(i);
                    todo.add(i);
                } else {
                    heap.decref(node[i]); // dropped: alive only if a root reaches it
                }
            }
            while (!todo.isEmpty()) {
                for (int to : out.get(todo.remove(todo.size() - 1))) {
                    if (!reachable.get(to)) {
                        reachable.set(to);
                        todo.add(to);
                    }
                }
            }
            long[] rootRefs = roots.stream().mapToLong(Long::longValue).toArray();
            GcPrediction predicted = GcPrediction.of(c, rootRefs);
            Collector.Result r = c.collect(rootRefs);
            for (int i = 0; i < n; i++) { // nothing was allocated since the nodes were dropped: no chunk was reused
                assertThat(heap.isLive(node[i])).as("node %d (reachable: %s) is live", i, reachable.get(i))
                        .isEqualTo(reachable.get(i));
            }
            assertThat(r.freed()).as("freed").isEqualTo(predicted.freed());
            assertThat(r.live()).isEqualTo(predicted.live()).isEqualTo(heap.stats().liveObjects());
            heap.verify(rootRefs); // every count equals the references to it: nothing freed a reachable object's referent
            heap.forEachLiveObject(ref -> assertThat(c.marks().isMarked(ref) && !c.marks().isPermanent(ref))
                    .as("%s is still marked after the collection", heap.describe(ref)).isFalse());
            assertThat(c.collect(rootRefs).freed()).as("a second collection").isZero();
        }
    }

    /**
     * In a forked child, one full collection over a dataset with dropped cycles copies
     * exactly the pages {@link GcPrediction} names (marks, the sweep's frees, and the
     * count writes of survivors the garbage held), page for page, in the heap and in the
     * side region; a placement that keeps marks away from the objects leaves every object
     * page without garbage shared.
     */
    @Property(tries = 4)
    void oneCollectionInAForkedChildCopiesExactlyThePredictedPages(@ForAll @IntRange(min = 0, max = 60) int cycles) {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10)); Collector c = new Collector(heap, placement())) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 7, DatasetBuilder.Progress.none());
            GarbageCycles.add(heap, data, cycles, cycles);
            c.prepareForFork(data.root());
            GcPrediction predicted = GcPrediction.of(c, data.root());
            GcReport report = GcExperiment.run(FORKER, c, data.root());
            assertThat(report.heapPrivatePageSet()).as("heap pages private after a collection").isEqualTo(predicted.heapPages());
            assertThat(report.sidePrivatePageSet()).as("side pages private").isEqualTo(predicted.sidePages());
            assertThat(report.result().freed()).isEqualTo(predicted.freed());
            assertThat(report.result().live()).isEqualTo(predicted.live());
            assertThat(report.sidePagesPrivate()).isLessThanOrEqualTo(report.sidePages());
            if (!marksWriteObjectPages()) {
                BitSet beyondSweep = report.heapPrivatePageSet();
                beyondSweep.andNot(predicted.sweepPages());
                assertThat(beyondSweep).as("object pages written for anything but freeing garbage").isEqualTo(new BitSet());
            } else if (report.result().live() > 0) {
                assertThat(report.heapPagesPrivate()).as("header marks write every live object's page")
                        .isGreaterThan(report.heapPages() / 2);
            }
            assertThat(report.line()).startsWith("gc: marks=" + placement().name() + " objects_live=");
            heap.decref(data.root());
        }
    }

    /** A helper for subclasses: the heap pages holding a header of {@code refs}. */
    protected static BitSet pagesOf(long[] refs) {
        BitSet pages = new BitSet();
        for (long r : refs) {
            pages.set(Math.toIntExact(Region.pageOf(r)));
        }
        return pages;
    }
}
