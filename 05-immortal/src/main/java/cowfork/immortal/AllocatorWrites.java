// Why immortality alone does not stop every copy: one allocation in a forked child writes the allocator's metadata page and the page of the chunk it takes.
package cowfork.immortal;

import cowfork.cow.PageMap;
import cowfork.cow.Region;
import cowfork.experiment.SharingExperiment;
import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import java.time.Duration;
import java.util.BitSet;

/**
 * The experiment behind the demo's {@code allocator:} line. Immortal counts stop the
 * writes that <em>reading</em> does; a worker also allocates (a request's temporary
 * objects), and the allocator keeps its bookkeeping in the heap (free-list heads and
 * statistics in page 0, the free-list link in each free chunk), like CPython's obmalloc
 * keeps pool headers in the pools. So one new object in the child copies at least two
 * pages: the metadata page, and the page of the chunk it got, with whatever immortal
 * objects share that page.
 *
 * <p>To make the reuse visible, the parent first allocates one int and frees it (an
 * object made after {@link ImmortalRefCounts#immortalizeAll} is mortal and is freed as in
 * chapter 03), so its chunk heads the free list and the child's {@code newInt} takes it,
 * last in, first out.
 */
public final class AllocatorWrites {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /**
     * What the child's one allocation copied, read from its page map.
     *
     * @param heapMap       the child's page map of the heap's used pages
     * @param freedInParent the chunk the parent freed just before the fork
     * @param newObject     the reference the child's {@code newInt} returned
     * @param neighbours    live objects the parent has on the new object's page (immortal, if the heap was immortalized)
     */
    public record Report(PageMap heapMap, long freedInParent, long newObject, int neighbours) {
        /** The heap pages that went private in the child. */
        public BitSet privatePages() {
            BitSet set = new BitSet();
            heapMap.privatePages().forEach(set::set);
            return set;
        }

        /** The page the new object landed on. */
        public int newObjectPage() {
            return Math.toIntExact(Region.pageOf(newObject));
        }

        /** What the allocator's design predicts: the metadata page and the reused chunk's page. */
        public BitSet predicted() {
            BitSet set = new BitSet();
            set.set(0);
            set.set(Math.toIntExact(Region.pageOf(freedInParent)));
            return set;
        }

        /** The grep-able line. */
        public String line(String strategy) {
            return "allocator: strategy=" + strategy + " new_objects=1 heap_pages_private=" + privatePages().cardinality()
                    + " private_pages=" + privatePages().stream().mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(","))
                    + " metadata_page=0 new_object_page=" + newObjectPage();
        }
    }

    private AllocatorWrites() {
    }

    /**
     * Frees one new int in the parent, forks, allocates one int in the child, and reads the
     * child's heap page map while it waits. Leaves the parent's heap as it found it but for
     * one more chunk on a free list.
     *
     * @throws cowfork.fork.ChildFailedException if the allocation threw in the child
     * @throws IllegalStateException if the child did not report within two minutes
     */
    public static Report run(Forker forker, Heap heap) {
        long spare = heap.newInt(0);
        heap.decref(spare); // mortal: freed at once, its chunk now heads the free list of its size class
        if (!heap.isFreed(spare)) {
            throw new IllegalStateException("an int made after immortalizeAll should be mortal and freed at zero: " + heap.describe(spare));
        }
        long heapBytes = (long) SharingExperiment.usedPages(heap) * Region.PAGE_SIZE;
        Long.toString(spare); // loads and warms what the child runs
        try (ChildHandle child = forker.start(c -> {
            long fresh = heap.newInt(42);
            c.send(Long.toString(fresh));
            c.receive();
            return new byte[0];
        })) {
            String message = child.receiveString(TIMEOUT);
            if (message == null) {
                throw new IllegalStateException("the allocating child did not report within " + TIMEOUT.toSeconds() + " s; it is " + child);
            }
            PageMap map = PageMap.of(child.pid(), heap.region().address(), heapBytes);
            child.send("done");
            child.await().orThrow();
            long fresh = Long.parseLong(message);
            int[] neighbours = new int[1];
            heap.forEachLiveObject(ref -> {
                if (Region.pageOf(ref) == Region.pageOf(fresh)) {
                    neighbours[0]++;
                }
            });
            return new Report(map, spare, fresh, neighbours[0]);
        }
    }
}
