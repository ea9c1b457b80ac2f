// Chapter 03's contract under the immortal strategy (mortal objects behave as inline; immortalized ones copy nothing), plus CPython 3.12's bit tricks, one test each.
package cowfork.immortal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.HeapStats;
import cowfork.heap.InlineRefCounts;
import cowfork.heap.ObjectGraph;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import cowfork.heap.RefCountsContract;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ImmortalRefCountsTest extends RefCountsContract {
    private static final Forker FORKER = Forker.safe();

    @Override
    protected RefCounts.Factory factory() {
        return ImmortalRefCounts.FACTORY;
    }

    /** The contract's fork property runs after this: every object it touches is immortal. */
    @Override
    protected void beforeFork(Heap heap) {
        heap.refCounts().prepareForFork(heap);
    }

    /** Immortal counts are never stored, so no heap page goes private. */
    @Override
    protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) {
        return new BitSet();
    }

    private static long word(Heap heap, long ref) {
        return heap.region().getLong(ref + Heap.OB_REFCNT);
    }

    // ------------------------------------------------------------------ immortalizeAll

    @Test
    void immortalizeAllReachesEveryLiveObjectAndNothingElse() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(64 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, 3, DatasetBuilder.Progress.none());
            long freed = heap.newStr("freed before");
            heap.decref(freed);
            HeapStats stats = heap.stats();
            ImmortalRefCounts.Immortalized done = ImmortalRefCounts.immortalizeAll(heap);
            assertThat(done.objects()).isEqualTo(stats.liveObjects());
            long[] every = ObjectGraph.reachableFrom(heap, data.root(), heap.none(), heap.bool(true), heap.bool(false));
            assertThat(every).hasSize((int) stats.liveObjects());
            for (long ref : every) {
                assertThat(word(heap, ref)).as(heap.describe(ref)).isEqualTo(ImmortalRefCounts.IMMORTAL_REFCNT);
            }
            assertThat(heap.isFreed(freed)).as("a freed chunk is not revived").isTrue();
            assertThat(heap.stats()).as("immortalizing allocates and frees nothing").isEqualTo(stats);
        }
    }

    @Test
    void prepareForForkImmortalizesEveryLiveObjectAndSaysHowMany() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(64 << 10))) {
            DatasetBuilder.build(heap, 64 << 10, 3, DatasetBuilder.Progress.none());
            HeapStats stats = heap.stats();
            String done = heap.refCounts().prepareForFork(heap);
            assertThat(done).startsWith("immortalizeAll: ").endsWith(" made immortal")
                    .contains(String.format(java.util.Locale.ROOT, "%,d objects", stats.liveObjects()));
            heap.forEachLiveObject(ref -> assertThat(word(heap, ref)).isEqualTo(ImmortalRefCounts.IMMORTAL_REFCNT));
        }
    }

    @Test
    void itPredictsTheHeaderPagesOfMortalObjectsOnlyAndNoneAfterPrepareForFork() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(64 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, 3, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            RefCounts counts = heap.refCounts();
            assertThat(counts.predictPrivatePages(heap, all).heap()).as("mortal: as inline")
                    .isEqualTo(ObjectGraph.headerPages(all));
            counts.prepareForFork(heap);
            assertThat(counts.predictPrivatePages(heap, all).total()).as("immortal: nothing").isZero();
            long young = heap.newStr("made after immortalizeAll");
            BitSet expected = new BitSet();
            expected.set((int) cowfork.cow.Region.pageOf(young));
            RefCounts.PredictedPages p = counts.predictPrivatePages(heap, new long[] {all[0], young});
            assertThat(p.heap()).as("only the mortal newcomer's page").isEqualTo(expected);
            assertThat(p.table().isEmpty()).as("no table page").isTrue();
        }
    }

    /**
     * Before prepareForFork the counts still live in the headers, so the prediction is the
     * inline one for any subset (after it, the contract's property: no page).
     */
    @Property(tries = 50)
    void beforePrepareForForkThePredictionIsTheHeaderPagesForAnySubset(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 1_000_000) Integer> picks) {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(64 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, 1, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            long[] touched = picks.stream().mapToLong(i -> all[i % all.length]).toArray();
            assertThat(heap.refCounts().predictPrivatePages(heap, touched).heap()).isEqualTo(ObjectGraph.headerPages(touched));
        }
    }

    @Test
    void theRegistryListsTheStrategiesInChapterOrderWhateverTheClassPathOrder() {
        // 05's own classes come first on this module's class path, yet immortal is listed last (chapter 4's two by name).
        assertThat(RefCountStrategies.names()).containsExactly("inline", "dense", "sidetable", ImmortalRefCounts.NAME);
    }

    @Test
    void immortalizeAllRefusesAHeapOfAnotherStrategyAndWritesNothing() {
        try (Heap heap = Heap.create(1 << 16, InlineRefCounts.FACTORY)) {
            long s = heap.newStr("x");
            assertThatThrownBy(() -> ImmortalRefCounts.immortalizeAll(heap)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'inline'").hasMessageContaining("ImmortalRefCounts.FACTORY");
            assertThat(heap.refCount(s)).isEqualTo(1);
        }
    }

    @Test
    void objectsMadeAfterImmortalizeAllAreMortalAndFreedAtZero() {
        try (Heap heap = newHeap(1 << 16)) {
            long old = heap.newStr("old");
            ImmortalRefCounts.immortalizeAll(heap);
            long young = heap.newStr("young");
            assertThat(heap.refCount(young)).isEqualTo(1);
            assertThat(((ImmortalRefCounts) heap.refCounts()).isImmortal(young)).isFalse();
            assertThat(((ImmortalRefCounts) heap.refCounts()).isImmortal(old)).isTrue();
            heap.decref(young);
            assertThat(heap.isFreed(young)).isTrue();
            heap.decref(old);
            heap.decref(old);
            assertThat(heap.isLive(old)).as("the immortal one survives any number of decrefs").isTrue();
        }
    }

    // ------------------------------------------------------------------ the 3.12 bit tricks

    @Test
    void increfOfAnImmortalCountWrapsTheLowHalfToZeroAndSoStoresNothing() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            heap.region().putLong(s + Heap.OB_REFCNT, 0xFFFF_FFFEL); // one below immortal
            heap.incref(s);
            assertThat(word(heap, s)).as("the last step up lands on the immortal value").isEqualTo(0xFFFF_FFFFL);
            heap.incref(s);
            heap.incref(s);
            assertThat(word(heap, s)).as("saturated: no carry into the high half").isEqualTo(0xFFFF_FFFFL);
        }
    }

    @Test
    void aCountThatReaches2To31ByRealIncrefsBecomesImmortalByAccidentAsIn312() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("popular");
            heap.region().putLong(s + Heap.OB_REFCNT, 0x7FFF_FFFFL); // as if 2^31 - 1 references existed
            ImmortalRefCounts counts = (ImmortalRefCounts) heap.refCounts();
            assertThat(counts.isImmortal(s)).isFalse();
            heap.decref(s);
            assertThat(word(heap, s)).as("still mortal: decref counts").isEqualTo(0x7FFF_FFFEL);
            heap.incref(s);
            heap.incref(s);
            assertThat(word(heap, s)).isEqualTo(0x8000_0000L);
            assertThat(counts.isImmortal(s)).as("bit 31 set: (int32_t)ob_refcnt < 0").isTrue();
            for (int i = 0; i < 10; i++) {
                heap.decref(s);
            }
            assertThat(word(heap, s)).as("decref stops: it can never be freed now (a leak, not a crash)")
                    .isEqualTo(0x8000_0000L);
        }
    }

    @Test
    void aBlindFullWidthIncrefFromOldCodeCostsImmortalityButTheCountStaysFarFromZero() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            ImmortalRefCounts.immortalizeAll(heap);
            ImmortalRefCounts counts = (ImmortalRefCounts) heap.refCounts();
            // A 3.11 stable-ABI extension's Py_INCREF: ob_refcnt++ on all 64 bits, no check.
            heap.region().putLong(s + Heap.OB_REFCNT, word(heap, s) + 1);
            assertThat(word(heap, s)).isEqualTo(0x1_0000_0000L);
            assertThat(counts.isImmortal(s)).as("low half 0: 3.12 no longer sees it as immortal").isFalse();
            heap.decref(s); // the matching modern decref, full width
            assertThat(word(heap, s)).as("balanced: immortal again").isEqualTo(ImmortalRefCounts.IMMORTAL_REFCNT);
            // A blind decref: 0xFFFFFFFE, bit 31 still set, so still immortal for the new code.
            heap.region().putLong(s + Heap.OB_REFCNT, word(heap, s) - 1);
            assertThat(counts.isImmortal(s)).isTrue();
        }
    }

    @Test
    void aCountOfZeroIsCorruptAndReportedWithoutAWrite() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("x");
            heap.region().putLong(s + Heap.OB_REFCNT, 0);
            assertThatThrownBy(() -> heap.decref(s)).isInstanceOf(HeapException.class)
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.NEGATIVE_COUNT));
            assertThat(word(heap, s)).isZero();
        }
    }

    // ------------------------------------------------------------------ the fork: mortal as 03, immortal copies nothing

    @Test
    void withoutImmortalizeAllAForkedChildCopiesTheTouchedHeadersPagesAsInline() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 11, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            long[] touched = Arrays.stream(all).filter(r -> r % 7 == 0).toArray();
            SharingReport report = SharingExperiment.run(FORKER, heap, h -> Workloads.touch(h, touched), touched.length);
            assertThat(report.heapPrivatePageSet()).isEqualTo(ObjectGraph.headerPages(touched));
            assertThat(report.heapPagesPrivate()).isPositive();
            heap.decref(data.root());
        }
    }

    // ------------------------------------------------------------------ the leak

    @Test
    void deletingAnImmortalItemFreesNothingAndTheLeakIsWhatInlineWouldHaveFreed() {
        LeakReport inline = deleteTenItems(InlineRefCounts.FACTORY, false);
        LeakReport immortal = deleteTenItems(ImmortalRefCounts.FACTORY, true);
        assertThat(inline.objectsFreed()).isPositive();
        assertThat(inline.unreachableObjects()).isZero();
        assertThat(immortal.objectsFreed()).isZero();
        assertThat(immortal.bytesFreed()).isZero();
        assertThat(immortal.unreachableObjects()).as("leaked").isEqualTo(inline.objectsFreed());
        assertThat(immortal.after().liveBytes() - inline.after().liveBytes()).isEqualTo(inline.bytesFreed());
        assertThat(immortal.line()).startsWith("leak: strategy=immortal objects_freed=0 bytes_freed=0 objects_leaked=");
    }

    private static LeakReport deleteTenItems(RefCounts.Factory factory, boolean immortalize) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(128 << 10), factory)) {
            Dataset data = DatasetBuilder.build(heap, 128 << 10, 5, DatasetBuilder.Progress.none());
            if (immortalize) {
                ImmortalRefCounts.immortalizeAll(heap);
            }
            return LeakReport.measure(heap, () -> {
                for (int i = 0; i < 10; i++) {
                    assertThat(heap.dictDel(data.items(), Dataset.key(i))).isTrue();
                }
            }, data.root());
        }
    }

    // ------------------------------------------------------------------ the allocator still writes

    @Test
    void oneAllocationInAChildCopiesTheMetadataPageAndTheReusedChunksPage() {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 13, DatasetBuilder.Progress.none());
            ImmortalRefCounts.immortalizeAll(heap);
            AllocatorWrites.Report report = AllocatorWrites.run(FORKER, heap);
            assertThat(report.newObject()).as("LIFO reuse of the chunk freed in the parent").isEqualTo(report.freedInParent());
            assertThat(report.privatePages()).isEqualTo(report.predicted());
            assertThat(report.privatePages().get(0)).as("the metadata page").isTrue();
            assertThat(report.neighbours()).as("immortal objects copied along with the chunk's page").isPositive();
            heap.decref(data.root());
        }
    }
}
