// The "memory_kb" object of /stats and /dashboard/data: one writer, one loop over the classes of memory.
package cowfork.server.stats;

import cowfork.cow.Smaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a process's memory by class, the same for both documents:
 * <pre>
 *   {"object_heap":{"rss":N,"pss":N,"private":N},"refcount_table":{...},"java_heap":{...},"other":{...},"total":{...}}
 * </pre>
 * /stats adds {@code "private_dirty"} and {@code "shared"} to each class ({@code detail}); the
 * dashboard leaves them out. Not measured (null, or no class): {@code {}}. Sizes in KiB;
 * private is clean plus dirty, shared likewise.
 */
final class MemoryJson {
    private static final byte[] RSS = JsonBytes.ascii("\":{\"rss\":");
    private static final byte[] PSS = JsonBytes.ascii(",\"pss\":");
    private static final byte[] PRIVATE = JsonBytes.ascii(",\"private\":");
    private static final byte[] PRIVATE_DIRTY = JsonBytes.ascii(",\"private_dirty\":");
    private static final byte[] SHARED = JsonBytes.ascii(",\"shared\":");

    private MemoryJson() {}

    /** A process's memory by class, as the writer reads it: {@link SmapsSums}, or a report's map ({@link #of}). */
    interface ByClass {
        /** How many classes, "total" included. */
        int classes();

        /** The JSON key of class {@code c}: its name in lower case, spaces as underscores ("object_heap"). */
        String key(int c);

        /** Field {@code field} ({@link SmapsSums#RSS}...) of class {@code c}, in KiB. */
        long kb(int c, int field);
    }

    /** Writes {@code memory} (null: not measured) as the object above. */
    static void write(JsonBytes out, ByClass memory, boolean detail) {
        out.put((byte) '{');
        for (int c = 0; memory != null && c < memory.classes(); c++) {
            if (c > 0) {
                out.put((byte) ',');
            }
            out.put((byte) '"').put(memory.key(c))
                    .put(RSS).putDecimal(memory.kb(c, SmapsSums.RSS))
                    .put(PSS).putDecimal(memory.kb(c, SmapsSums.PSS))
                    .put(PRIVATE).putDecimal(memory.kb(c, SmapsSums.PRIVATE_CLEAN) + memory.kb(c, SmapsSums.PRIVATE_DIRTY));
            if (detail) {
                out.put(PRIVATE_DIRTY).putDecimal(memory.kb(c, SmapsSums.PRIVATE_DIRTY))
                        .put(SHARED).putDecimal(memory.kb(c, SmapsSums.SHARED_CLEAN) + memory.kb(c, SmapsSums.SHARED_DIRTY));
            }
            out.put((byte) '}');
        }
        out.put((byte) '}');
    }

    /** The JSON key of a class of memory ("object heap" is "object_heap"). */
    static String key(String memoryClass) {
        return memoryClass.replace(' ', '_').toLowerCase(Locale.ROOT);
    }

    /** A report's memory ({@link MemoryReport#of}, {@link SmapsSums#toMap}), classes in the map's order. */
    static ByClass of(Map<String, Smaps.Fields> memory) {
        List<String> keys = new ArrayList<>();
        List<Smaps.Fields> fields = new ArrayList<>();
        memory.forEach((c, f) -> {
            keys.add(key(c));
            fields.add(f);
        });
        return new ByClass() {
            @Override
            public int classes() {
                return keys.size();
            }

            @Override
            public String key(int c) {
                return keys.get(c);
            }

            @Override
            public long kb(int c, int field) {
                Smaps.Fields f = fields.get(c);
                return switch (field) {
                    case SmapsSums.RSS -> f.rssKb();
                    case SmapsSums.PSS -> f.pssKb();
                    case SmapsSums.SHARED_CLEAN -> f.sharedCleanKb();
                    case SmapsSums.SHARED_DIRTY -> f.sharedDirtyKb();
                    case SmapsSums.PRIVATE_CLEAN -> f.privateCleanKb();
                    case SmapsSums.PRIVATE_DIRTY -> f.privateDirtyKb();
                    default -> throw new IllegalArgumentException("no smaps field " + field);
                };
            }
        };
    }
}
