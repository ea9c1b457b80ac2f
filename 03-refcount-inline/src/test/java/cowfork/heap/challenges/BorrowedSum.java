// Challenge 03, your file: sum a field over every item with borrowed references only.
package cowfork.heap.challenges;

import cowfork.heap.Heap;

/** The code you write for {@link BorrowedReadChallenge}. Its reference answer lives in src/solutions/java. */
final class BorrowedSum {
    private BorrowedSum() {}

    /**
     * YOUR CODE HERE: the sum of {@code item[field]} (an int) over every item in the dict
     * {@code items}, without changing any reference count. An item without the field adds 0.
     */
    static long sumField(Heap heap, long items, String field) {
        throw new UnsupportedOperationException("challenge 03: walk the dict's slots with borrowed references");
    }
}
