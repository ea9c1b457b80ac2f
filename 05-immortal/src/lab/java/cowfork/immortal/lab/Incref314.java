// Lab 05's warm-up, your file: CPython 3.14's Py_INCREF on a 64-bit count word.
package cowfork.immortal.lab;

/**
 * YOUR 3.14 INCREF (lab 05's warm-up; 05-immortal/LAB.md). CPython 3.14 kept 3.12's test for
 * immortality (bit 31 of the 32-bit count, so decref is unchanged) but moved the value
 * immortalizing stores into the middle of the immortal range, and its incref stops there.
 * The grader mixes real increfs and decrefs with a billion blind ones from old extension
 * code, and the count must never leave the immortal range.
 */
public final class Incref314 {
    private Incref314() {
    }

    /** {@code _Py_IMMORTAL_INITIAL_REFCNT} in 3.14 on 64-bit: what immortalizing stores. */
    public static final long IMMORTAL_INITIAL = 3L << 30;

    /**
     * The count word after one {@code Py_INCREF} as CPython 3.14 does it (64-bit, default
     * build): nothing changes once the low 32 bits reach {@link #IMMORTAL_INITIAL}; below that
     * the low half goes up by one; the high half never changes.
     */
    public static long incref(long countWord) {
        throw new UnsupportedOperationException("lab 05 warm-up: Incref314.incref is not written: the count word 0x"
                + Long.toHexString(countWord) + " is never incremented");
    }
}
