// The refcount contract: what every strategy must do, as tests and jqwik properties that modules 04 and 05 run unchanged against theirs.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import org.junit.jupiter.api.Test;

/**
 * Every {@link RefCounts} strategy, plugged into the unchanged {@link Heap}, must pass
 * this class. A module tests its strategy by extending it:
 * <pre>{@code
 * class SideTableRefCountsTest extends RefCountsContract {
 *     protected RefCounts.Factory factory() { return SideTableRefCounts.FACTORY; }
 *     protected BitSet expectedPrivateHeapPages(Heap heap, long[] touched) { return new BitSet(); }
 *     protected BitSet expectedPrivateTablePages(Heap heap, long[] touched) { ... }
 * }
 * }</pre>
 * and depending on {@code cowfork-refcount-inline} with {@code <type>test-jar</type>}.
 * JUnit and jqwik both run the inherited tests and properties for each subclass.
 *
 * <p>The properties: a stateful chain of alloc / incref / decref / store (borrowing and
 * stealing) / tuple / delete in which every container holds exactly what the model says,
 * every count equals the references to the object, an object is freed exactly when it
 * becomes unreachable, and {@link Heap#verify(long...)} passes after every operation; and, in a forked child, a read-only workload over any subset of
 * objects makes private exactly the pages the strategy says it writes, and nothing else.
 */
public abstract class RefCountsContract {
    private static final Forker FORKER = Forker.safe();

    /** The strategy under test. */
    protected abstract RefCounts.Factory factory();

    /**
     * The heap pages (indices from the heap's start) a read-only workload that increfs
     * and decrefs each of {@code touched} must make private in a forked child.
     */
    protected abstract BitSet expectedPrivateHeapPages(Heap heap, long[] touched);

    /** The pages of the strategy's table that workload must make private (none without a table). */
    protected BitSet expectedPrivateTablePages(Heap heap, long[] touched) {
        return new BitSet();
    }

    /** Runs in the parent just before the fork (module 05 immortalizes the heap here). */
    protected void beforeFork(Heap heap) {
    }

    protected Heap newHeap(long bytes) {
        return Heap.create(bytes, factory());
    }

    // ------------------------------------------------------------------ the basic contract

    @Test
    void theStrategyIsNamedAsItsFactory() {
        try (Heap heap = newHeap(1 << 16)) {
            assertThat(heap.refCounts().name()).isEqualTo(factory().name()).isNotBlank();
            assertThat(RefCountStrategies.byName(factory().name()).name()).as("registered as a service")
                    .isEqualTo(factory().name());
        }
    }

    @Test
    void aNewObjectHasCountOneAndIncrefDecrefMoveItByOne() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("hello");
            assertThat(heap.refCount(s)).isEqualTo(1);
            heap.incref(s);
            heap.incref(s);
            assertThat(heap.refCount(s)).isEqualTo(3);
            heap.decref(s);
            assertThat(heap.refCount(s)).isEqualTo(2);
            heap.decref(s);
            heap.decref(s);
            assertThat(heap.isLive(s)).as("freed at zero").isFalse();
            assertThat(heap.isFreed(s)).isTrue();
        }
    }

    @Test
    void deallocationDecrefsChildrenAndReturnsLiveBytesToTheBaseline() {
        try (Heap heap = newHeap(1 << 20)) {
            HeapStats baseline = heap.stats();
            long shared = heap.newStr("shared");
            long list = heap.newList();
            long dict = heap.newDict();
            heap.listAppend(list, shared);
            heap.dictSet(dict, "k", shared);
            heap.dictSet(dict, "list", list);
            heap.decref(list);
            assertThat(heap.refCount(shared)).isEqualTo(3);
            heap.decref(dict);
            assertThat(heap.isLive(list)).isFalse();
            assertThat(heap.refCount(shared)).as("only the test's own reference is left").isEqualTo(1);
            heap.decref(shared);
            assertThat(heap.stats().liveBytes()).isEqualTo(baseline.liveBytes());
            assertThat(heap.stats().liveObjects()).isEqualTo(baseline.liveObjects());
        }
    }

    @Test
    void aDoubleDecrefIsCaughtAndNamed() {
        try (Heap heap = newHeap(1 << 16)) {
            long i = heap.newInt(7);
            heap.decref(i);
            HeapStats before = heap.stats();
            assertThatThrownBy(() -> heap.decref(i)).isInstanceOf(HeapException.class)
                    .hasMessageContaining("double decref").hasMessageContaining("offset " + i).hasMessageContaining("int")
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.DOUBLE_DECREF));
            assertThat(heap.stats()).as("nothing changed").isEqualTo(before);
        }
    }

    @Test
    void aUseAfterFreeIsCaughtAndNamed() {
        try (Heap heap = newHeap(1 << 16)) {
            long s = heap.newStr("gone");
            heap.decref(s);
            assertThatThrownBy(() -> heap.incref(s)).isInstanceOf(HeapException.class)
                    .hasMessageContaining("use after free").hasMessageContaining("str")
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.USE_AFTER_FREE));
            assertThatThrownBy(() -> heap.refCount(s)).isInstanceOf(HeapException.class);
        }
    }

    @Test
    void theTableRegionIfAnyIsSeparateFromTheHeap() {
        try (Heap heap = newHeap(1 << 16)) {
            Optional<Region> table = heap.refCounts().table();
            table.ifPresent(t -> assertThat(t.address()).isNotEqualTo(heap.region().address()));
        }
    }

    @Property(tries = 50)
    void theCountIsOnePlusIncrefsMinusDecrefs(@ForAll @Size(max = 60) List<Boolean> increfs) {
        try (Heap heap = newHeap(1 << 16)) {
            long ref = heap.newInt(1);
            long expected = 1;
            for (boolean inc : increfs) {
                if (inc) {
                    heap.incref(ref);
                    expected++;
                } else if (expected > 1) {
                    heap.decref(ref);
                    expected--;
                }
                assertThat(heap.refCount(ref)).isEqualTo(expected);
            }
        }
    }

    @Property(tries = 30)
    void aReadOnlyWorkloadLeavesEveryByteAsItWas(@ForAll @IntRange(min = 0, max = 1000) int seed) {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(64 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, seed, DatasetBuilder.Progress.none());
            byte[] heapBefore = snapshot(heap.region(), heap.usedEnd());
            byte[] tableBefore = heap.refCounts().table().map(t -> snapshot(t, t.size())).orElse(new byte[0]);
            Workloads.touch(heap, ObjectGraph.reachableFrom(heap, data.root()));
            Workloads.sumField(heap, data.items(), "price");
            Json.toJson(heap, data.root());
            assertThat(snapshot(heap.region(), heap.usedEnd())).as("heap bytes").isEqualTo(heapBefore);
            assertThat(heap.refCounts().table().map(t -> snapshot(t, t.size())).orElse(new byte[0])).as("table bytes")
                    .isEqualTo(tableBefore);
        }
    }

    private static byte[] snapshot(Region region, long bytes) {
        byte[] b = new byte[Math.toIntExact(bytes)];
        region.getBytes(0, b, 0, b.length);
        return b;
    }

    // ------------------------------------------------------------------ the stateful property

    @Property(tries = 60)
    void countsEqualReferencesAndObjectsDieExactlyWhenUnreachable(@ForAll("heapChains") ActionChain<HeapModel> chain) {
        chain.withInvariant("counts equal references; unreachable objects are freed", HeapModel::checkInvariants);
        try {
            chain.run();
        } finally {
            chain.finalState().ifPresent(HeapModel::close);
        }
    }

    @Provide
    Arbitrary<ActionChain<HeapModel>> heapChains() {
        RefCounts.Factory factory = factory();
        return ActionChain.<HeapModel>startWith(() -> new HeapModel(factory))
                .withAction(3, newInt())
                .withAction(3, newStr())
                .withAction(2, Action.just("newList", Transformer.mutate("newList",
                        m -> m.newObject(HeapModel.Kind.LIST, m.heap::newList))))
                .withAction(2, Action.just("newDict", Transformer.mutate("newDict",
                        m -> m.newObject(HeapModel.Kind.DICT, m.heap::newDict))))
                .withAction(2, onRoot((i, what) -> Transformer.mutate("incref " + what, s -> s.incref(i))))
                .withAction(4, onRoot((i, what) -> Transformer.mutate("decref " + what, s -> s.decref(i))))
                .withAction(4, append())
                .withAction(4, dictSet())
                .withAction(2, newTuple())
                .withAction(3, listSetStealing())
                .withAction(2, listDel())
                .withAction(2, dictDel())
                .withAction(1, useFreed())
                .withAction(1, Action.just("dropAll", Transformer.mutate("drop every root", HeapModel::dropAll)))
                .withMaxTransformations(40);
    }

    private static Action.Independent<HeapModel> newInt() {
        return new Action.Independent<>() {
            @Override
            public Arbitrary<Transformer<HeapModel>> transformer() {
                return Arbitraries.longs().map(v -> Transformer.mutate("newInt(" + v + ")",
                        m -> m.newObject(HeapModel.Kind.INT, () -> m.heap.newInt(v))));
            }
        };
    }

    private static Action.Independent<HeapModel> newStr() {
        return new Action.Independent<>() {
            @Override
            public Arbitrary<Transformer<HeapModel>> transformer() {
                return Arbitraries.strings().withChars("abé€😀").ofMaxLength(40).map(v -> Transformer.mutate(
                        "newStr(\"" + v + "\")", m -> m.newObject(HeapModel.Kind.STR, () -> m.heap.newStr(v))));
            }
        };
    }

    /**
     * A dependent action offering the transformers {@code options} lists for the current
     * state, when there are any. The list is built eagerly: the state is mutable, so
     * nothing may read it later, when jqwik generates or shrinks.
     */
    private static Action.Dependent<HeapModel> dependent(Function<HeapModel, List<Transformer<HeapModel>>> options) {
        return new Action.Dependent<>() {
            @Override
            public boolean precondition(HeapModel m) {
                return !options.apply(m).isEmpty();
            }

            @Override
            public Arbitrary<Transformer<HeapModel>> transformer(HeapModel m) {
                return Arbitraries.of(options.apply(m));
            }
        };
    }

    private interface RootTransformer {
        Transformer<HeapModel> at(int rootIndex, String description);
    }

    private static Action.Dependent<HeapModel> onRoot(RootTransformer t) {
        return dependent(m -> {
            List<Transformer<HeapModel>> options = new ArrayList<>();
            for (int i = 0; i < m.roots.size(); i++) {
                options.add(t.at(i, m.heap.describe(m.roots.get(i))));
            }
            return options;
        });
    }

    private static List<Long> rootsOfKind(HeapModel m, HeapModel.Kind kind) {
        return m.roots.stream().distinct().filter(r -> m.kinds.get(r) == kind).sorted().toList();
    }

    /** (container, item) pairs of roots that can be stored without closing a cycle. */
    private static List<Tuple.Tuple2<Long, Long>> storable(HeapModel m, HeapModel.Kind kind) {
        List<Tuple.Tuple2<Long, Long>> pairs = new ArrayList<>();
        for (long c : rootsOfKind(m, kind)) {
            for (long item : m.roots.stream().distinct().sorted().toList()) {
                if (!m.wouldCycle(c, item)) {
                    pairs.add(Tuple.of(c, item));
                }
            }
        }
        return pairs;
    }

    private static Action.Dependent<HeapModel> append() {
        return dependent(m -> storable(m, HeapModel.Kind.LIST).stream()
                .map(p -> Transformer.<HeapModel>mutate("append " + m.heap.describe(p.get2()) + " to " + m.heap.describe(p.get1()),
                        s -> s.append(p.get1(), p.get2())))
                .toList());
    }

    private static Action.Dependent<HeapModel> dictSet() {
        return dependent(m -> {
            List<Transformer<HeapModel>> options = new ArrayList<>();
            for (Tuple.Tuple2<Long, Long> p : storable(m, HeapModel.Kind.DICT)) {
                for (String key : List.of("a", "b", "c", "d")) {
                    options.add(Transformer.mutate("set " + m.heap.describe(p.get1()) + "[" + key + "] = "
                            + m.heap.describe(p.get2()), s -> s.dictSet(p.get1(), key, p.get2())));
                }
            }
            return options;
        });
    }

    /** newTuple (PyTuple_Pack: increfs its items) of up to two roots, None among the choices. */
    private static Action.Dependent<HeapModel> newTuple() {
        return dependent(m -> {
            List<Transformer<HeapModel>> options = new ArrayList<>();
            options.add(Transformer.mutate("newTuple()", s -> s.newTuple()));
            List<Long> some = m.roots.stream().distinct().sorted().limit(5).toList();
            for (long a : some) {
                options.add(Transformer.mutate("newTuple(" + m.heap.describe(a) + ", None)", s -> s.newTuple(a, s.heap.none())));
                for (long b : some) {
                    options.add(Transformer.mutate("newTuple(" + m.heap.describe(a) + ", " + m.heap.describe(b) + ")",
                            s -> s.newTuple(a, b)));
                }
            }
            return options;
        });
    }

    /** listSet (PyList_SetItem): steals a root's reference into a list slot; the replaced item is decref'd. */
    private static Action.Dependent<HeapModel> listSetStealing() {
        return dependent(m -> {
            List<Transformer<HeapModel>> options = new ArrayList<>();
            for (long list : m.lists.keySet().stream().sorted().limit(4).toList()) {
                int size = m.lists.get(list).size();
                for (int index : size == 0 ? List.<Integer>of() : List.of(0, size - 1).stream().distinct().toList()) {
                    for (int i = 0; i < m.roots.size(); i++) {
                        long item = m.roots.get(i);
                        if (m.roots.indexOf(item) == i && !m.wouldCycle(list, item)) {
                            int rootIndex = i;
                            options.add(Transformer.mutate("set " + m.heap.describe(list) + "[" + index + "] = "
                                    + m.heap.describe(item) + " (steals the root's reference)",
                                    s -> s.listSetStealing(list, index, rootIndex)));
                        }
                    }
                }
            }
            return options;
        });
    }

    private static Action.Dependent<HeapModel> listDel() {
        return dependent(m -> {
            List<Transformer<HeapModel>> options = new ArrayList<>();
            for (long list : m.lists.keySet().stream().sorted().toList()) {
                for (int i = 0; i < m.lists.get(list).size(); i++) {
                    int index = i;
                    options.add(Transformer.mutate("del " + m.heap.describe(list) + "[" + i + "]", s -> s.listDel(list, index)));
                }
            }
            return options;
        });
    }

    private static Action.Dependent<HeapModel> dictDel() {
        return dependent(m -> {
            List<Transformer<HeapModel>> options = new ArrayList<>();
            for (long dict : m.dicts.keySet().stream().sorted().toList()) {
                for (String key : m.dicts.get(dict).keySet().stream().sorted().toList()) {
                    options.add(Transformer.mutate("del " + m.heap.describe(dict) + "[" + key + "]", s -> s.dictDel(dict, key)));
                }
            }
            return options;
        });
    }

    /** A dangling reference is refused by decref (double decref) and incref (use after free), changing nothing. */
    private static Action.Dependent<HeapModel> useFreed() {
        return dependent(m -> m.stillFreed().stream().map(ref -> Transformer.<HeapModel>mutate("misuse freed @" + ref, s -> {
            HeapStats before = s.heap.stats();
            assertThatThrownBy(() -> s.heap.decref(ref)).isInstanceOf(HeapException.class)
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.DOUBLE_DECREF));
            assertThatThrownBy(() -> s.heap.incref(ref)).isInstanceOf(HeapException.class)
                    .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.USE_AFTER_FREE));
            assertThat(s.heap.stats()).isEqualTo(before);
        })).toList());
    }

    /**
     * The strategy's own prediction ({@link RefCounts#predictPrivatePages}, after {@link #beforeFork})
     * is this test's expectation for any subset of objects; the fork property below checks the
     * expectation against the kernel.
     */
    @Property(tries = 50)
    void theStrategysPredictionIsTheExpectationForAnySubset(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 1_000_000) Integer> picks) {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(64 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, 1, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            long[] touched = picks.stream().mapToLong(i -> all[i % all.length]).toArray();
            beforeFork(heap);
            RefCounts.PredictedPages p = heap.refCounts().predictPrivatePages(heap, touched);
            assertThat(p.heap()).as("heap pages").isEqualTo(expectedPrivateHeapPages(heap, touched));
            assertThat(p.table()).as("table pages").isEqualTo(expectedPrivateTablePages(heap, touched));
        }
    }

    // ------------------------------------------------------------------ the fork property

    /**
     * In a forked child, incref+decref of any chosen subset of objects makes private exactly
     * the pages the strategy predicts ({@link #expectedPrivateHeapPages},
     * {@link #expectedPrivateTablePages}), read from the kernel's page map, and no other page.
     */
    @Property(tries = 20)
    void aReadOnlyWorkloadInAForkedChildCopiesExactlyThePredictedPages(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 1_000_000) Integer> picks) {
        try (Heap heap = newHeap(DatasetBuilder.heapSizeFor(256 << 10))) {
            Dataset data = DatasetBuilder.build(heap, 256 << 10, 7, DatasetBuilder.Progress.none());
            long[] all = ObjectGraph.reachableFrom(heap, data.root());
            long[] touched = picks.stream().mapToLong(p -> all[p % all.length]).distinct().sorted().toArray();
            beforeFork(heap);
            SharingReport report = SharingExperiment.run(FORKER, heap, h -> Workloads.touch(h, touched), touched.length);
            assertThat(report.heapPrivatePageSet()).as("heap pages private in the child, touching %s", describe(heap, touched))
                    .isEqualTo(expectedPrivateHeapPages(heap, touched));
            assertThat(report.tablePrivatePageSet()).as("table pages private in the child")
                    .isEqualTo(expectedPrivateTablePages(heap, touched));
            assertThat(report.strategy()).isEqualTo(factory().name());
            heap.decref(data.root());
        }
    }

    private static String describe(Heap heap, long[] refs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < refs.length && i < 8; i++) {
            sb.append(i == 0 ? "" : ", ").append(heap.describe(refs[i]));
        }
        return sb.append(refs.length > 8 ? ", ... " + refs.length + " in all]" : "]").toString();
    }
}
