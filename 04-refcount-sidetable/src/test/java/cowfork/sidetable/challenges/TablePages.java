// Challenge 04, your file: which side-table pages hold the counts of a set of objects.
package cowfork.sidetable.challenges;

import java.util.BitSet;

/** The code you write for {@link TablePagesChallenge}. Its reference answer lives in src/solutions/java. */
final class TablePages {
    private TablePages() {}

    /**
     * YOUR CODE HERE: the indices of the side-table pages holding the counts of {@code refs}
     * (offsets of objects in the heap), each page once. An empty array gives an empty set.
     */
    static BitSet of(long[] refs) {
        throw new UnsupportedOperationException("challenge 04: each count is 8 bytes at table offset ref / 16 * 8;"
                + " which 4096-byte page is that in?");
    }
}
