// Lab 02, your file: read a process's page table from /proc/PID/pagemap and decode each entry.
package cowfork.cow.lab;

import cowfork.cow.PageState;

/**
 * YOUR PAGEMAP READER (lab 02; 02-cow-demo/LAB.md). Everything the course measures rests on
 * one file, {@code /proc/PID/pagemap}: one 64-bit entry per virtual page of the process,
 * saying whether the page is in memory and whether this process is its only user. Write the
 * reader and the decoder behind chapter 02's {@code PageMap} yourself (without it); the
 * grader forks a child that writes some pages and compares your answer with the kernel's, then
 * asks for pages the kernel does not have and for processes that are no longer there.
 */
public final class PagemapReader {
    private PagemapReader() {
    }

    /**
     * The state of one page from its 64-bit pagemap entry (which bit means what: the kernel's
     * Documentation/admin-guide/mm/pagemap.rst).
     */
    public static PageState decode(long entry) {
        throw new UnsupportedOperationException("lab 02: PagemapReader.decode is not written: entry 0x" + Long.toHexString(entry)
                + " is not decoded");
    }

    /**
     * The raw pagemap entries of {@code pages} pages starting at the page-aligned
     * {@code address} in process {@code pid}, in address order.
     *
     * @throws IllegalStateException naming the process, if it is gone (exited, reaped or not),
     *         the file cannot be read, or the range runs past the end of its address space
     */
    public static long[] read(int pid, long address, int pages) {
        throw new UnsupportedOperationException("lab 02: PagemapReader.read is not written: no entry of process " + pid
                + "'s page table is read");
    }
}
