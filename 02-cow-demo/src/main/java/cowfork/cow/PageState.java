// The state of one virtual page, as the kernel's page table says it is right now.
package cowfork.cow;

/**
 * What {@code /proc/PID/pagemap} says about one virtual page of a process.
 *
 * <p>"Shared" and "private" are about the physical page behind it: a page is
 * {@link #PRIVATE} when this process is the only one that maps it (pagemap bit 56,
 * "exclusively mapped"), and {@link #SHARED} when other processes map the same physical
 * page too, as a forked child and its parent do until one of them writes.
 */
public enum PageState {
    /** Never touched (or given back): no physical page behind it, it costs nothing. */
    NOT_PRESENT('.'),
    /** In memory and mapped by more than one process: after fork, the page nobody has written yet. */
    SHARED('-'),
    /** In memory and mapped by this process alone: the copy a write made, or a page nobody else maps. */
    PRIVATE('#'),
    /** Written out to swap: not in memory, not shared. */
    SWAPPED('S');

    private final char symbol;

    PageState(char symbol) {
        this.symbol = symbol;
    }

    /** The character {@link PageMapPicture} draws for a page in this state. */
    public char symbol() {
        return symbol;
    }
}
