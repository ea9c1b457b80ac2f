// What the kernel charges a process for its memory, mapping by mapping: /proc/PID/smaps and smaps_rollup.
package cowfork.cow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code /proc/PID/smaps} (one entry per mapping) and {@code /proc/PID/smaps_rollup}
 * (the same fields summed over the process).
 *
 * <pre>
 *   Rss            resident: every page of the mapping now in memory
 *   Pss            proportional: a private page in full, a page shared by n processes as 1/n
 *   Shared_Clean   resident pages also mapped elsewhere, unmodified since read from disk
 *   Shared_Dirty   resident pages also mapped elsewhere, modified (after fork, not-yet-copied pages land here or in Shared_Clean, by the dirty bits copied at fork)
 *   Private_Clean  resident pages mapped only here, unmodified
 *   Private_Dirty  resident pages mapped only here, modified: what copy-on-write has cost this process
 *   Anonymous      pages not backed by a file (our regions, the Java heap)
 *   AnonHugePages  the part of Anonymous mapped by 2 MiB transparent huge pages
 * </pre>
 *
 * All sizes are in kB as the kernel prints them (kB means KiB there).
 */
public final class Smaps {
    private Smaps() {}

    /**
     * Every kB field of an smaps entry or of smaps_rollup. A field this kernel does not
     * print reads as 0.
     */
    public record Fields(long rssKb, long pssKb, long pssDirtyKb, long pssAnonKb, long pssFileKb, long pssShmemKb,
                         long sharedCleanKb, long sharedDirtyKb, long privateCleanKb, long privateDirtyKb,
                         long referencedKb, long anonymousKb, long ksmKb, long lazyFreeKb, long anonHugePagesKb,
                         long shmemPmdMappedKb, long filePmdMappedKb, long sharedHugetlbKb, long privateHugetlbKb,
                         long swapKb, long swapPssKb, long lockedKb) {

        /** The kernel's field names, in the order of this record's components. */
        static final List<String> NAMES = List.of("Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem",
                "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "KSM",
                "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb",
                "Swap", "SwapPss", "Locked");

        /** All zero: the start of a sum. */
        public static final Fields ZERO = of(new long[NAMES.size()]);

        private static Fields of(long[] v) {
            return new Fields(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                    v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21]);
        }

        private long[] values() {
            return new long[] {rssKb, pssKb, pssDirtyKb, pssAnonKb, pssFileKb, pssShmemKb, sharedCleanKb, sharedDirtyKb,
                    privateCleanKb, privateDirtyKb, referencedKb, anonymousKb, ksmKb, lazyFreeKb, anonHugePagesKb,
                    shmemPmdMappedKb, filePmdMappedKb, sharedHugetlbKb, privateHugetlbKb, swapKb, swapPssKb, lockedKb};
        }

        /** Field by field sum (to add up mappings). */
        public Fields plus(Fields other) {
            long[] a = values();
            long[] b = other.values();
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return of(a);
        }

        /** The value of a field by its kernel name ("Private_Dirty"), 0 for a name not listed above. */
        public long kb(String kernelName) {
            int i = NAMES.indexOf(kernelName);
            return i < 0 ? 0 : values()[i];
        }
    }

    /**
     * One mapping of a process: its address range [start, end), permissions
     * ("rw-p"), name (a file path, "[heap]", "[stack]", or "" for anonymous memory),
     * whether THP may back it ({@code THPeligible}), its {@code VmFlags} (e.g. "nh" for
     * MADV_NOHUGEPAGE, "hg" for MADV_HUGEPAGE) and its fields.
     */
    public record Mapping(long start, long end, String perms, String name, boolean thpEligible, Set<String> vmFlags,
                          Fields fields) {
        /** Whether {@code address} lies in [start, end). */
        public boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }

        /** The size of the address range in kB. */
        public long sizeKb() {
            return (end - start) >> 10;
        }

        @Override
        public String toString() {
            return Long.toHexString(start) + "-" + Long.toHexString(end) + " " + perms + " " + name + " Rss "
                    + fields.rssKb() + " kB, Pss " + fields.pssKb() + " kB, Private_Dirty " + fields.privateDirtyKb() + " kB";
        }
    }

    /**
     * Every mapping of process {@code pid}, in address order.
     *
     * @throws IllegalArgumentException if there is no such process
     * @throws IllegalStateException if the kernel refuses to show it, or the file cannot be parsed
     */
    public static List<Mapping> all(int pid) {
        return parse(read(pid, "smaps"));
    }

    /**
     * The mapping of process {@code pid} that holds {@code address}. For a {@link Region}
     * that is exactly the region (its guard pages keep it from merging with neighbours).
     *
     * @throws IllegalArgumentException if no mapping holds the address, or there is no such process
     */
    public static Mapping mappingAt(int pid, long address) {
        for (Mapping m : all(pid)) {
            if (m.contains(address)) {
                return m;
            }
        }
        throw new IllegalArgumentException("process " + pid + " has no mapping at 0x" + Long.toHexString(address)
                + ": was the region mapped before the fork (or closed since)?");
    }

    /** The smaps entry of {@code region} in process {@code pid}; see {@link #mappingAt}. */
    public static Mapping of(int pid, Region region) {
        return mappingAt(pid, region.address());
    }

    /**
     * {@code /proc/PID/smaps_rollup}: the fields summed over every mapping of the process.
     *
     * @throws IllegalArgumentException if there is no such process
     * @throws IllegalStateException if the kernel refuses to show it
     */
    public static Fields rollup(int pid) {
        List<Mapping> one = parse(read(pid, "smaps_rollup"));
        if (one.size() != 1) {
            throw new IllegalStateException("/proc/" + pid + "/smaps_rollup should hold one entry, found " + one.size());
        }
        return one.get(0).fields();
    }

    /**
     * Sums the fields of {@code mappings} by the key {@code classifier} gives each one
     * (e.g. "object heap", "Java heap", "other"). Keys appear in the order first met.
     */
    public static <K> Map<K, Fields> sumBy(List<Mapping> mappings, Function<Mapping, K> classifier) {
        Map<K, Fields> sums = new LinkedHashMap<>();
        for (Mapping m : mappings) {
            sums.merge(classifier.apply(m), m.fields(), Fields::plus);
        }
        return sums;
    }

    /** Parses the text of an smaps or smaps_rollup file. Package-private for tests. */
    static List<Mapping> parse(String text) {
        List<Mapping> result = new ArrayList<>();
        String header = null;
        long[] values = null;
        boolean thp = false;
        Set<String> flags = Set.of();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            boolean isField = colon > 0 && line.indexOf(' ') > colon;
            if (!isField) { // "start-end perms offset dev inode [name]" opens the next mapping
                if (header != null) {
                    result.add(mapping(header, thp, flags, values));
                }
                header = line;
                values = new long[Fields.NAMES.size()];
                thp = false;
                flags = Set.of();
                continue;
            }
            if (header == null) {
                throw new IllegalStateException("smaps text starts with a field, not a mapping: " + line);
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (key.equals("VmFlags")) {
                flags = Set.of(value.split("\\s+"));
            } else if (key.equals("THPeligible")) {
                thp = value.equals("1");
            } else {
                int i = Fields.NAMES.indexOf(key);
                if (i >= 0) {
                    values[i] = Long.parseLong(value.endsWith(" kB") ? value.substring(0, value.length() - 3).strip() : value);
                }
            }
        }
        if (header != null) {
            result.add(mapping(header, thp, flags, values));
        }
        return result;
    }

    private static Mapping mapping(String header, boolean thp, Set<String> flags, long[] values) {
        String[] parts = header.strip().split("\\s+", 6);
        String[] range = parts[0].split("-");
        if (range.length != 2 || parts.length < 5) {
            throw new IllegalStateException("not an smaps mapping line: " + header);
        }
        return new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16), parts[1],
                parts.length == 6 ? parts[5] : "", thp, flags, Fields.of(values));
    }

    private static String read(int pid, String name) {
        Path file = Path.of("/proc", String.valueOf(pid), name);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw ProcFiles.readFailed(pid, file, e);
        }
    }
}
