// Challenge 02, your file: read a process's page table from /proc/PID/pagemap and decode each entry.
package cowfork.cow.challenges;

import cowfork.cow.PageState;

/** The code you write for {@link PagemapReaderChallenge}. Its reference answer lives in src/solutions/java. */
final class PagemapReader {
    private PagemapReader() {}

    /**
     * The state of one page from its 64-bit pagemap entry (Documentation/admin-guide/mm/pagemap.rst):
     * bit 63 present, bit 62 swapped, bit 56 exclusively mapped.
     */
    static PageState decode(long entry) {
        throw new UnsupportedOperationException("challenge 02: test bits 63, 62 and 56 of 0x" + Long.toHexString(entry));
    }

    /**
     * The raw pagemap entries of {@code pages} pages starting at the page-aligned
     * {@code address} in process {@code pid}: 8 bytes per page, in the machine's byte
     * order, at file offset (address / 4096) * 8 of {@code /proc/PID/pagemap}.
     *
     * @throws IllegalStateException if the process is gone or the file cannot be read
     */
    static long[] read(int pid, long address, int pages) {
        throw new UnsupportedOperationException("challenge 02: open /proc/" + pid + "/pagemap and read " + pages
                + " entries from offset " + address / 4096 * 8);
    }
}
