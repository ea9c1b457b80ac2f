// Challenge 05, your file: CPython 3.14's Py_INCREF on a 64-bit count word.
package cowfork.immortal.challenges;

/** The code you write for {@link Incref314Challenge}. Its reference answer lives in src/solutions/java. */
final class Incref314 {
    private Incref314() {}

    /** {@code _Py_IMMORTAL_INITIAL_REFCNT} in 3.14 on 64-bit: what immortalizing stores. */
    static final long IMMORTAL_INITIAL = 3L << 30;

    /**
     * YOUR CODE HERE: the count word after one {@code Py_INCREF} as CPython 3.14 does it
     * (64-bit, default build): nothing changes once the low 32 bits reach {@code 3<<30};
     * below that the low half goes up by one; the high half never changes.
     */
    static long incref(long countWord) {
        throw new UnsupportedOperationException("challenge 05: add one to the low 32 bits unless they are at least 3<<30");
    }
}
