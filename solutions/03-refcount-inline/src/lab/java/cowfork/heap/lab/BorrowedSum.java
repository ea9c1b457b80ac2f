// Lab 03's warm-up, reference answer: walk a dict with borrowed references only, so no count is written.
package cowfork.heap.lab;

import cowfork.heap.Heap;

/** Reference answer for lab 03's warm-up (graded by {@code Lab03WarmUpGrader}). */
public final class BorrowedSum {
    private BorrowedSum() {}

    /**
     * The sum of {@code item[field]} over every item in the dict {@code items}, without
     * changing any reference count. An item without the field adds 0.
     */
    public static long sumField(Heap heap, long items, String field) {
        // Borrowing is safe here because nothing runs that could drop the last owner of an
        // item while we hold it: the walk changes no dict and frees nothing.
        long sum = 0;
        for (int s = heap.dictNext(items, 0); s >= 0; s = heap.dictNext(items, s + 1)) {
            long item = heap.dictValueAt(items, s); // borrowed
            long value = heap.dictGet(item, field);  // borrowed
            if (value != Heap.NULL) {
                sum += heap.intValue(value);
            }
        }
        return sum;
    }
}
