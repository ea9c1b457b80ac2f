// The heap's bookkeeping in numbers: what is live, what is free for reuse, what was never used.
package cowfork.heap;

/**
 * A snapshot of a heap's allocator statistics.
 *
 * @param liveObjects objects allocated and not yet freed (blocks not counted)
 * @param liveBytes   bytes in chunks in use, objects and their blocks, headers included
 * @param freeBytes   bytes in freed chunks waiting on free lists for reuse
 * @param usedBytes   bytes ever handed out: live + free (the rest was never touched)
 * @param capacity    bytes available for chunks (the region less its metadata page)
 */
public record HeapStats(long liveObjects, long liveBytes, long freeBytes, long usedBytes, long capacity) {
    @Override
    public String toString() {
        return liveObjects + " live objects, " + liveBytes + " live bytes, " + freeBytes + " free bytes, "
                + (capacity - usedBytes) + " of " + capacity + " bytes never used";
    }
}
