// The object heap's page states in one process, read from /proc/PID/pagemap into arrays made once: the dashboard's strip, without garbage.
package cowfork.server.stats;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.fork.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What {@link PageMap#of} reads, one {@link PageState#symbol()} per page of a range, with
 * {@code pread(2)} into a buffer made once and symbols written into a strip made once: the
 * master reads this for every process once per round of /dashboard/data, and garbage in the
 * master is a copied page (see {@link SmapsSums}).
 *
 * <p>Not thread-safe; one instance per reader.
 */
public final class PageStrip {
    private static final int CHUNK_PAGES = 8192;
    private static final byte[] SYMBOLS = new byte[PageState.values().length];

    static {
        for (PageState s : PageState.values()) {
            SYMBOLS[s.ordinal()] = (byte) s.symbol();
        }
    }

    private final long firstPage;
    private final byte[] strip;
    private final int[] counts = new int[PageState.values().length];
    private final ByteBuffer entries = ByteBuffer.allocate(CHUNK_PAGES * 8).order(ByteOrder.nativeOrder());
    private final ProcPath path = new ProcPath("pagemap");

    /** A strip of {@code range}'s pages (page-aligned, as a Region is). */
    public PageStrip(AddressRange range) {
        this.firstPage = range.start() >>> 12;
        this.strip = new byte[(int) ((range.end() - range.start() + 4095) >>> 12)];
    }

    /**
     * Reads process {@code pid}'s page states into {@link #symbols()}. Returns false if the
     * process is gone or its page map cannot be read (the dashboard then says "no data").
     */
    public boolean read(int pid) {
        java.util.Arrays.fill(counts, 0);
        int fd = path.open(pid);
        if (fd < 0) {
            return false;
        }
        try {
            int done = 0;
            while (done < strip.length) {
                int pages = Math.min(CHUNK_PAGES, strip.length - done);
                entries.clear().limit(pages * 8);
                while (entries.hasRemaining()) {
                    long n = Syscalls.posix().pread(fd, entries, (long) entries.remaining(),
                            (firstPage + done) * 8 + entries.position());
                    if (n < 0 && Syscalls.posixErrno() == Syscalls.EINTR) {
                        continue;
                    }
                    if (n <= 0) {
                        return false; // gone (ESRCH), or a range beyond what it maps
                    }
                    entries.position(entries.position() + (int) n);
                }
                for (int i = 0; i < pages; i++) {
                    PageState s = PageMap.stateOf(entries.getLong(8 * i));
                    strip[done + i] = SYMBOLS[s.ordinal()];
                    counts[s.ordinal()]++;
                }
                done += pages;
            }
            return true;
        } finally {
            Syscalls.posix().close(fd);
        }
    }

    /** One symbol per page, in address order, as the last {@link #read} found them. */
    public byte[] symbols() {
        return strip;
    }

    /** Pages in {@code state} at the last {@link #read}. */
    public int count(PageState state) {
        return counts[state.ordinal()];
    }
}
