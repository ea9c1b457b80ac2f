// The collector's experiment of modules 03-05: fork a process holding a built heap, run one full collection in the child, and read which pages it copied.
package cowfork.experiment;

import cowfork.cow.PageMap;
import cowfork.cow.Region;
import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.heap.Collector;
import cowfork.heap.Heap;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Forks, runs {@link Collector#collect} once in the child (as a long-lived worker
 * eventually does), and, while the child waits, reads its page maps of the heap and of the
 * placement's side region (and of the count table, if the strategy has one). The parent
 * touches none of them while the child is measured.
 *
 * <p>The child allocates little on the Java heap (see {@code cowfork.fork.ChildContext}): the
 * collector's mark stack is a mapped region, and the result is two numbers. Before the
 * fork the parent runs a collection on a small scratch heap with the same placement, so
 * the child loads no class.
 */
public final class GcExperiment {
    /** How long the child may take to collect before it is killed. */
    public static final Duration COLLECTION_TIMEOUT = Duration.ofMinutes(5);

    private GcExperiment() {
    }

    /**
     * Collects once in a forked child of this process and measures what that copied.
     *
     * @param collector a collector of the heap, after its placement's {@code prepareForFork}
     * @param roots     the roots the child collects from
     * @throws cowfork.fork.ChildFailedException if the collection threw in the child
     * @throws IllegalStateException if the child did not finish within {@link #COLLECTION_TIMEOUT}
     */
    public static GcReport run(Forker forker, Collector collector, long... roots) {
        warmUp(collector);
        Heap heap = collector.heap();
        long heapBytes = (long) SharingExperiment.usedPages(heap) * Region.PAGE_SIZE;
        Region side = collector.marks().side().orElse(null);
        Region table = heap.refCounts().table().orElse(null);
        try (ChildHandle child = forker.start(c -> {
            Collector.Result r = collector.collect(roots);
            c.send(r.live() + " " + r.freed());
            c.receive();
            return new byte[0];
        })) {
            byte[] message = child.receive(COLLECTION_TIMEOUT);
            if (message == null) {
                throw new IllegalStateException("the child collecting should have reported within "
                        + COLLECTION_TIMEOUT.toMinutes() + " minutes; it is " + child);
            }
            PageMap heapMap = PageMap.of(child.pid(), heap.region().address(), heapBytes);
            PageMap sideMap = side == null ? null : PageMap.of(child.pid(), side);
            PageMap tableMap = table == null ? null : PageMap.of(child.pid(), table);
            child.send("done");
            child.await().orThrow();
            String[] counts = new String(message, StandardCharsets.UTF_8).split(" ");
            Collector.Result result = new Collector.Result(Long.parseLong(counts[0]), Long.parseLong(counts[1]));
            return new GcReport(collector.marks().name(), result, heapMap, sideMap, tableMap);
        }
    }

    /** One collection of a scratch heap with the same placement and strategy: loads every class a collection needs. */
    private static void warmUp(Collector collector) {
        RefCounts.Factory counts = RefCountStrategies.byName(collector.heap().refCounts().name());
        try (Heap scratch = Heap.create(64 << 10, counts); Collector c = new Collector(scratch, collector.placement())) {
            long keep = scratch.newDict();
            long cycle = scratch.newList();
            scratch.listAppend(cycle, cycle);
            scratch.dictSet(keep, "k", scratch.newInt(1));
            scratch.decref(cycle);
            c.collect(keep);
            scratch.decref(keep);
        }
    }
}
