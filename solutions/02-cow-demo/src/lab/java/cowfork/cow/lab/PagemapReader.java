// Lab 02, reference answer: read /proc/PID/pagemap with positioned reads and decode bits 63, 62 and 56.
package cowfork.cow.lab;

import cowfork.cow.PageState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reference answer for lab 02 (graded by {@code Lab02Grader}). */
public final class PagemapReader {
    private PagemapReader() {}

    /**
     * The state of one page from its 64-bit pagemap entry (Documentation/admin-guide/mm/pagemap.rst):
     * bit 63 present, bit 62 swapped, bit 56 exclusively mapped.
     */
    public static PageState decode(long entry) {
        if ((entry & 1L << 63) != 0) {
            // Present: private if this process is the only one mapping the physical page.
            return (entry & 1L << 56) != 0 ? PageState.PRIVATE : PageState.SHARED;
        }
        return (entry & 1L << 62) != 0 ? PageState.SWAPPED : PageState.NOT_PRESENT;
    }

    /**
     * The raw pagemap entries of {@code pages} pages starting at the page-aligned
     * {@code address} in process {@code pid}: 8 bytes per page, in the machine's byte
     * order, at file offset (address / 4096) * 8 of {@code /proc/PID/pagemap}.
     *
     * @throws IllegalStateException naming the process, if it is gone (exited, reaped or not),
     *         the file cannot be read, or the range runs past the end of its address space
     */
    public static long[] read(int pid, long address, int pages) {
        Path file = Path.of("/proc", String.valueOf(pid), "pagemap");
        ByteBuffer buf = ByteBuffer.allocate(pages * 8).order(ByteOrder.nativeOrder());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long offset = address / 4096 * 8;
            while (buf.hasRemaining()) {
                // pagemap is not a stream: each read is positioned, and may return fewer bytes.
                // Past the end of the address space it returns nothing (-1): stop, or loop forever.
                if (ch.read(buf, offset + buf.position()) <= 0) {
                    throw new IllegalStateException("process " + pid + " has no page at 0x"
                            + Long.toHexString(address + (long) buf.position() / 8 * 4096) + ": past the end of its address space, or it has none left (a zombie)");
                }
            }
        } catch (IOException e) {
            // Reaped: NoSuchFileException. A zombie still has /proc/PID, but no page table: "No such process".
            throw new IllegalStateException("cannot read the page table of process " + pid + " (" + file + "): " + e.getMessage(), e);
        }
        buf.flip();
        long[] entries = new long[pages];
        buf.asLongBuffer().get(entries);
        return entries;
    }
}
