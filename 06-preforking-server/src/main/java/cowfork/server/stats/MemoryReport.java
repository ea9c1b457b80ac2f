// A process's memory by region, from the kernel: smaps entries summed into object heap, refcount table, Java heap, other.
package cowfork.server.stats;

import cowfork.cow.Smaps;
import cowfork.server.protocol.Protocol;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Reads {@code /proc/PID/smaps} (through 02's {@link Smaps}) and sums its entries by the
 * class of memory they hold:
 * <pre>
 *   object heap     the Region of 03's heap: the application's objects
 *   refcount table  the side table's Region (sidetable strategy only)
 *   Java heap       the JVM's reserved heap range (young and old generation)
 *   other           everything else: code cache, metaspace, thread stacks, libraries, malloc
 * </pre>
 * Each Region is its own mapping (02 surrounds regions with guard pages so they never
 * merge with a neighbour), so a mapping belongs to exactly one class. The ranges are taken
 * in the master; a forked worker has the same mappings at the same addresses.
 */
public final class MemoryReport {
    public static final String OBJECT_HEAP = "object heap";
    public static final String REFCOUNT_TABLE = "refcount table";
    public static final String JAVA_HEAP = "Java heap";
    public static final String OTHER = "other";
    /** The classes, in report order. */
    public static final List<String> CLASSES = List.of(OBJECT_HEAP, REFCOUNT_TABLE, JAVA_HEAP, OTHER);

    private static final Pattern RANGE = Pattern.compile("\\[(0x[0-9a-f]+), (0x[0-9a-f]+), (0x[0-9a-f]+)\\)");

    private final List<AddressRange> ranges;

    /** A report over {@code storeRanges} plus this JVM's Java heap. */
    public MemoryReport(List<AddressRange> storeRanges) {
        List<AddressRange> all = new ArrayList<>(storeRanges);
        AddressRange javaHeap = javaHeapRange();
        if (javaHeap != null) {
            all.add(javaHeap);
        }
        this.ranges = List.copyOf(all);
    }

    /** The object heap among {@code storeRanges} (a store's {@code regions()}); null if it has none. */
    public static AddressRange objectHeap(List<AddressRange> storeRanges) {
        for (AddressRange r : storeRanges) {
            if (r.name().equals(OBJECT_HEAP)) {
                return r;
            }
        }
        return null;
    }

    /** The longest message the master sends a worker of a store with {@code storeRanges} ({@link Protocol#answerLimit}). */
    public static int answerLimit(List<AddressRange> storeRanges) {
        AddressRange heap = objectHeap(storeRanges);
        return Protocol.answerLimit(heap == null ? 0 : (heap.end() - heap.start()) >>> 12);
    }

    /** The named ranges mappings are classified by. */
    public List<AddressRange> ranges() {
        return ranges;
    }

    /**
     * Process {@code pid}'s smaps fields summed per class, every class of {@link #CLASSES}
     * present (zero if no mapping fell in it), plus "total".
     *
     * @throws IllegalArgumentException if the process is gone
     */
    public Map<String, Smaps.Fields> of(int pid) {
        Map<String, Smaps.Fields> sums = Smaps.sumBy(Smaps.all(pid), this::classify);
        Map<String, Smaps.Fields> ordered = new LinkedHashMap<>();
        Smaps.Fields total = Smaps.Fields.ZERO;
        for (String c : CLASSES) {
            Smaps.Fields f = sums.getOrDefault(c, Smaps.Fields.ZERO);
            ordered.put(c, f);
            total = total.plus(f);
        }
        ordered.put("total", total);
        return ordered;
    }

    /** The class of one mapping: the named range that holds its first byte, else "other". */
    String classify(Smaps.Mapping m) {
        for (AddressRange r : ranges) {
            if (r.contains(m.start())) {
                return r.name();
            }
        }
        return OTHER;
    }

    /**
     * The Java heap's reserved address range, from the {@code GC.heap_info} diagnostic command
     * (Serial GC prints each generation as {@code [start, committed end, reserved end)}): from
     * the lowest start to the highest reserved end. Null if the output has no such ranges
     * (another collector, or a JVM that prints it differently): the heap then counts as "other".
     */
    public static AddressRange javaHeapRange() {
        String info;
        try {
            info = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            return null;
        }
        return parseHeapInfo(info);
    }

    /** The range spanned by every generation line ("... generation ... [a, b, c)") of a GC.heap_info text. */
    static AddressRange parseHeapInfo(String info) {
        long low = -1;
        long high = 0;
        for (String line : info.split("\n")) {
            if (!line.contains("generation") && !line.contains("DefNew") && !line.contains("Tenured")) {
                continue;
            }
            Matcher m = RANGE.matcher(line);
            if (m.find()) {
                long start = Long.parseUnsignedLong(m.group(1).substring(2), 16);
                long end = Long.parseUnsignedLong(m.group(3).substring(2), 16);
                if (low < 0 || Long.compareUnsigned(start, low) < 0) {
                    low = start;
                }
                if (Long.compareUnsigned(end, high) > 0) {
                    high = end;
                }
            }
        }
        return low < 0 ? null : new AddressRange(JAVA_HEAP, low, high);
    }
}
