// Where this JVM's Java heap (and its old generation) lies in memory, as the JVM itself reports it.
package cowfork.jvmgc;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The address ranges of this JVM's Java heap, read from the JVM's own reports through the
 * {@code DiagnosticCommand} MBean (the same commands as {@code jcmd PID ...}), never guessed:
 * <pre>
 *   VM.native_memory detail   "[0x00000000f0000000 - 0x0000000100000000] reserved and committed
 *                              262144KB for Java Heap from"   (needs -XX:NativeMemoryTracking=detail)
 *   GC.heap_info              " tenured generation ... [bottom, committed end, reserved end)
 *                                the space 174784K, 37% used [bottom, top, ...)"
 * </pre>
 * Serial, Parallel and G1 reserve one range. ZGC reserves address space only (4 GiB per
 * range here) and, on JDK 17, three ranges: the same heap memory mapped three times, one
 * view per pointer colour. Both report formats were checked on JDK 17.0.15 and 25.0.3.
 *
 * @param heap     every range NMT tags "Java Heap" (reserved address space, not all of it committed)
 * @param oldInUse the used part [bottom, top) of the old generation when the collector has
 *                 one contiguous old generation (Serial, Parallel); empty otherwise
 */
public record HeapLayout(List<Range> heap, Optional<Range> oldInUse) {
    /** [start, end) in this process's address space. */
    public record Range(long start, long end) {
        public Range {
            if (start < 0 || end <= start) {
                throw new IllegalArgumentException("not an address range: [0x" + Long.toHexString(start) + ", 0x"
                        + Long.toHexString(end) + ")");
            }
        }

        public long length() {
            return end - start;
        }

        /** Pages of 4 KiB that overlap the range. */
        public long pages() {
            return (end + 4095) / 4096 - start / 4096;
        }

        @Override
        public String toString() {
            return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")";
        }
    }

    private static final Pattern NMT_HEAP = Pattern.compile(
            "\\[(0x[0-9a-f]+) - (0x[0-9a-f]+)\\] reserved(?: and committed)? \\d+KB for Java Heap");
    private static final Pattern OLD_GEN_HEADING = Pattern.compile(
            "^\\s*(tenured generation|Tenured|ParOldGen|PSOldGen)\\b.*");
    private static final Pattern USED_SPACE = Pattern.compile("used \\[(0x[0-9a-f]+),\\s*(0x[0-9a-f]+)");

    /**
     * Asks this JVM.
     *
     * @throws IllegalStateException if native memory tracking is off (start the JVM with
     *         -XX:NativeMemoryTracking=detail) or the report names no Java heap
     */
    public static HeapLayout ofThisJvm() {
        return parse(dcmd("vmNativeMemory", "detail"), dcmd("gcHeapInfo"));
    }

    /**
     * The used part of the old generation now (see {@link #oldInUse}); cheap, unlike
     * {@link #ofThisJvm()}, whose native memory report takes about a second with detail tracking.
     */
    public static Optional<Range> oldInUseNow() {
        return oldInUse(dcmd("gcHeapInfo"));
    }

    /**
     * Parses the two reports (see the class comment).
     *
     * @throws IllegalStateException if {@code nativeMemoryDetail} names no Java heap range;
     *         its first line is quoted (NMT off reads "Native memory tracking is not enabled")
     */
    public static HeapLayout parse(String nativeMemoryDetail, String gcHeapInfo) {
        List<Range> heap = new ArrayList<>();
        Matcher m = NMT_HEAP.matcher(nativeMemoryDetail);
        while (m.find()) {
            heap.add(new Range(Long.decode(m.group(1)), Long.decode(m.group(2))));
        }
        if (heap.isEmpty()) {
            String first = nativeMemoryDetail.strip().lines().findFirst().orElse("(empty)");
            throw new IllegalStateException("VM.native_memory detail names no Java Heap range (it said: " + first
                    + "); start the JVM with -XX:NativeMemoryTracking=detail");
        }
        return new HeapLayout(List.copyOf(heap), oldInUse(gcHeapInfo));
    }

    /** The old generation's [bottom, top) from GC.heap_info: the line after its heading that says "used [". */
    static Optional<Range> oldInUse(String gcHeapInfo) {
        String[] lines = gcHeapInfo.split("\n");
        for (int i = 0; i < lines.length - 1; i++) {
            if (OLD_GEN_HEADING.matcher(lines[i]).matches()) {
                Matcher used = USED_SPACE.matcher(lines[i + 1]);
                if (used.find()) {
                    long bottom = Long.decode(used.group(1));
                    long top = Long.decode(used.group(2));
                    return top > bottom ? Optional.of(new Range(bottom, top)) : Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** Pages of 4 KiB in all heap ranges together. */
    public long heapPages() {
        return heap.stream().mapToLong(Range::pages).sum();
    }

    static String dcmd(String operation, String... args) {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                    new Object[] {args}, new String[] {String[].class.getName()});
            return out == null ? "" : out.toString();
        } catch (JMException e) {
            throw new IllegalStateException("diagnostic command " + operation + " failed: " + e, e);
        }
    }
}
