// Lab 04, reference answer: the chapter's dense side table is the answer; this file puts it under the lab's class name.
package cowfork.sidetable.lab;

import cowfork.heap.RefCounts;
import cowfork.sidetable.DenseSideTableRefCounts;

/**
 * Reference answer for lab 04 (graded by {@code Lab04Grader}): chapter 04's
 * {@link DenseSideTableRefCounts}, read it for the code. One 4-byte count per object in a
 * table of its own; the object's slot number, handed out in allocation order, sits in the
 * header word, which is written once at allocation and only read afterwards; freed slots go
 * on a free list kept in the table. Objects built together have neighbouring slots, so one
 * table page holds the counts of 1,024 objects that are mostly served together.
 *
 * <p>The grader only needs {@link #FACTORY}; a student's answer is a whole class, as the stub is.
 * solutions/labs/04.md lists the answers students give and what each check says about them.
 */
public final class LabSideTable {
    private LabSideTable() {
    }

    /** The dense table's factory: the grader creates every heap through it. */
    public static final RefCounts.Factory FACTORY = DenseSideTableRefCounts.FACTORY;
}
