// The test's own idea of what a heap should hold: which objects exist, who references them, and so what every count must be.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A real {@link Heap} together with a model of it, for stateful tests. The model knows
 * the test's roots (owned references; a ref listed twice is owned twice) and the
 * contents of every container (which references each list and tuple holds, in order;
 * key text to key and value references for each dict), independently of the heap. From
 * that it derives what the heap must show: the same contents; every live object's count
 * is the number of references to it from roots and from other live objects; and an
 * object is freed exactly when it becomes unreachable. The model refuses to create cycles
 * (this heap, like CPython without its gc module, never frees them), so "unreachable" and
 * "count zero" coincide. The heap runs with {@link Heap#verifyEachOperation} on, and
 * {@link Heap#verify(long...)} with the model's roots is one of the invariants.
 */
final class HeapModel implements AutoCloseable {
    enum Kind { INT, STR, LIST, TUPLE, DICT }

    final Heap heap;
    final long baselineLiveBytes;
    final long baselineLiveObjects;
    final List<Long> roots = new ArrayList<>();
    final Map<Long, Kind> kinds = new HashMap<>();
    final Map<Long, Long> chunkSizes = new HashMap<>();
    final Map<Long, List<Long>> lists = new HashMap<>();
    /** Tuple items; None (the heap's singleton, not a model object) may be among them. */
    final Map<Long, List<Long>> tuples = new HashMap<>();
    /** key text -> {key str ref, value ref}, per dict. */
    final Map<Long, LinkedHashMap<String, long[]>> dicts = new HashMap<>();
    /** Offsets of objects the model freed, with their chunk sizes (for the reuse check). */
    final Map<Long, Long> freed = new HashMap<>();

    HeapModel(RefCounts.Factory factory) {
        heap = Heap.create(1 << 20, factory);
        heap.verifyEachOperation(true); // DEBUG_STRESS_GC: a bug is caught by the operation that makes it
        baselineLiveBytes = heap.stats().liveBytes();
        baselineLiveObjects = heap.stats().liveObjects();
    }

    // ------------------------------------------------------------- actions (heap and model together)

    /** Runs {@code allocation} (a heap constructor) and records the new object as a root. */
    long newObject(Kind kind, LongSupplier allocation) {
        Map<Long, Set<Long>> freeBySize = freedStillFree();
        long usedBefore = heap.stats().usedBytes();
        long ref = allocation.getAsLong();
        kinds.put(ref, kind);
        long size = heap.chunkSize(ref);
        chunkSizes.put(ref, size);
        freed.remove(ref);
        if (kind == Kind.LIST) {
            lists.put(ref, new ArrayList<>());
        } else if (kind == Kind.DICT) {
            dicts.put(ref, new LinkedHashMap<>());
        }
        roots.add(ref);
        if ((kind == Kind.INT || kind == Kind.STR) && !freeBySize.getOrDefault(size, Set.of()).isEmpty()) {
            // Freed memory is reused: a one-chunk object takes a free chunk of its size
            // class when there is one, instead of never-used space.
            assertThat(heap.stats().usedBytes()).as("a freed %d-byte chunk was free, yet %s came from never-used space",
                    size, heap.describe(ref)).isEqualTo(usedBefore);
        }
        return ref;
    }

    /** {@code newTuple(items)} (it increfs each item); the new tuple becomes a root. */
    long newTuple(long... items) {
        long ref = newObject(Kind.TUPLE, () -> heap.newTuple(items));
        List<Long> held = new ArrayList<>();
        for (long item : items) {
            held.add(item);
        }
        tuples.put(ref, held);
        return ref;
    }

    /** {@code listSet}: <b>steals</b> the root at {@code rootIndex} into the list, and drops the item it replaces. */
    void listSetStealing(long list, int index, int rootIndex) {
        long item = roots.remove(rootIndex);
        heap.listSet(list, index, item);
        lists.get(list).set(index, item);
        collect();
    }

    void incref(int rootIndex) {
        long ref = roots.get(rootIndex);
        heap.incref(ref);
        roots.add(ref);
    }

    void decref(int rootIndex) {
        long ref = roots.remove(rootIndex);
        heap.decref(ref);
        collect();
    }

    void append(long list, long item) {
        heap.listAppend(list, item);
        lists.get(list).add(item);
    }

    void dictSet(long dict, String key, long value) {
        heap.dictSet(dict, key, value);
        long[] entry = dicts.get(dict).get(key);
        if (entry != null) {
            entry[1] = value; // the dict keeps its old key object
        } else {
            dicts.get(dict).put(key, new long[] {heap.dictKeyAt(dict, slotOf(dict, key)), value});
        }
        collect();
    }

    void listDel(long list, int index) {
        heap.listDel(list, index);
        lists.get(list).remove(index);
        collect();
    }

    void dictDel(long dict, String key) {
        boolean removed = heap.dictDel(dict, key);
        assertThat(removed).as("dictDel of present key %s", key).isTrue();
        dicts.get(dict).remove(key);
        collect();
    }

    void dropAll() {
        while (!roots.isEmpty()) {
            heap.decref(roots.remove(roots.size() - 1));
        }
        collect();
    }

    private int slotOf(long dict, String key) {
        for (int s = heap.dictNext(dict, 0); s >= 0; s = heap.dictNext(dict, s + 1)) {
            if (heap.strEquals(heap.dictKeyAt(dict, s), key)) {
                return s;
            }
        }
        throw new AssertionError("key " + key + " not in " + heap.describe(dict));
    }

    // ------------------------------------------------------------- the model's reasoning

    /** Objects reachable from {@code from} (itself included), following the model's containers. */
    Set<Long> reach(long from) {
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> todo = new ArrayDeque<>();
        todo.push(from);
        while (!todo.isEmpty()) {
            long r = todo.pop();
            if (seen.add(r)) {
                children(r).forEach(todo::push);
            }
        }
        return seen;
    }

    /** Whether storing {@code item} into {@code container} would close a cycle. */
    boolean wouldCycle(long container, long item) {
        return reach(item).contains(container);
    }

    private List<Long> children(long ref) {
        List<Long> out = new ArrayList<>();
        if (lists.containsKey(ref)) {
            out.addAll(lists.get(ref));
        }
        if (tuples.containsKey(ref)) {
            tuples.get(ref).stream().filter(kinds::containsKey).forEach(out::add); // None is the heap's, not modelled
        }
        if (dicts.containsKey(ref)) {
            for (long[] e : dicts.get(ref).values()) {
                out.add(e[0]);
                out.add(e[1]);
            }
        }
        return out;
    }

    /** Forgets every object no root reaches (dict keys the test never held become known here too). */
    private void collect() {
        Set<Long> live = new HashSet<>();
        for (long r : roots) {
            live.addAll(reach(r));
        }
        for (long[] entries : allKeys()) {
            kinds.putIfAbsent(entries[0], Kind.STR);
            chunkSizes.computeIfAbsent(entries[0], k -> heap.isLive(k) ? heap.chunkSize(k) : 0L);
            freed.remove(entries[0]);
        }
        for (Long ref : new ArrayList<>(kinds.keySet())) {
            if (!live.contains(ref)) {
                kinds.remove(ref);
                lists.remove(ref);
                tuples.remove(ref);
                dicts.remove(ref);
                freed.put(ref, chunkSizes.remove(ref));
            }
        }
    }

    private List<long[]> allKeys() {
        List<long[]> keys = new ArrayList<>();
        dicts.values().forEach(d -> keys.addAll(d.values()));
        return keys;
    }

    /** Freed offsets whose chunk is still on a free list, by chunk size. */
    private Map<Long, Set<Long>> freedStillFree() {
        Map<Long, Set<Long>> bySize = new HashMap<>();
        freed.forEach((ref, size) -> {
            if (heap.isFreed(ref)) {
                bySize.computeIfAbsent(size, s -> new HashSet<>()).add(ref);
            }
        });
        return bySize;
    }

    /** Freed offsets whose chunk has not been reused. */
    List<Long> stillFreed() {
        return freed.keySet().stream().filter(heap::isFreed).sorted().toList();
    }

    long expectedCount(long ref) {
        long n = roots.stream().filter(r -> r == ref).count();
        for (long r : kinds.keySet()) {
            n += children(r).stream().filter(c -> c == ref).count();
        }
        return n;
    }

    // ------------------------------------------------------------- what must hold after every action

    void checkInvariants() {
        HeapStats stats = heap.stats();
        assertThat(stats.liveObjects()).as("live objects: the model's %d plus None, True, False", kinds.size())
                .isEqualTo(kinds.size() + baselineLiveObjects);
        for (Map.Entry<Long, Kind> e : kinds.entrySet()) {
            long ref = e.getKey();
            assertThat(heap.isLive(ref)).as("%d is reachable, so it must be live", ref).isTrue();
            assertThat(heap.type(ref).name()).as("type of %s", heap.describe(ref)).isEqualTo(e.getValue().name());
            assertThat(heap.refCount(ref)).as("count of %s = references from roots and objects", heap.describe(ref))
                    .isEqualTo(expectedCount(ref));
        }
        lists.forEach((ref, items) -> assertThat(heapItems(ref, heap.listSize(ref), heap::listGet))
                .as("items of %s", heap.describe(ref)).isEqualTo(items));
        tuples.forEach((ref, items) -> assertThat(heapItems(ref, heap.tupleSize(ref), heap::tupleGet))
                .as("items of %s", heap.describe(ref)).isEqualTo(items));
        dicts.forEach((ref, entries) -> assertThat(heapEntries(ref)).as("entries of %s", heap.describe(ref))
                .isEqualTo(modelEntries(entries)));
        for (long ref : freed.keySet()) {
            assertThat(heap.isLive(ref)).as("%d was freed when it became unreachable, and not reused as an object", ref)
                    .isFalse();
        }
        heap.verify(roots.stream().mapToLong(Long::longValue).toArray()); // counts exact, free lists, containers
        for (long ref : freed.keySet()) {
            assertThat(kinds).as("a freed offset is reused only as a new object").doesNotContainKey(ref);
        }
        assertThat(stats.liveBytes() + stats.freeBytes()).as("every used byte is live or free").isEqualTo(stats.usedBytes());
        if (roots.isEmpty()) {
            assertThat(stats.liveBytes()).as("with no roots left, live bytes are back to the baseline")
                    .isEqualTo(baselineLiveBytes);
        }
    }

    private interface Getter {
        long get(long container, int index);
    }

    private static List<Long> heapItems(long container, int size, Getter get) {
        List<Long> items = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            items.add(get.get(container, i));
        }
        return items;
    }

    /** key text -> "keyRef->valueRef", as the heap's dict holds them. */
    private Map<String, String> heapEntries(long dict) {
        Map<String, String> out = new HashMap<>();
        for (int s = heap.dictNext(dict, 0); s >= 0; s = heap.dictNext(dict, s + 1)) {
            long k = heap.dictKeyAt(dict, s);
            out.put(heap.strValue(k), k + "->" + heap.dictValueAt(dict, s));
        }
        return out;
    }

    private static Map<String, String> modelEntries(Map<String, long[]> entries) {
        Map<String, String> out = new HashMap<>();
        entries.forEach((text, kv) -> out.put(text, kv[0] + "->" + kv[1]));
        return out;
    }

    @Override
    public void close() {
        heap.close();
    }

    @Override
    public String toString() {
        return "HeapModel[" + roots.size() + " roots, " + kinds.size() + " objects, " + heap.stats() + "]";
    }
}
