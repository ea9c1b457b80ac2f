// Immortal objects are never freed: what that costs when one becomes garbage, counted from the heap's own statistics.
package cowfork.immortal;

import cowfork.heap.Heap;
import cowfork.heap.HeapStats;
import cowfork.heap.ObjectGraph;
import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * What dropping references did to a heap: what the allocator freed (its statistics
 * before and after), and what is still allocated but reachable from no root (garbage).
 * Under inline counts, dropping the last reference to an object frees it and everything
 * only it held; under immortal counts nothing pre-fork is ever freed, so the same drop
 * frees nothing and leaves that garbage allocated for the life of the process.
 *
 * @param strategy           the heap's refcount strategy
 * @param objectsFreed       objects the allocator freed during the drop
 * @param bytesFreed         bytes it freed (objects and their blocks)
 * @param unreachableObjects live objects that no root reaches after the drop: the leak
 * @param unreachableBytes   their chunks' bytes (objects only: a leaked list's items block is not counted)
 * @param after              the heap's statistics after the drop (compare two strategies' live bytes after the same drop)
 */
public record LeakReport(String strategy, long objectsFreed, long bytesFreed, long unreachableObjects,
                         long unreachableBytes, HeapStats after) {

    /**
     * Runs {@code drop} on {@code heap} and measures it. {@code roots} are the references the
     * program still holds after the drop (the heap's singletons are added).
     *
     * @throws cowfork.heap.HeapException if a root is not a live object after the drop
     */
    public static LeakReport measure(Heap heap, Runnable drop, long... roots) {
        HeapStats before = heap.stats();
        drop.run();
        HeapStats after = heap.stats();
        long[] all = LongStream.concat(LongStream.of(roots), LongStream.of(heap.none(), heap.bool(false), heap.bool(true)))
                .toArray();
        long[] reachable = ObjectGraph.reachableFrom(heap, all); // sorted by address
        long[] unreachable = new long[2];
        heap.forEachLiveObject(ref -> {
            if (Arrays.binarySearch(reachable, ref) < 0) {
                unreachable[0]++;
                unreachable[1] += heap.chunkSize(ref);
            }
        });
        return new LeakReport(heap.refCounts().name(), before.liveObjects() - after.liveObjects(),
                before.liveBytes() - after.liveBytes(), unreachable[0], unreachable[1], after);
    }

    /** The grep-able line: {@code leak: strategy=NAME objects_freed=F bytes_freed=B objects_leaked=L bytes_leaked=M}. */
    public String line() {
        return "leak: strategy=" + strategy + " objects_freed=" + objectsFreed + " bytes_freed=" + bytesFreed
                + " objects_leaked=" + unreachableObjects + " bytes_leaked=" + unreachableBytes;
    }

    @Override
    public String toString() {
        return line();
    }
}
