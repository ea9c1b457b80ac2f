// One "jvm-gc:" result line, printed by a measured JVM and read back by the runner, the tests and the figure.
package cowfork.jvmgc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One measured event, as printed by {@link Subject}:
 * <pre>
 * jvm-gc: jdk=17 collector=Serial event=young live_mb=64 heap_pages_shared_at_fork=81591 unshared_after=14274
 *         live_pages=16383 live_unshared=0 heap_pages=81920 mapping=private gcs=Copy+1 event_ms=302 child=exited
 * </pre>
 * The first six fields are the fixed format scripts grep; the rest say what they rest on:
 * {@code live_pages} the whole pages the live set fills ("-" unless the old generation is one
 * contiguous space: Serial, Parallel), {@code heap_pages} the pages of the heap's reserved
 * ranges, {@code mapping} whether fork copies the heap on write at all ("shared": ZGC's
 * heap is a MAP_SHARED file mapping), {@code gcs} which collector beans counted a collection
 * during the event, {@code event_ms} how long the event took, and {@code child} how the
 * forked child ended when released afterwards: "exited", or the signal that killed it
 * ("SIGSEGV": its heap was changed under it), or "hung" (the watchdog killed it).
 */
public record GcLine(int jdk, String collector, String event, int liveMb, long sharedAtFork, long unsharedAfter,
                     OptionalLong livePages, OptionalLong liveUnshared, long heapPages, String mapping, String gcs,
                     long eventMs, String child) {
    public static final String PREFIX = "jvm-gc: ";

    /**
     * Parses a line {@link Subject} printed.
     *
     * @throws IllegalArgumentException if the line lacks the prefix or a field, naming what is missing
     */
    public static GcLine parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a jvm-gc line (no '" + PREFIX.strip() + "' prefix): " + line);
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (String token : line.substring(PREFIX.length()).trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                f.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        try {
            return new GcLine(Integer.parseInt(get(f, "jdk", line)), get(f, "collector", line), get(f, "event", line),
                    Integer.parseInt(get(f, "live_mb", line)), Long.parseLong(get(f, "heap_pages_shared_at_fork", line)),
                    Long.parseLong(get(f, "unshared_after", line)), optional(get(f, "live_pages", line)),
                    optional(get(f, "live_unshared", line)), Long.parseLong(get(f, "heap_pages", line)),
                    get(f, "mapping", line), get(f, "gcs", line), Long.parseLong(get(f, "event_ms", line)),
                    get(f, "child", line));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number field does not parse (" + e.getMessage() + ") in: " + line, e);
        }
    }

    private static String get(Map<String, String> fields, String key, String line) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("field " + key + "= missing in: " + line);
        }
        return v;
    }

    private static OptionalLong optional(String v) {
        return v.equals("-") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }

    /** Unshared pages as a share of the pages shared at fork, 0 to 1. */
    public double unsharedFraction() {
        return sharedAtFork == 0 ? 0 : (double) unsharedAfter / sharedAtFork;
    }

    /** MiB the parent now holds in copies of its own heap (4 KiB pages). */
    public double unsharedMib() {
        return unsharedAfter * 4096.0 / (1 << 20);
    }
}
