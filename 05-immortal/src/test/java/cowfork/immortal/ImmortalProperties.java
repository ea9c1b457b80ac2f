// Properties of immortality: after immortalizeAll, no sequence of increfs and decrefs, in the parent or in a forked child, changes a byte or frees an object.
package cowfork.immortal;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Region;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.SharingExperiment;
import cowfork.experiment.SharingReport;
import cowfork.experiment.Workloads;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.Json;
import cowfork.heap.ObjectGraph;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ImmortalProperties {
    private static final Forker FORKER = Forker.safe();

    /** What a child (or the parent) does to pre-fork objects: reads, with any balance of increfs and decrefs. */
    enum Kind { INCREF, DECREF, TOUCH, LOOKUP, SUM_FIELD, JSON }

    /** One step: {@code kind} on the object (or item) picked by {@code pick}, {@code times} times. */
    record Op(Kind kind, int pick, int times) {
        @Override
        public String toString() {
            return kind + "(#" + pick + ")x" + times;
        }
    }

    @Provide
    Arbitrary<List<Op>> workloads() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 1_000_000),
                Arbitraries.integers().between(1, 5)).as(Op::new);
        return op.list().ofMaxSize(30);
    }

    /** Runs {@code ops}; allocation-free but for JSON's builder, which is reused. */
    private static void run(Heap heap, Dataset data, long[] objects, List<Op> ops, StringBuilder key, StringBuilder json) {
        for (Op op : ops) {
            long ref = objects[op.pick() % objects.length];
            for (int t = 0; t < op.times(); t++) {
                switch (op.kind()) {
                    case INCREF -> heap.incref(ref);
                    case DECREF -> heap.decref(ref); // unbalanced on purpose: would free a mortal object
                    case TOUCH -> Workloads.touch(heap, new long[] {ref});
                    case LOOKUP -> heap.decref(Workloads.lookup(heap, data.items(), Dataset.key(op.pick() % data.itemCount(), key)));
                    case SUM_FIELD -> Workloads.sumField(heap, data.items(), "price");
                    case JSON -> {
                        json.setLength(0);
                        Json.write(heap, ref, json);
                    }
                }
            }
        }
    }

    private static long[] snapshot(Region region, long bytes) {
        long[] words = new long[Math.toIntExact(bytes / 8)];
        for (int i = 0; i < words.length; i++) {
            words[i] = region.getLong(8L * i);
        }
        return words;
    }

    /** Throws, naming the first 8-byte word that differs from the snapshot. Allocates only to report. */
    private static void requireUnchanged(Heap heap, long[] snapshot) {
        Region region = heap.region();
        for (int i = 0; i < snapshot.length; i++) {
            long now = region.getLong(8L * i);
            if (now != snapshot[i]) {
                throw new IllegalStateException("heap word at offset " + 8L * i + " changed from 0x"
                        + Long.toHexString(snapshot[i]) + " to 0x" + Long.toHexString(now));
            }
        }
    }

    /**
     * For any workload a child runs after {@code immortalizeAll()}, no byte of the heap
     * (every pre-fork object, and the allocator's page) changes, checked word by word
     * against a snapshot taken before fork, in the child itself, and no heap page goes
     * private, read from the child's page map.
     */
    @Property(tries = 30)
    void afterImmortalizeAllAChildsWorkloadChangesNoByteAndCopiesNoPage(@ForAll("workloads") List<Op> ops,
                                                                         @ForAll @IntRange(min = 0, max = 500) int seed) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(128 << 10), ImmortalRefCounts.FACTORY)) {
            Dataset data = DatasetBuilder.build(heap, 128 << 10, seed, DatasetBuilder.Progress.none());
            long[] objects = ObjectGraph.reachableFrom(heap, data.root());
            ImmortalRefCounts.immortalizeAll(heap);
            long[] before = snapshot(heap.region(), heap.usedEnd());
            StringBuilder key = new StringBuilder(32);
            StringBuilder json = new StringBuilder(1 << 16);
            // SharingExperiment runs the workload in the parent first, then in the child: both are checked.
            SharingReport report = SharingExperiment.run(FORKER, heap, h -> {
                run(h, data, objects, ops, key, json);
                requireUnchanged(h, before);
            }, objects.length);
            assertThat(report.heapPagesPrivate()).as("heap pages private in the child after %s", ops)
                    .isLessThanOrEqualTo(SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES);
            assertThat(report.heapPages()).isPositive();
        }
    }

    /** Modern increfs and decrefs, any number, any order: an immortal count never moves, nothing is freed. */
    @Property(tries = 100)
    void immortalCountsNeverMoveAndImmortalObjectsAreNeverFreed(
            @ForAll @Size(max = 200) List<@IntRange(min = -3, max = 3) Integer> steps,
            @ForAll @IntRange(min = 0, max = 1_000_000) int pick) {
        try (Heap heap = Heap.create(DatasetBuilder.heapSizeFor(64 << 10), ImmortalRefCounts.FACTORY)) {
            Dataset data = DatasetBuilder.build(heap, 64 << 10, 1, DatasetBuilder.Progress.none());
            long[] objects = ObjectGraph.reachableFrom(heap, data.root());
            long ref = objects[pick % objects.length];
            ImmortalRefCounts.immortalizeAll(heap);
            HeapStats stats = heap.stats();
            for (int step : steps) {
                for (int i = 0; i < Math.abs(step); i++) {
                    if (step > 0) {
                        heap.incref(ref);
                    } else {
                        heap.decref(ref);
                    }
                }
                assertThat(heap.refCount(ref)).isEqualTo(ImmortalRefCounts.IMMORTAL_REFCNT);
            }
            heap.decref(data.root());
            assertThat(heap.isLive(ref)).isTrue();
            assertThat(heap.stats()).as("nothing freed, even after dropping the root").isEqualTo(stats);
        }
    }

    /**
     * Mixed with blind full-width increments and decrements (a 3.11 stable-ABI extension's
     * {@code ob_refcnt++} / {@code --ob_refcnt}), an immortalized count may lose its
     * immortality, as 3.12 documents, but it never reaches zero and the object is never freed.
     */
    @Property(tries = 100)
    void blindUpdatesFromOldCodeNeverBringAnImmortalCountToZero(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 3) Integer> steps) {
        try (Heap heap = Heap.create(1 << 16, ImmortalRefCounts.FACTORY)) {
            long s = heap.newStr("interned");
            ImmortalRefCounts.immortalizeAll(heap);
            HeapStats stats = heap.stats();
            for (int step : steps) {
                long word = heap.region().getLong(s + Heap.OB_REFCNT);
                switch (step) {
                    case 0 -> heap.incref(s);
                    case 1 -> heap.decref(s);
                    case 2 -> heap.region().putLong(s + Heap.OB_REFCNT, word + 1); // blind incref
                    default -> heap.region().putLong(s + Heap.OB_REFCNT, word - 1); // blind decref, no dealloc check
                }
                assertThat(heap.refCount(s)).as("far from zero").isGreaterThan(1L << 30);
                assertThat(heap.isLive(s)).isTrue();
            }
            assertThat(heap.stats()).isEqualTo(stats);
        }
    }
}
