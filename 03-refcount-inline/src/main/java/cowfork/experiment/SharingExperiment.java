// The experiment of modules 03-05: fork a process holding a built heap, run a read-only workload in the child, and read which pages it copied.
package cowfork.experiment;

import cowfork.cow.PageMap;
import cowfork.cow.Region;
import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import java.time.Duration;

/**
 * Forks, runs a read-only {@link Workload} on the heap in the child, and, while the child
 * waits, reads its page maps of the heap and of the refcount table (if the strategy has
 * one). The parent touches neither region while the child is measured, so every private
 * page is one the child wrote.
 *
 * <p>Used by the demos of modules 03, 04 and 05 and by the refcount contract's fork
 * property, so all three strategies are measured the same way.
 */
public final class SharingExperiment {
    /** How long the child may take to run its workload before it is killed. */
    public static final Duration WORKLOAD_TIMEOUT = Duration.ofMinutes(10);

    /** What the child runs. It must follow the child's rules (see {@code cowfork.fork.ChildContext}): no output, little allocation. */
    @FunctionalInterface
    public interface Workload {
        void run(Heap heap);
    }

    private SharingExperiment() {
    }

    /**
     * Runs {@code workload} once in the parent (to load and compile its code, so the child
     * needs neither; it must leave every count as it found it), then forks, runs it in
     * the child, and measures.
     *
     * @param objectsTouched the number reported as objects_touched (the caller knows what its workload visits)
     * @throws cowfork.fork.ChildFailedException if the workload threw in the child (its stack trace is in the message)
     * @throws IllegalStateException if the child did not finish within {@link #WORKLOAD_TIMEOUT}
     */
    public static SharingReport run(Forker forker, Heap heap, Workload workload, long objectsTouched) {
        workload.run(heap);
        long heapBytes = (long) usedPages(heap) * Region.PAGE_SIZE;
        Region table = heap.refCounts().table().orElse(null);
        try (ChildHandle child = forker.start(c -> {
            workload.run(heap);
            c.send("ready");
            c.receive();
            return new byte[0];
        })) {
            String message = child.receiveString(WORKLOAD_TIMEOUT);
            if (!"ready".equals(message)) {
                throw new IllegalStateException("the child running the workload should have said \"ready\" but said "
                        + message + " (null: nothing within " + WORKLOAD_TIMEOUT.toMinutes() + " minutes); it is " + child);
            }
            PageMap heapMap = PageMap.of(child.pid(), heap.region().address(), heapBytes);
            PageMap tableMap = table == null ? null : PageMap.of(child.pid(), table);
            child.send("done");
            child.await().orThrow();
            return new SharingReport(heap.refCounts().name(), objectsTouched, heapMap, tableMap);
        }
    }

    /**
     * The pages of the heap's used part, from its start to {@link Heap#usedEnd()} rounded up
     * to a page: what a child's page map of the heap covers in these experiments.
     */
    public static int usedPages(Heap heap) {
        return Math.toIntExact((heap.usedEnd() + Region.PAGE_SIZE - 1) / Region.PAGE_SIZE);
    }
}
