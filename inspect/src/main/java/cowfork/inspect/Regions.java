// The regions an operator recognises in a process's mappings: the language's heap, other anonymous memory, code, data, stack.
package cowfork.inspect;

import cowfork.cow.Smaps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sorts each mapping of {@code /proc/PID/smaps} into one region, by what the kernel shows of
 * it (name, permissions, address, its neighbour), with no help from the process. The first
 * rule that fits decides:
 * <pre>
 *   stack        [stack]: the main thread's stack
 *   heap         [heap] (brk: malloc's main arena)
 *   anon:NAME    an anonymous mapping the process named (Linux 5.17+: [anon:NAME])
 *   code         a file mapped executable (the program, its libraries), and [vdso]/[vsyscall]
 *   other_anon   shared anonymous memory (MAP_SHARED, /dev/zero, SysV, memfd), and [vvar]...
 *   file_data    a file mapped not executable (read-only data, initialised data, mmap'd files),
 *                and the .bss right after a program's or library's writable data (under 1 MiB)
 *   java_heap    in a JVM (libjvm.so mapped): anonymous memory below 32 GiB, where HotSpot
 *                puts a compressed-oops Java heap
 *   other_anon   anonymous memory that is executable (JIT code) or not writable (reservations)
 *   heap         every other private anonymous writable mapping: malloc's arenas, pymalloc's
 *                arenas, Ruby's heap pages, an mmap'd object heap, thread stacks (the kernel
 *                stopped naming them in 4.5); in a JVM, its native memory
 * </pre>
 * The rules are heuristics about what runtimes do, stated so that an operator can check them
 * against {@code /proc/PID/maps}; {@link #describe} names each mapping in the same words.
 */
final class Regions {
    static final String HEAP = "heap";
    static final String JAVA_HEAP = "java_heap";
    static final String OTHER_ANON = "other_anon";
    static final String FILE_DATA = "file_data";
    static final String CODE = "code";
    static final String STACK = "stack";

    /** The order regions are printed in: heaps first (they decay), then the rest. Named ones go after the heaps. */
    static final List<String> ORDER = List.of(HEAP, JAVA_HEAP, OTHER_ANON, FILE_DATA, CODE, STACK);

    /**
     * The largest anonymous mapping after a file's writable data still taken for its .bss. The
     * kernel merges adjacent anonymous mappings, so an arena mmap'd right above a library's .bss
     * becomes one mapping with it; a bigger one is counted as heap (pymalloc's arenas are 1 MiB).
     */
    static final long MAX_BSS = 1L << 20;

    /** The end of the range where HotSpot places a Java heap that compressed oops can address (zero-based: 32 GiB). */
    static final long COMPRESSED_OOPS_END = 32L << 30;

    private Regions() {}

    /**
     * The region of each of {@code mappings} (one process's, in address order as smaps lists them),
     * in the same order.
     */
    static List<String> classify(List<Smaps.Mapping> mappings) {
        boolean jvm = mappings.stream().anyMatch(m -> m.name().endsWith("/libjvm.so"));
        List<String> regions = new ArrayList<>(mappings.size());
        Smaps.Mapping previous = null;
        for (Smaps.Mapping m : mappings) {
            regions.add(classify(m, previous, jvm));
            previous = m;
        }
        return regions;
    }

    /** The region of {@code m}, whose lower neighbour in the address space is {@code previous} (null for none). */
    static String classify(Smaps.Mapping m, Smaps.Mapping previous, boolean jvm) {
        String name = m.name();
        boolean writable = m.perms().charAt(1) == 'w';
        boolean executable = m.perms().charAt(2) == 'x';
        boolean shared = m.perms().charAt(3) == 's';
        if (name.equals("[stack]")) {
            return STACK;
        }
        if (name.equals("[heap]")) {
            return HEAP;
        }
        if (name.startsWith("[anon:") && name.endsWith("]")) {
            return "anon:" + name.substring(6, name.length() - 1);
        }
        if (name.equals("[vdso]") || name.equals("[vsyscall]")) {
            return CODE;
        }
        if (name.startsWith("[") || name.startsWith("/memfd:") || name.startsWith("/SYSV") || name.startsWith("/dev/zero")) {
            return OTHER_ANON;
        }
        if (!name.isEmpty()) {
            return executable ? CODE : FILE_DATA;
        }
        // anonymous from here on
        if (shared) {
            return OTHER_ANON;
        }
        if (previous != null && previous.end() == m.start() && previous.name().startsWith("/")
                && previous.perms().charAt(1) == 'w' && writable && !executable && m.end() - m.start() < MAX_BSS) {
            return FILE_DATA; // .bss: the zero-filled tail of a program's or library's data segment
        }
        if (jvm && Long.compareUnsigned(m.end(), COMPRESSED_OOPS_END) <= 0) {
            return JAVA_HEAP;
        }
        if (executable || !writable) {
            return OTHER_ANON;
        }
        return HEAP;
    }

    /**
     * Sums {@code mappings}' fields by region ({@link #classify}); regions appear in print order:
     * {@link #ORDER}, with named anonymous regions after the heaps.
     */
    static Map<String, Smaps.Fields> sum(List<Smaps.Mapping> mappings) {
        List<String> regions = classify(mappings);
        Map<String, Smaps.Fields> sums = new LinkedHashMap<>();
        for (int i = 0; i < mappings.size(); i++) {
            sums.merge(regions.get(i), mappings.get(i).fields(), Smaps.Fields::plus);
        }
        List<String> keys = new ArrayList<>(sums.keySet());
        keys.sort(Comparator.comparingInt(Regions::rank).thenComparing(Comparator.naturalOrder()));
        Map<String, Smaps.Fields> ordered = new LinkedHashMap<>();
        for (String k : keys) {
            ordered.put(k, sums.get(k));
        }
        return ordered;
    }

    /** Where region {@code name} is printed: heap, java_heap, then named anonymous regions, then the rest. */
    private static int rank(String name) {
        int i = ORDER.indexOf(name);
        if (i >= 0) {
            return i < 2 ? i : i + 1;
        }
        return 2; // anon:NAME
    }

    /**
     * A mapping in an operator's words: its region, its address range and size, and its file
     * ("heap 7f1d1922e000-7f1d1b5d9000 35.7 MiB", "file_data /usr/bin/python3.11 00946000 1.2 MiB").
     */
    static String describe(Smaps.Mapping m, String region) {
        String size = cowfork.support.Sizes.format(m.end() - m.start());
        String where = m.name().isEmpty() ? Long.toHexString(m.start()) + "-" + Long.toHexString(m.end())
                : m.name() + " @" + Long.toHexString(m.start());
        return region + " " + where + " (" + m.perms() + ", " + size + ")";
    }
}
