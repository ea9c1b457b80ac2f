// A list's item array: a separate block of references that grows by doubling, like CPython's ob_item.
package cowfork.heap;

import cowfork.cow.Region;

/**
 * The storage of a list. A list object (see {@link Heap}) holds, after its header, the
 * offset of its items block (NULL while the capacity is 0) and the capacity; its
 * {@code ob_size} is the number of items. The block holds the items, 8-byte references,
 * in order.
 *
 * <p>This class moves references and keeps the array's shape; it never changes a count.
 * The {@link Heap} checks indices and references first, increfs what it stores and
 * decrefs what it removes. Not thread-safe (the heap is not).
 */
final class ListItems {
    private final Region region;
    private final ObjectMemory heap;

    ListItems(Region region, ObjectMemory heap) {
        this.region = region;
        this.heap = heap;
    }

    /** Where item {@code index} of {@code list} is stored. */
    long slot(long list, int index) {
        return region.getLong(list + Heap.LIST_ITEMS) + Heap.BLOCK_DATA + 8L * index;
    }

    /**
     * Appends {@code item} (a reference the caller has counted), growing the block when it is full.
     *
     * @throws HeapException HEAP_EXHAUSTED if growing needs a block there is no room for; the list is unchanged then
     */
    void append(long list, long item) {
        int n = region.getInt(list + Heap.OB_SIZE);
        int capacity = region.getInt(list + Heap.LIST_CAPACITY);
        if (n == capacity) {
            // Doubling, not CPython's 1/8 over-allocation: this allocator never merges
            // chunks, so fewer, larger abandoned blocks waste less.
            int newCapacity = capacity < 4 ? 4 : Math.multiplyExact(capacity, 2);
            long newItems = heap.allocBlock(8L * newCapacity); // first: if it throws, the list is untouched
            long oldItems = region.getLong(list + Heap.LIST_ITEMS);
            for (int i = 0; i < n; i++) {
                region.putLong(newItems + Heap.BLOCK_DATA + 8L * i, region.getLong(oldItems + Heap.BLOCK_DATA + 8L * i));
            }
            heap.freeBlock(oldItems);
            region.putLong(list + Heap.LIST_ITEMS, newItems);
            region.putInt(list + Heap.LIST_CAPACITY, newCapacity);
        }
        region.putLong(slot(list, n), item);
        region.putInt(list + Heap.OB_SIZE, n + 1);
    }

    /** Removes item {@code index} (a valid index), shifting the rest down; returns it, for the caller to decref. */
    long remove(long list, int index) {
        long items = slot(list, 0);
        int n = region.getInt(list + Heap.OB_SIZE);
        long old = region.getLong(items + 8L * index);
        for (int i = index; i < n - 1; i++) {
            region.putLong(items + 8L * i, region.getLong(items + 8L * (i + 1)));
        }
        region.putInt(list + Heap.OB_SIZE, n - 1);
        return old;
    }
}
