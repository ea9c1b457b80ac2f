// Lab 03's warm-up, your file: sum a field over every item with borrowed references only.
package cowfork.heap.lab;

import cowfork.heap.Heap;

/**
 * YOUR BORROWED READ (lab 03's warm-up; 03-refcount-inline/LAB.md). CPython's
 * {@code PyDict_GetItem} returns a <em>borrowed</em> reference: no incref, no decref, so no
 * write. Sum a field over every item that way; the grader forks a child that runs your sum
 * under inline counts and asks the kernel how many heap pages it copied.
 */
public final class BorrowedSum {
    private BorrowedSum() {
    }

    /**
     * The sum of {@code item[field]} (an int) over every item in the dict {@code items},
     * without changing any reference count. An item without the field adds 0.
     */
    public static long sumField(Heap heap, long items, String field) {
        throw new UnsupportedOperationException("lab 03 warm-up: BorrowedSum.sumField is not written: no item's field is added up");
    }
}
