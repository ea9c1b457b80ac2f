// json.dumps over the heap: visiting an object graph to serialise it increfs and decrefs every object in it.
package cowfork.heap;

/**
 * Serialises an object graph as compact JSON ({@code json.dumps(obj, separators=(",", ":"))}).
 * Each visited object is incref'd while it is written and decref'd after, as CPython's C
 * encoder did up to 3.11, when it built a list of {@code dict.items()} tuples, a new
 * reference to every key and value: serving a JSON response touches the header of every
 * object in it. From 3.12 the encoder walks an exact, unsorted dict with
 * {@code PyDict_Next} (gh-95385), which borrows keys and values; it still takes a
 * reference to each str key while writing it, and to each dict and list it enters (its
 * circular-reference markers), but only reads the ints and strs it writes as values. So
 * real 3.12 writes fewer headers than this model (docs/crosscheck.md measures it).
 *
 * <p>None becomes null, bools true/false, tuples arrays. Writes into a caller-supplied
 * {@link StringBuilder}, so a server can reuse one buffer and allocate nothing per request.
 */
public final class Json {
    /** Deeper nesting than this is refused (CPython's encoder stops at its recursion limit). */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /**
     * Appends the JSON text of the object at {@code ref} to {@code out}.
     *
     * @throws HeapException on a bad reference, or TOO_DEEP for nesting beyond {@link #MAX_DEPTH}
     *         (which is also how a reference cycle shows up); {@code out} then holds a partial text
     */
    public static void write(Heap heap, long ref, StringBuilder out) {
        write(heap, ref, out, 0);
    }

    /** The JSON text of the object at {@code ref}, as a new string. */
    public static String toJson(Heap heap, long ref) {
        StringBuilder sb = new StringBuilder();
        write(heap, ref, sb);
        return sb.toString();
    }

    /** A list or a tuple, as a JSON array. */
    private static void writeArray(Heap heap, long ref, StringBuilder out, int depth) {
        boolean list = heap.type(ref) == ObjectType.LIST;
        int n = list ? heap.listSize(ref) : heap.tupleSize(ref);
        out.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            write(heap, list ? heap.listGet(ref, i) : heap.tupleGet(ref, i), out, depth + 1);
        }
        out.append(']');
    }

    private static void write(Heap heap, long ref, StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new HeapException(HeapException.Kind.TOO_DEEP, ref, "JSON nesting deeper than " + MAX_DEPTH
                    + " at " + heap.describe(ref) + ": either the structure is that deep, or it contains a reference"
                    + " cycle (CPython: \"Circular reference detected\"). JSON cannot express a cycle.");
        }
        heap.incref(ref);
        try {
            switch (heap.type(ref)) {
                case NONE -> out.append("null");
                case BOOL -> out.append(heap.boolValue(ref) ? "true" : "false");
                case INT -> out.append(heap.intValue(ref));
                case STR -> {
                    out.append('"');
                    heap.appendStrJson(ref, out);
                    out.append('"');
                }
                case LIST, TUPLE -> writeArray(heap, ref, out, depth);
                case DICT -> {
                    out.append('{');
                    boolean first = true;
                    for (int s = heap.dictNext(ref, 0); s >= 0; s = heap.dictNext(ref, s + 1)) {
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        write(heap, heap.dictKeyAt(ref, s), out, depth + 1);
                        out.append(':');
                        write(heap, heap.dictValueAt(ref, s), out, depth + 1);
                    }
                    out.append('}');
                }
                default -> throw new AssertionError("type() returned a non-object type for " + ref);
            }
        } finally {
            heap.decref(ref);
        }
    }
}
