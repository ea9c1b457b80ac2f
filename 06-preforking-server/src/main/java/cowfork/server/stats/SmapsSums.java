// One process's /proc/PID/smaps summed by class of memory, read with read(2) into a buffer made once: measuring that makes no garbage.
package cowfork.server.stats;

import cowfork.cow.Smaps;
import cowfork.fork.Syscalls;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sums {@link MemoryReport#of} makes, for the six fields the reports show, without
 * the objects: the file is read with {@code read(2)} into one array and scanned in place,
 * and the sums go into a table of longs. The master measures every process of the server
 * once per round of /dashboard/data; every page of its Java heap it writes after a fork is a
 * page copied, in it or in its workers, so this reading makes no garbage.
 *
 * <pre>
 *   7f3c2a000000-7f3c2c000000 rw-p 00000000 00:00 0      a mapping: its start address picks the class
 *   Rss:                2048 kB                           a field: added to that class's sum and the total
 *   ...
 * </pre>
 *
 * Not thread-safe; one instance per reader.
 */
public final class SmapsSums implements MemoryJson.ByClass {
    /** The fields summed, by index. */
    public static final int RSS = 0;
    public static final int PSS = 1;
    public static final int SHARED_CLEAN = 2;
    public static final int SHARED_DIRTY = 3;
    public static final int PRIVATE_CLEAN = 4;
    public static final int PRIVATE_DIRTY = 5;
    private static final byte[][] FIELD_NAMES = {ascii("Rss:"), ascii("Pss:"), ascii("Shared_Clean:"),
            ascii("Shared_Dirty:"), ascii("Private_Clean:"), ascii("Private_Dirty:")};
    private static final int ENOENT = 2;
    private static final int ESRCH = 3;

    /** Index of the class "total" (after {@link MemoryReport#CLASSES}). */
    public static final int TOTAL = MemoryReport.CLASSES.size();
    private static final int OTHER = MemoryReport.CLASSES.indexOf(MemoryReport.OTHER);
    /** The classes' JSON keys, in {@link MemoryReport#CLASSES} order, then "total". */
    private static final String[] KEYS = new String[TOTAL + 1];

    static {
        for (int c = 0; c < TOTAL; c++) {
            KEYS[c] = MemoryJson.key(MemoryReport.CLASSES.get(c));
        }
        KEYS[TOTAL] = "total";
    }

    private final long[] starts;
    private final long[] ends;
    private final int[] classOf;
    private final long[][] kb = new long[TOTAL + 1][FIELD_NAMES.length];
    private final ProcPath path = new ProcPath("smaps");
    private byte[] buffer = new byte[512 << 10];
    private ByteBuffer wrapped = ByteBuffer.wrap(buffer);

    /** Sums over {@code ranges} (a {@link MemoryReport}'s): a mapping in none of them is "other". */
    public SmapsSums(List<AddressRange> ranges) {
        starts = new long[ranges.size()];
        ends = new long[ranges.size()];
        classOf = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            starts[i] = ranges.get(i).start();
            ends[i] = ranges.get(i).end();
            classOf[i] = MemoryReport.CLASSES.indexOf(ranges.get(i).name());
        }
    }

    /**
     * Reads process {@code pid}'s smaps and sums it. Returns false if the process is gone (the
     * sums are then zero).
     *
     * @throws IllegalStateException if the file cannot be read for another reason
     */
    public boolean read(int pid) {
        for (long[] row : kb) {
            java.util.Arrays.fill(row, 0);
        }
        int fd = path.open(pid); // O_RDONLY
        if (fd < 0) {
            return failed(Syscalls.libcErrno());
        }
        int length = 0;
        try {
            while (true) {
                if (length == buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, 2 * buffer.length); // once, for a process with many mappings
                    wrapped = ByteBuffer.wrap(buffer);
                }
                wrapped.limit(buffer.length).position(length);
                long n = Syscalls.posix().read(fd, wrapped, (long) (buffer.length - length));
                if (n < 0) {
                    int errno = Syscalls.posixErrno();
                    if (errno == Syscalls.EINTR) {
                        continue;
                    }
                    return failed(errno);
                }
                if (n == 0) {
                    break;
                }
                length += (int) n;
            }
        } finally {
            Syscalls.posix().close(fd);
        }
        scan(length);
        return true;
    }

    private boolean failed(int errno) {
        if (errno == ENOENT || errno == ESRCH) {
            return false;
        }
        throw new IllegalStateException("cannot read " + path + ": " + Syscalls.describeErrno(errno));
    }

    /** Sums the fields of {@code buffer[0, length)}, mapping by mapping. */
    private void scan(int length) {
        int cls = OTHER;
        int p = 0;
        while (p < length) {
            int end = p;
            while (end < length && buffer[end] != '\n') {
                end++;
            }
            byte first = buffer[p];
            if ((first >= '0' && first <= '9') || (first >= 'a' && first <= 'f')) {
                cls = classify(hex(p, end));
            } else {
                for (int f = 0; f < FIELD_NAMES.length; f++) {
                    if (startsWith(p, end, FIELD_NAMES[f])) {
                        long v = decimal(p + FIELD_NAMES[f].length, end);
                        kb[cls][f] += v;
                        kb[TOTAL][f] += v;
                        break;
                    }
                }
            }
            p = end + 1;
        }
    }

    private int classify(long address) {
        for (int i = 0; i < starts.length; i++) {
            if (Long.compareUnsigned(address, starts[i]) >= 0 && Long.compareUnsigned(address, ends[i]) < 0) {
                return classOf[i];
            }
        }
        return OTHER;
    }

    private long hex(int p, int end) {
        long v = 0;
        for (; p < end; p++) {
            byte b = buffer[p];
            int d = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
            if (d < 0) {
                break;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private long decimal(int p, int end) {
        while (p < end && buffer[p] == ' ') {
            p++;
        }
        long v = 0;
        for (; p < end && buffer[p] >= '0' && buffer[p] <= '9'; p++) {
            v = v * 10 + (buffer[p] - '0');
        }
        return v;
    }

    private boolean startsWith(int p, int end, byte[] prefix) {
        if (end - p < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The classes of {@link MemoryReport#CLASSES}, then the total. */
    @Override
    public int classes() {
        return TOTAL + 1;
    }

    /** The JSON key of class {@code cls} ("object_heap", ..., "total"). */
    @Override
    public String key(int cls) {
        return KEYS[cls];
    }

    /** The sum of field {@code field} ({@link #RSS}...) over class {@code cls} (an index of {@link MemoryReport#CLASSES}, or {@link #TOTAL}), in kB. */
    @Override
    public long kb(int cls, int field) {
        return kb[cls][field];
    }

    /** Private memory (clean and dirty) of class {@code cls}, in kB. */
    public long privateKb(int cls) {
        return kb[cls][PRIVATE_CLEAN] + kb[cls][PRIVATE_DIRTY];
    }

    /**
     * The sums as {@link MemoryReport#of} gives them (allocates: for the /stats reports, not
     * the dashboard's polling). Fields other than the six summed read as zero.
     */
    public Map<String, Smaps.Fields> toMap() {
        Map<String, Smaps.Fields> m = new LinkedHashMap<>();
        for (int c = 0; c <= TOTAL; c++) {
            long[] v = kb[c];
            m.put(c == TOTAL ? "total" : MemoryReport.CLASSES.get(c), new Smaps.Fields(v[RSS], v[PSS], 0, 0, 0, 0,
                    v[SHARED_CLEAN], v[SHARED_DIRTY], v[PRIVATE_CLEAN], v[PRIVATE_DIRTY], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        }
        return m;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
