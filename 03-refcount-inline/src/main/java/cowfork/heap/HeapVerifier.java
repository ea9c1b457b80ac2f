// DEBUG_STRESS_GC for a refcounted heap: walk every chunk, count the references really held, and check counts, containers and free lists against them.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One full check of a heap's bookkeeping, behind {@link Heap#verify()}. It reads
 * everything and writes nothing, and throws {@link HeapException.Kind#HEAP_CORRUPT} at the
 * first inconsistency, naming the offset and what was expected.
 *
 * <p>What it checks, in order:
 * <ol>
 *   <li><b>The chunks.</b> Walking from the first chunk to the bump pointer by chunk size
 *       meets only plausible headers (a known type, the check byte, a size class), and the
 *       live objects, live bytes and free bytes it counts equal the allocator's statistics.</li>
 *   <li><b>The free lists.</b> Every chunk on a list is a freed chunk met by the walk (so it
 *       overlaps no live object), of the list's size class, on one list only and once; every
 *       freed chunk is on a list; every freed payload still holds the 0xDD poison (a write
 *       through a dangling reference shows here).</li>
 *   <li><b>The containers.</b> Every reference a list, tuple or dict holds is a live object;
 *       a list's size fits its capacity and its items block; a dict's entries are str keys
 *       that a lookup finds where they are, and its size and fill agree with its table; every
 *       block belongs to exactly one container.</li>
 *   <li><b>The counts.</b> For every live object, the references held to it: by containers,
 *       by the heap itself (one to each singleton), and, when the caller declares them, by
 *       the caller's roots. With roots, each count must equal that number. Without, the
 *       verifier cannot know who outside the heap holds a reference, so it checks only that
 *       no count is below the references it can see (a count too low is a future use after
 *       free); a count too high (a leak) it cannot tell from an outside owner.</li>
 * </ol>
 * What it cannot check: a reference the caller holds but did not declare, a count stored
 * by a strategy in a way it does not report through {@link RefCounts#get} (an immortal count
 * is huge: use the roots-unknown check there), and a corrupt byte inside a str's text.
 */
final class HeapVerifier {
    private static final long POISON_WORD = 0x0101010101010101L * (Allocator.POISON & 0xFF);

    private final ObjectMemory heap;
    private final Region region;
    private final Allocator allocator;
    private final References refs;
    private final DictTable dicts;
    private String after = "verify";

    HeapVerifier(ObjectMemory heap, Region region, Allocator allocator, References refs, DictTable dicts) {
        this.heap = heap;
        this.region = region;
        this.allocator = allocator;
        this.refs = refs;
        this.dicts = dicts;
    }

    /**
     * Runs every check.
     *
     * @param roots      the caller's owned references (one entry per reference), or null if unknown
     * @param heapOwned  references the heap itself owns (its singletons)
     * @param after      the operation just done, for the message
     * @throws HeapException HEAP_CORRUPT at the first inconsistency found
     */
    void verify(long[] roots, long[] heapOwned, String after) {
        this.after = after;
        Map<Long, ObjectType> objects = new LinkedHashMap<>();
        Set<Long> blocks = new HashSet<>();
        Set<Long> freed = new HashSet<>();
        walkChunks(objects, blocks, freed);
        checkFreeLists(freed);
        Map<Long, Long> held = new HashMap<>();
        Map<Long, Long> blockOwner = new HashMap<>();
        for (Map.Entry<Long, ObjectType> e : objects.entrySet()) {
            if (e.getValue().isContainer()) {
                checkContainer(e.getKey(), e.getValue(), blocks, blockOwner, held);
            }
        }
        for (long block : blocks) {
            if (!blockOwner.containsKey(block)) {
                throw corrupt(block, "the block at offset " + block + " belongs to no list or dict: leaked storage");
            }
        }
        for (long r : heapOwned) {
            held.merge(r, 1L, Long::sum);
        }
        checkCounts(objects, held, roots);
    }

    private void walkChunks(Map<Long, ObjectType> objects, Set<Long> blocks, Set<Long> freed) {
        long end = allocator.bump();
        long liveObjects = 0;
        long liveBytes = 0;
        long freeBytes = 0;
        for (long at = Allocator.DATA_START; at < end; ) {
            int word = region.getInt(at + Heap.OB_TYPE);
            int sizeClass = (word >>> 16) & 0xFF; // the byte above holds the collector's flags
            ObjectType t = ObjectType.ofCode(word & 0xFF);
            if (sizeClass >= Allocator.CLASSES || at + Allocator.classSize(sizeClass) > end) {
                throw corrupt(at, "the chunk header at offset " + at + " has size class " + sizeClass
                        + ", which does not fit below the bump pointer " + end + ": a stray write over a header");
            }
            if (((word >>> 24) & ~HeaderMarks.FROZEN_BIT) != 0) { // outside a collection only "frozen" may be set
                throw corrupt(at, "the chunk header at offset " + at + " has gc flags " + (word >>> 24) + " beside its size class "
                        + sizeClass + ": a stray write over a header, or a mark left by a collection that did not finish");
            }
            long size = Allocator.classSize(sizeClass);
            if (t == ObjectType.FREED) {
                freed.add(at);
                freeBytes += size;
                checkPoisoned(at, size);
            } else if (t == null || ((word >>> 8) & 0xFF) != Heap.HEADER_CHECK) {
                throw corrupt(at, "the chunk at offset " + at + " has an implausible header (type byte " + (word & 0xFF)
                        + ", check byte " + ((word >>> 8) & 0xFF) + "): a stray write over a header");
            } else if (t == ObjectType.BLOCK) {
                blocks.add(at);
                liveBytes += size;
            } else {
                objects.put(at, t);
                liveObjects++;
                liveBytes += size;
            }
            at += size;
        }
        HeapStats s = allocator.stats();
        if (s.liveObjects() != liveObjects || s.liveBytes() != liveBytes || s.freeBytes() != freeBytes) {
            throw corrupt(0, "the allocator's statistics (" + s + ") disagree with a walk of the chunks ("
                    + liveObjects + " live objects, " + liveBytes + " live bytes, " + freeBytes + " free bytes)");
        }
    }

    private void checkPoisoned(long chunk, long size) {
        for (long at = chunk + Heap.HEADER_SIZE; at < chunk + size; at += 8) {
            if (region.getLong(at) != POISON_WORD) {
                throw corrupt(chunk, "the freed chunk at offset " + chunk + " was written at offset " + at
                        + " after it was freed (its 0xDD poison is gone): a write through a dangling reference");
            }
        }
    }

    private void checkFreeLists(Set<Long> freed) {
        Set<Long> listed = new HashSet<>();
        for (int c = 0; c < Allocator.CLASSES; c++) {
            for (long chunk = allocator.freeHead(c); chunk != 0; chunk = allocator.nextFree(chunk)) {
                if (!freed.contains(chunk)) {
                    throw corrupt(chunk, "the free list of " + Allocator.classSize(c) + "-byte chunks holds offset "
                            + chunk + ", which is not a freed chunk (" + heap.describe(chunk) + "): the next allocation"
                            + " of that size would overwrite it");
                }
                if (allocator.sizeClassAt(chunk) != c) {
                    throw corrupt(chunk, "the freed chunk at offset " + chunk + " is on the free list of "
                            + Allocator.classSize(c) + "-byte chunks but is " + allocator.chunkSize(chunk) + " bytes");
                }
                if (!listed.add(chunk)) {
                    throw corrupt(chunk, "the freed chunk at offset " + chunk + " is on a free list twice (a double"
                            + " free, or a cycle in the list): it would be handed out twice");
                }
            }
        }
        if (listed.size() != freed.size()) {
            Set<Long> lost = new HashSet<>(freed);
            lost.removeAll(listed);
            throw corrupt(lost.iterator().next(), lost.size() + " freed chunks are on no free list (e.g. offset "
                    + lost.iterator().next() + "): their memory is lost for reuse");
        }
    }

    private void checkContainer(long ref, ObjectType type, Set<Long> blocks, Map<Long, Long> blockOwner,
            Map<Long, Long> held) {
        int n = region.getInt(ref + Heap.OB_SIZE);
        switch (type) {
            case LIST -> {
                int capacity = region.getInt(ref + Heap.LIST_CAPACITY);
                long items = region.getLong(ref + Heap.LIST_ITEMS);
                if (n < 0 || n > capacity || (capacity == 0) != (items == Heap.NULL)) {
                    throw corrupt(ref, "the list at offset " + ref + " has " + n + " items, capacity " + capacity
                            + " and items block " + items + ", which do not fit together");
                }
                if (items != Heap.NULL) {
                    ownBlock(ref, items, Heap.BLOCK_DATA + 8L * capacity, blocks, blockOwner);
                }
            }
            case DICT -> {
                long table = dicts.table(ref);
                int slots = dicts.slots(ref);
                int fill = region.getInt(ref + DictTable.DICT_FILL);
                if (slots < DictTable.MIN_SLOTS || Integer.bitCount(slots) != 1 || fill < n || fill >= slots) {
                    throw corrupt(ref, "the dict at offset " + ref + " has " + n + " entries, fill " + fill + " and "
                            + slots + " slots, which do not fit together");
                }
                ownBlock(ref, table, Heap.BLOCK_DATA + DictTable.tableBytes(slots), blocks, blockOwner);
                int[] entries = {0};
                dicts.forEachReference(ref, new java.util.function.LongConsumer() {
                    private boolean key = true;

                    @Override
                    public void accept(long r) {
                        if (key) {
                            entries[0]++;
                            checkKey(ref, r);
                        }
                        key = !key;
                    }
                });
                if (entries[0] != n) {
                    throw corrupt(ref, "the dict at offset " + ref + " says it has " + n + " entries, its table holds "
                            + entries[0]);
                }
            }
            default -> {
                // a tuple's items are in its own chunk: nothing more to check than its references
            }
        }
        int[] index = {0};
        heap.children(ref, type, child -> {
            HeapException problem = refs.describeProblem(child, "verify");
            if (problem != null) {
                throw corrupt(child, "the " + type.pythonName() + " at offset " + ref + " holds, as reference #"
                        + index[0] + ", " + child + ", which is not a live object: " + problem.getMessage());
            }
            held.merge(child, 1L, Long::sum);
            index[0]++;
        });
    }

    private void checkKey(long dict, long key) {
        HeapException problem = refs.describeProblem(key, "verify");
        if (problem != null || refs.typeAt(key) != ObjectType.STR) {
            throw corrupt(key, "the dict at offset " + dict + " has a key " + key + " that is not a live str ("
                    + heap.describe(key) + ")");
        }
        long found = dicts.find(dict, region.getInt(key + Heap.STR_HASH), null, key);
        if (found < 0 || region.getLong(found) != key) {
            throw corrupt(dict, "the dict at offset " + dict + " holds the key " + heap.describe(key) + " where a"
                    + " lookup does not find it (or finds another entry first): its table is out of order");
        }
    }

    private void ownBlock(long owner, long block, long bytes, Set<Long> blocks, Map<Long, Long> blockOwner) {
        if (!blocks.contains(block) || allocator.chunkSize(block) < bytes) {
            throw corrupt(owner, "the container at offset " + owner + " points at " + block + " for its storage,"
                    + " which is not a live block of at least " + bytes + " bytes");
        }
        Long other = blockOwner.putIfAbsent(block, owner);
        if (other != null) {
            throw corrupt(owner, "the containers at offsets " + other + " and " + owner + " share the storage block "
                    + block + ": freeing one would free the other's items");
        }
    }

    private void checkCounts(Map<Long, ObjectType> objects, Map<Long, Long> held, long[] roots) {
        Map<Long, Long> rooted = new HashMap<>();
        if (roots != null) {
            for (long r : roots) {
                HeapException problem = refs.describeProblem(r, "verify");
                if (problem != null) {
                    throw corrupt(r, "a declared root, " + r + ", is not a live object: " + problem.getMessage());
                }
                rooted.merge(r, 1L, Long::sum);
            }
        }
        for (long ref : objects.keySet()) {
            long count = heap.refCounts.get(ref);
            long inHeap = held.getOrDefault(ref, 0L);
            long expected = inHeap + rooted.getOrDefault(ref, 0L);
            if (roots != null ? count != expected : count < Math.max(1, inHeap)) {
                throw corrupt(ref, "the count of " + heap.describe(ref) + " is " + count + ", but " + inHeap
                        + " references to it are held inside the heap" + (roots != null ? " and "
                        + rooted.getOrDefault(ref, 0L) + " by the declared roots: it must be " + expected
                        : ": it must be at least " + Math.max(1, inHeap))
                        + (count < expected ? " (too low: a decref too many, or an incref missing; the object will be"
                        + " freed while still referenced)" : " (too high: a leak, an incref too many)"));
            }
        }
    }

    private HeapException corrupt(long ref, String what) {
        return new HeapException(HeapException.Kind.HEAP_CORRUPT, ref, "heap verification failed after " + after + ": "
                + what + ".");
    }
}
