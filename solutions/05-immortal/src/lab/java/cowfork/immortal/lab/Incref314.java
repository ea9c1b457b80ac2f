// Lab 05's warm-up, reference answer: CPython 3.14's Py_INCREF, which stops at 3<<30 instead of storing.
package cowfork.immortal.lab;

/** Reference answer for lab 05's warm-up (graded by {@code Lab05WarmUpGrader}). */
public final class Incref314 {
    private Incref314() {}

    /** {@code _Py_IMMORTAL_INITIAL_REFCNT} in 3.14 on 64-bit: what immortalizing stores. */
    public static final long IMMORTAL_INITIAL = 3L << 30;

    /**
     * The count word after one {@code Py_INCREF} as CPython 3.14 does it (64-bit, default
     * build): nothing changes once the low 32 bits reach {@code 3<<30}; below that the low
     * half goes up by one; the high half never changes.
     */
    public static long incref(long countWord) {
        long low = countWord & 0xFFFF_FFFFL; // unsigned: 3.14 compares the 32-bit count as unsigned
        if (low >= IMMORTAL_INITIAL) {
            return countWord; // no store at all: the page stays shared
        }
        // low < 3<<30, so low + 1 cannot carry into the high half.
        return countWord + 1;
    }
}
