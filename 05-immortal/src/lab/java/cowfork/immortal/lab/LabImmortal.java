// Lab 05, your file: counts in the header, as chapter 03's, except that objects made immortal before the fork are never written again.
package cowfork.immortal.lab;

import cowfork.cow.Region;
import cowfork.heap.HeaderRefCounts;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
import java.util.Locale;

/**
 * YOUR IMMORTAL OBJECTS (lab 05; the handout is 05-immortal/LAB.md, the grader
 * {@code ./cowfork lab 05}).
 *
 * <p>The count lives where chapter 03 keeps it, in the 8-byte word at offset
 * {@link Heap#OB_REFCNT} of the object's header ({@link HeaderRefCounts} gives you the word,
 * its allocation, its plain read and its checked decrement). Before the fork, the parent makes
 * every live object immortal; from then on, an incref or decref of an immortal object must not
 * store anything, so a child that reads the whole heap copies none of it. Objects allocated
 * after that are mortal: counted and freed as in chapter 03. Write CPython 3.14's scheme (64-bit,
 * default build), worked out from its {@code Include/refcount.h} and {@code Include/object.h}
 * (the handout says what to read); the chapter's 3.12 scheme does not pass. An object made
 * immortal must stay immortal when old extension code, built for 3.11 against the stable ABI,
 * increments or decrements its whole 64-bit count word without asking, and a child reading it
 * after such increments must copy nothing. Say in this comment why your scheme is safe, and
 * how far old code can move an immortal count before it is not.
 *
 * <p>Every method below that throws is yours to write. Keep the class's name, its
 * {@link #FACTORY} and what the methods promise; add fields and helpers as you need.
 */
public final class LabImmortal extends HeaderRefCounts {
    /** The strategy's name, as the grader registers it while it runs. */
    public static final String NAME = "lab05";

    /** Makes one strategy per heap; the grader creates every heap through it. */
    public static final class Factory implements RefCounts.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int chapter() {
            return 5;
        }

        @Override
        public RefCounts create(Region heapRegion) {
            return new LabImmortal(heapRegion);
        }
    }

    /** A ready factory. */
    public static final RefCounts.Factory FACTORY = new Factory();

    private LabImmortal(Region region) {
        super(region);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void incref(long ref) {
        throw new UnsupportedOperationException("lab 05: incref is not written: no count goes up, and nothing tells a mortal"
                + " count from an immortal one");
    }

    @Override
    public boolean decref(long ref) {
        throw new UnsupportedOperationException("lab 05: decref is not written: no count goes down, so no object is ever freed");
    }

    /**
     * Makes every live object of {@code heap} immortal, as Cinder's {@code immortalize_heap()}
     * does before fork. Called once, in the parent, just before the fork.
     *
     * @return how many objects were made immortal
     */
    public long immortalizeAll(Heap heap) {
        throw new UnsupportedOperationException("lab 05: immortalizeAll is not written: the heap is forked with every count"
                + " still mortal");
    }

    /** Before the fork: every live object becomes immortal. Written for you; {@link #immortalizeAll} is yours. */
    @Override
    public String prepareForFork(Heap heap) {
        RefCounts.requireUsedBy(heap, this);
        return String.format(Locale.ROOT, "immortalizeAll: %,d objects made immortal", immortalizeAll(heap));
    }

    @Override
    public PredictedPages predictPrivatePages(Heap heap, long[] touched) {
        throw new UnsupportedOperationException("lab 05: predictPrivatePages is not written: no prediction of the header"
                + " pages a reading child still copies");
    }

    @Override
    public String toString() {
        return "LabImmortal[count at header offset " + Heap.OB_REFCNT + "]";
    }
}
