// The heap's object model and C-API reference rules, one behaviour per test, including every error it must catch.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.Region;
import cowfork.experiment.Workloads;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeapTest {
    private final Heap heap = Heap.create(1 << 20, InlineRefCounts.FACTORY);

    @AfterEach
    void close() {
        heap.close();
    }

    private static void assertKind(ThrowingCallable call, HeapException.Kind kind, String messagePart) {
        assertThatThrownBy(call).isInstanceOf(HeapException.class).hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(kind));
    }

    @Test
    void referencesAreAlignedOffsetsPastTheMetadataPage() {
        long a = heap.newInt(1);
        long b = heap.newStr("two");
        assertThat(a % Heap.ALIGNMENT).isZero();
        assertThat(b % Heap.ALIGNMENT).isZero();
        assertThat(a).isGreaterThanOrEqualTo(4096);
        assertThat(heap.type(a)).isEqualTo(ObjectType.INT);
        assertThat(heap.type(b)).isEqualTo(ObjectType.STR);
    }

    @Test
    void singletonsAreBorrowedAndTheHeapKeepsItsOwnReference() {
        assertThat(heap.type(heap.none())).isEqualTo(ObjectType.NONE);
        assertThat(heap.boolValue(heap.bool(true))).isTrue();
        assertThat(heap.boolValue(heap.bool(false))).isFalse();
        assertThat(heap.refCount(heap.none())).isEqualTo(1);
        assertKind(() -> heap.decref(heap.none()), HeapException.Kind.NEGATIVE_COUNT, "deallocating NoneType");
        assertThat(heap.refCount(heap.none())).as("restored").isEqualTo(1);
        assertThat(heap.isLive(heap.none())).isTrue();
    }

    @Test
    void strsRoundTripUnicodeAndCompareWithoutDecoding() {
        String text = "naïve 😀 \"quoted\" €";
        long s = heap.newStr(text);
        assertThat(heap.strValue(s)).isEqualTo(text);
        assertThat(heap.strByteLength(s)).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(heap.strEquals(s, new StringBuilder(text))).isTrue();
        assertThat(heap.strEquals(s, text + "x")).isFalse();
        assertThat(heap.strEquals(s, text.substring(0, 5))).isFalse();
    }

    @Property(tries = 100)
    void utf8HashOfACharSequenceEqualsTheHashOfItsBytes(@ForAll String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Utf8.hash(s)).isEqualTo(Utf8.hash(b, b.length));
    }

    @Test
    void listAppendIncrefsListSetStealsListDelDecrefs() {
        long list = heap.newList();
        long item = heap.newInt(5);
        heap.listAppend(list, item);
        assertThat(heap.refCount(item)).as("append increfs").isEqualTo(2);
        long replacement = heap.newInt(6);
        heap.listSet(list, 0, replacement); // steals replacement, decrefs item
        assertThat(heap.refCount(replacement)).as("set steals: still 1").isEqualTo(1);
        assertThat(heap.refCount(item)).isEqualTo(1);
        heap.listDel(list, 0);
        assertThat(heap.isFreed(replacement)).as("the list held the only reference").isTrue();
        assertThat(heap.listSize(list)).isZero();
        heap.decref(item);
        heap.decref(list);
    }

    @Test
    void listsGrowAndKeepOrder() {
        long list = heap.newList();
        for (int i = 0; i < 1000; i++) {
            long v = heap.newInt(i);
            heap.listAppend(list, v);
            heap.decref(v);
        }
        assertThat(heap.listSize(list)).isEqualTo(1000);
        assertThat(Workloads.sumInts(heap, list)).isEqualTo(999 * 1000 / 2);
        heap.listDel(list, 0);
        assertThat(heap.intValue(heap.listGet(list, 0))).isEqualTo(1);
    }

    @Test
    void dictsStoreGrowOverwriteAndDelete() {
        long dict = heap.newDict();
        for (int i = 0; i < 500; i++) {
            long v = heap.newInt(i);
            heap.dictSet(dict, "k" + i, v);
            heap.decref(v);
        }
        assertThat(heap.dictSize(dict)).isEqualTo(500);
        assertThat(heap.intValue(heap.dictGet(dict, "k123"))).isEqualTo(123);
        assertThat(heap.dictGet(dict, "absent")).isEqualTo(Heap.NULL);
        long key = heap.dictKeyAt(dict, heap.dictNext(dict, 0));
        long v = heap.newInt(-1);
        heap.dictSet(dict, heap.strValue(key), v);
        assertThat(heap.dictKeyAt(dict, heap.dictNext(dict, 0))).as("an overwrite keeps the old key object").isEqualTo(key);
        assertThat(heap.dictSize(dict)).isEqualTo(500);
        assertThat(heap.dictDel(dict, "k7")).isTrue();
        assertThat(heap.dictDel(dict, "k7")).isFalse();
        assertThat(heap.dictGet(dict, "k7")).isEqualTo(Heap.NULL);
        assertThat(heap.intValue(heap.dictGet(dict, "k8"))).as("probing continues past a deleted entry").isEqualTo(8);
        int entries = 0;
        for (int s = heap.dictNext(dict, 0); s >= 0; s = heap.dictNext(dict, s + 1)) {
            entries++;
        }
        assertThat(entries).isEqualTo(499);
        heap.decref(v);
        heap.decref(dict);
    }

    @Test
    void tuplesIncrefTheirItems() {
        long a = heap.newInt(1);
        long t = heap.newTuple(a, heap.none(), a);
        assertThat(heap.refCount(a)).isEqualTo(3);
        assertThat(heap.tupleSize(t)).isEqualTo(3);
        assertThat(heap.tupleGet(t, 1)).isEqualTo(heap.none());
        heap.decref(t);
        assertThat(heap.refCount(a)).isEqualTo(1);
        assertThat(heap.refCount(heap.none())).isEqualTo(1);
    }

    @Test
    void aLongChainIsDeallocatedWithoutRecursion() {
        try (Heap heap = Heap.create(4 << 20, InlineRefCounts.FACTORY)) {
            deallocateChain(heap);
        }
    }

    private static void deallocateChain(Heap heap) {
        HeapStats baseline = heap.stats();
        long head = heap.newList();
        long current = head;
        for (int i = 0; i < 20_000; i++) { // deep enough to overflow a recursive deallocator's stack
            long next = heap.newList();
            heap.listAppend(current, next);
            heap.decref(next);
            current = next;
        }
        heap.decref(head);
        assertThat(heap.stats().liveBytes()).isEqualTo(baseline.liveBytes());
    }

    @Test
    void freedChunksAreReusedLastInFirstOut() {
        long a = heap.newInt(1);
        long b = heap.newInt(2);
        long used = heap.stats().usedBytes();
        heap.decref(a);
        heap.decref(b);
        assertThat(heap.stats().freeBytes()).as("two 32-byte int chunks").isEqualTo(64);
        assertThat(heap.newInt(3)).isEqualTo(b);
        assertThat(heap.newInt(4)).isEqualTo(a);
        assertThat(heap.stats().usedBytes()).isEqualTo(used);
        assertThat(heap.stats().freeBytes()).isZero();
    }

    @Test
    void sizeClassesWasteAtMostAQuarter() {
        for (long bytes = 1; bytes < 1L << 30; bytes = bytes * 3 / 2 + 1) {
            long size = Allocator.classSize(Allocator.classOf(bytes));
            assertThat(size).isGreaterThanOrEqualTo(bytes);
            assertThat(size).isLessThanOrEqualTo(Math.max(16, bytes + bytes / 4 + 16));
        }
    }

    @Test
    void theHeapSaysWhenItIsExhaustedAndStaysUsable() {
        try (Heap small = Heap.create(8192, InlineRefCounts.FACTORY)) {
            List<Long> refs = new ArrayList<>();
            assertKind(() -> {
                while (true) {
                    refs.add(small.newInt(refs.size()));
                }
            }, HeapException.Kind.HEAP_EXHAUSTED, "heap exhausted");
            small.decref(refs.get(0));
            assertThat(small.isLive(small.newInt(99))).as("a freed chunk serves the next allocation").isTrue();
        }
    }

    @Test
    void badReferencesAreRefusedWithTheReason() {
        long s = heap.newStr("abc");
        assertKind(() -> heap.incref(0), HeapException.Kind.NULL_REFERENCE, "NULL");
        assertKind(() -> heap.incref(s + 4), HeapException.Kind.BAD_REFERENCE, "multiples of 16");
        assertKind(() -> heap.incref(-16), HeapException.Kind.BAD_REFERENCE, "not a reference");
        assertKind(() -> heap.incref(1L << 40), HeapException.Kind.BAD_REFERENCE, "not a reference");
        assertKind(() -> heap.incref(64), HeapException.Kind.BAD_REFERENCE, "not a reference");
        assertKind(() -> heap.incref(heap.usedEnd() + 4096), HeapException.Kind.BAD_REFERENCE, "nothing was ever allocated");
        long list = heap.newList(4);
        long items = heap.region().getLong(list + 16); // the list's item block, as the layout in Heap says
        assertKind(() -> heap.incref(items), HeapException.Kind.BAD_REFERENCE, "internal storage block");
    }

    @Test
    void wrongTypesAndIndicesAreRefused() {
        long s = heap.newStr("abc");
        long list = heap.newList();
        assertKind(() -> heap.listAppend(s, s), HeapException.Kind.WRONG_TYPE, "listAppend needs a list");
        assertKind(() -> heap.intValue(s), HeapException.Kind.WRONG_TYPE, "needs a int");
        assertKind(() -> heap.listGet(list, 0), HeapException.Kind.INDEX_OUT_OF_RANGE, "which has 0 items");
        assertKind(() -> heap.dictSet(heap.newDict(), list, s), HeapException.Kind.WRONG_TYPE, "needs a str");
    }

    @Test
    void forEachLiveObjectSeesExactlyTheLiveObjects() {
        long a = heap.newInt(1);
        long b = heap.newStr("b");
        long d = heap.newDict();
        heap.decref(b);
        List<Long> seen = new ArrayList<>();
        heap.forEachLiveObject(seen::add);
        assertThat(seen).contains(a, d, heap.none()).doesNotContain(b).hasSize((int) heap.stats().liveObjects());
    }

    @Property(tries = 50)
    void liveObjectCountMatchesAWalk(@ForAll @Size(max = 50) List<@IntRange(min = 0, max = 300) Integer> lengths) {
        try (Heap h = Heap.create(1 << 20, InlineRefCounts.FACTORY)) {
            List<Long> refs = new ArrayList<>();
            for (int len : lengths) {
                refs.add(h.newStr("x".repeat(len)));
            }
            for (int i = 0; i < refs.size(); i += 2) {
                h.decref(refs.get(i));
            }
            long[] n = {0};
            h.forEachLiveObject(r -> n[0]++);
            assertThat(n[0]).isEqualTo(h.stats().liveObjects());
            assertThat(h.stats().liveBytes() + h.stats().freeBytes()).isEqualTo(h.stats().usedBytes());
        }
    }

    @Test
    void describeNeverThrows() {
        long s = heap.newStr("a fairly long string that will be abbreviated");
        assertThat(heap.describe(s)).startsWith("str@" + s + "(rc=1 \"a fairly long").contains("...");
        heap.decref(s);
        assertThat(heap.describe(s)).contains("USE_AFTER_FREE");
        assertThat(heap.describe(0)).isEqualTo("NULL");
        assertThat(heap.describe(7)).contains("BAD_REFERENCE");
    }

    @Test
    void aHeapLargerThanTheAllocatorCanAddressIsRefusedNamingTheLimit() {
        // Free-list links are 32-bit numbers of 16-byte units: 64 GiB is the most they reach.
        assertThat(Heap.MAX_BYTES).isEqualTo(64L << 30);
        assertThatThrownBy(() -> Heap.create(Heap.MAX_BYTES + Region.PAGE_SIZE, InlineRefCounts.FACTORY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64.0 GiB")
                .hasMessageContaining("32-bit");
        assertThatThrownBy(() -> Heap.create(1L << 40, InlineRefCounts.FACTORY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got " + (1L << 40) + " bytes");
    }

    /** A strategy that keeps its counts in a Java map: it never touches the heap's memory. */
    private static final class MapRefCounts implements RefCounts {
        private final java.util.Map<Long, Long> counts = new java.util.HashMap<>();

        @Override
        public String name() {
            return "map";
        }

        @Override
        public void onAllocate(long ref) {
            counts.put(ref, 1L);
        }

        @Override
        public void incref(long ref) {
            counts.merge(ref, 1L, Long::sum);
        }

        @Override
        public boolean decref(long ref) {
            return counts.merge(ref, -1L, Long::sum) == 0;
        }

        @Override
        public long get(long ref) {
            return counts.get(ref);
        }

        @Override
        public void onFree(long ref) {
            counts.remove(ref);
        }

        @Override
        public java.util.Optional<Region> table() {
            return java.util.Optional.empty();
        }
    }

    @Test
    void onlyTheStrategyWritesTheCountWordNeitherTheHeapNorTheAllocator() {
        RefCounts.Factory factory = new RefCounts.Factory() {
            @Override
            public String name() {
                return "map";
            }

            @Override
            public RefCounts create(Region heapRegion) {
                return new MapRefCounts();
            }
        };
        try (Heap h = Heap.create(1 << 20, factory)) {
            long list = h.newList();
            long dict = h.newDict();
            for (int i = 0; i < 40; i++) { // grows (and frees) item blocks and dict tables
                long v = h.newInt(i);
                h.listAppend(list, v);
                h.dictSet(dict, "k" + i, v);
                h.decref(v);
            }
            h.decref(list);
            h.decref(dict);
            long reused = h.newStr("a chunk that was freed before"); // takes a freed chunk
            long block = h.newList(3); // a block in a freed chunk too
            int chunks = 0;
            for (long at = 4096; at < h.usedEnd(); at += Allocator.classSize(h.region().getInt(at + Heap.OB_TYPE) >>> 16)) {
                assertThat(h.region().getLong(at + Heap.OB_REFCNT)).as("count word of the chunk at %d (%s)", at,
                        h.describe(at)).isZero();
                chunks++;
            }
            assertThat(chunks).as("live, freed and reused chunks, blocks among them").isGreaterThan(10);
            assertThat(h.refCount(reused)).isEqualTo(1);
            h.decref(block);
        }
    }

    @Test
    void aCorruptCountDeepInADeallocationBreaksTheHeapLoudly() {
        long outer = heap.newList();
        long a = heap.newInt(1);
        long inner = heap.newList();
        long c = heap.newStr("c");
        heap.listAppend(outer, a);
        heap.listAppend(outer, inner);
        heap.listAppend(inner, c);
        heap.decref(a);
        heap.decref(inner);
        heap.region().putLong(c + Heap.OB_REFCNT, 0); // a stray write: c's count says nobody holds it
        long bystander = heap.newInt(42);
        // decref(outer) frees outer, then inner, then meets c's corrupt count half-way.
        assertThatThrownBy(() -> heap.decref(outer)).isInstanceOf(HeapException.class)
                .hasMessageContaining("failed after 1 objects were freed").hasMessageContaining("below zero")
                .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.HEAP_BROKEN))
                .satisfies(e -> assertThat(((HeapException) e.getCause()).kind()).isEqualTo(HeapException.Kind.NEGATIVE_COUNT));
        assertThat(heap.isBroken()).isTrue();
        // Every later operation refuses, naming the first failure, even on objects the failure never touched.
        assertKind(() -> heap.incref(bystander), HeapException.Kind.HEAP_BROKEN, "NEGATIVE_COUNT");
        assertKind(() -> heap.newInt(7), HeapException.Kind.HEAP_BROKEN, "below zero");
        assertKind(() -> heap.decref(bystander), HeapException.Kind.HEAP_BROKEN, "the heap is broken");
        assertKind(heap::verify, HeapException.Kind.HEAP_BROKEN, "the heap is broken");
        assertThat(heap.describe(bystander)).as("diagnostics still work").contains("int@" + bystander);
        assertThat(heap.toString()).contains("BROKEN");
    }

    @Test
    void aContainerHoldingAFreedReferenceBreaksTheHeapBeforeAnythingIsFreed() {
        long list = heap.newList();
        long item = heap.newInt(5);
        heap.listAppend(list, item);
        heap.decref(item); // the list holds the only reference now
        heap.decref(heap.listGet(list, 0)); // the bug: a borrowed reference decref'd; the item is freed under the list
        HeapStats before = heap.stats();
        assertThatThrownBy(() -> heap.decref(list)).isInstanceOf(HeapException.class)
                .hasMessageContaining("failed after 0 objects were freed").hasMessageContaining("double decref")
                .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.HEAP_BROKEN));
        assertThat(heap.stats()).as("every reference was checked before the first was released").isEqualTo(before);
        assertKind(() -> heap.newList(), HeapException.Kind.HEAP_BROKEN, "DOUBLE_DECREF");
    }

    @Test
    void aFailureBeforeAnyWriteLeavesTheHeapUsable() {
        long s = heap.newStr("s");
        heap.decref(s);
        assertKind(() -> heap.decref(s), HeapException.Kind.DOUBLE_DECREF, "double decref");
        assertKind(() -> heap.decref(heap.none()), HeapException.Kind.NEGATIVE_COUNT, "deallocating NoneType");
        assertThat(heap.isBroken()).as("refused before anything was written: nothing to distrust").isFalse();
        heap.verify();
        heap.decref(heap.newInt(1));
    }

    @Test
    void aContainerAlreadyChangedWhenReleasingItsItemFailsBreaksTheHeap() {
        long list = heap.newList();
        long dict = heap.newDict();
        long item = heap.newStr("item");
        heap.listAppend(list, item);
        heap.dictSet(dict, "k", item);
        heap.region().putLong(item + Heap.OB_REFCNT, 0); // a stray write: the count says nobody holds it
        // listDel has taken the item out of the list when its decref finds the corrupt count.
        assertThatThrownBy(() -> heap.listDel(list, 0)).isInstanceOf(HeapException.class)
                .hasMessageContaining("listDel had already taken " + item + " out of its container")
                .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.HEAP_BROKEN))
                .satisfies(e -> assertThat(((HeapException) e.getCause()).kind()).isEqualTo(HeapException.Kind.NEGATIVE_COUNT));
        assertKind(() -> heap.dictDel(dict, "k"), HeapException.Kind.HEAP_BROKEN, "NEGATIVE_COUNT");
    }
}
