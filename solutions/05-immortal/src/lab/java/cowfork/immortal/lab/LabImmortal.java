// Lab 05, reference answer: the chapter's ImmortalRefCounts (CPython 3.12's scheme) is the answer; this file puts it under the lab's class name.
package cowfork.immortal.lab;

import cowfork.heap.RefCounts;
import cowfork.immortal.ImmortalRefCounts;

/**
 * Reference answer for lab 05 (graded by {@code Lab05Grader}): chapter 05's
 * {@link ImmortalRefCounts}, read it for the code. CPython 3.12's scheme on the 8-byte count
 * word: {@code immortalizeAll} stores 0xFFFFFFFF (the low half all ones); incref adds one to the
 * low half only and stores nothing when the sum wraps to 0; decref returns at once, storing
 * nothing, when bit 31 of the low half is set. The prediction leaves out the touched objects
 * whose low half is all ones.
 *
 * <p>3.14's scheme passes the same grader (immortalize to 3&lt;&lt;30; incref stores nothing
 * once the unsigned low half is at least that); solutions/labs/05.md shows it. The grader only
 * needs {@link #FACTORY}; a student's answer is a whole class, as the stub is.
 */
public final class LabImmortal {
    private LabImmortal() {
    }

    /** The chapter's strategy: the grader creates every heap through it. */
    public static final RefCounts.Factory FACTORY = ImmortalRefCounts.FACTORY;
}
