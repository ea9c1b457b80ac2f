// Lab 05's warm-up, your file: CPython 3.14's Py_INCREF on a 64-bit count word.
package cowfork.immortal.lab;

/**
 * YOUR 3.14 INCREF (lab 05's warm-up; 05-immortal/LAB.md). Read {@code Py_INCREF} in
 * CPython 3.14's {@code Include/refcount.h} (the 64-bit branch of the default build, not the
 * free-threaded one, {@code Py_GIL_DISABLED}) and the comment on immortalization at the top of
 * that file, then write what it does to a count word in Java.
 */
public final class Incref314 {
    private Incref314() {
    }

    /**
     * The count word after one {@code Py_INCREF} as CPython 3.14 does it on 64-bit Linux.
     *
     * @param countWord an object's 8-byte {@code ob_refcnt}, as a {@code long}
     * @return the word as it is afterwards (the same word if {@code Py_INCREF} stores nothing)
     */
    public static long incref(long countWord) {
        throw new UnsupportedOperationException("lab 05 warm-up: Incref314.incref is not written: the count word 0x"
                + Long.toHexString(countWord) + " is never incremented");
    }
}
