// Is this long a live object of this heap? Every reference is checked (and described) here before it is used; a broken heap refuses them all.
package cowfork.heap;

import cowfork.cow.Region;
import java.nio.charset.StandardCharsets;

/**
 * The heap's reference checks: NULL, out of range, misaligned, not at a live header (a
 * freed chunk is reported as use after free, or as a double decref when decref'd), the
 * wrong type, an index out of range. Checks only read headers, so a read-only workload
 * writes nothing but counts.
 *
 * <p>It also holds the heap's one piece of "give up" state: once the heap has been
 * {@linkplain #markBroken marked broken} (a deallocation failed half-way, or verification
 * found corruption), every check throws {@link HeapException.Kind#HEAP_BROKEN} naming the
 * original failure, so no later operation runs on counts that are known to be wrong.
 * Not thread-safe (the heap is not).
 */
final class References {
    private final Region region;
    private final Allocator allocator;
    /** Why the heap can no longer be trusted, or null while it can. */
    private HeapException broken;

    References(Region region, Allocator allocator) {
        this.region = region;
        this.allocator = allocator;
    }

    /** The type stored in the header at {@code ref}, or null for a bogus code. Unchecked. */
    ObjectType typeAt(long ref) {
        return ObjectType.ofCode(region.getInt(ref + Heap.OB_TYPE) & 0xFF);
    }

    /**
     * Checks that {@code ref} is a live object of this heap and returns its type. Reads the
     * header only. {@code op} names the operation for the message.
     *
     * @throws HeapException naming what is wrong with {@code ref}, or HEAP_BROKEN once the heap is broken
     */
    ObjectType check(long ref, String op) {
        if (broken == null && ref > 0 && ref <= region.size() - Heap.HEADER_SIZE && (ref & (Heap.ALIGNMENT - 1)) == 0) {
            int word = region.getInt(ref + Heap.OB_TYPE);
            ObjectType t = ObjectType.ofCode(word & 0xFF);
            if (t != null && t.isObject() && ((word >>> 8) & 0xFF) == Heap.HEADER_CHECK && ref >= Allocator.DATA_START) {
                return t; // the fast path: one read of the header, one of the broken flag
            }
        }
        requireUsable(op);
        throw describeProblem(ref, op);
    }

    /** Whether {@code ref} is a live object (never throws, also on a broken heap). */
    boolean isLive(long ref) {
        return describeProblem(ref, "isLive") == null;
    }

    /** Why {@code ref} is not a live object, or null if it is one. Never throws. */
    HeapException describeProblem(long ref, String op) {
        if (ref == Heap.NULL) {
            return new HeapException(HeapException.Kind.NULL_REFERENCE, ref, op + ": got NULL where an object was"
                    + " required. A lookup that found nothing (dictGet of a missing key) returns NULL: check for it.");
        }
        if (ref < Allocator.DATA_START || ref > region.size() - Heap.HEADER_SIZE || (ref & (Heap.ALIGNMENT - 1)) != 0) {
            return new HeapException(HeapException.Kind.BAD_REFERENCE, ref, op + ": " + ref + " is not a reference"
                    + " into this heap: objects lie at multiples of " + Heap.ALIGNMENT + " in [" + Allocator.DATA_START
                    + ", " + region.size() + "). Was it computed, corrupted, or taken from another heap?");
        }
        int word = region.getInt(ref + Heap.OB_TYPE);
        int code = word & 0xFF;
        if (code == ObjectType.FREED.code()) {
            ObjectType was = ObjectType.ofCode((word >>> 8) & 0xFF);
            String what = was == null ? "an object" : "a " + was.pythonName();
            if (op.equals("decref")) {
                return new HeapException(HeapException.Kind.DOUBLE_DECREF, ref, "double decref: offset " + ref + " held "
                        + what + " that was already freed when its count reached zero. Decref each owned reference"
                        + " exactly once, and never decref a borrowed one (from listGet, dictGet, ...) you did not incref.");
            }
            return new HeapException(HeapException.Kind.USE_AFTER_FREE, ref, "use after free in " + op + ": offset " + ref
                    + " held " + what + " that has been freed (its count reached zero). A borrowed reference was kept"
                    + " after its owner let go: incref a borrowed reference you keep, decref it when done.");
        }
        ObjectType t = ObjectType.ofCode(code);
        if (t == null || !t.isObject() || ((word >>> 8) & 0xFF) != Heap.HEADER_CHECK) {
            boolean unused = ref >= allocator.bump();
            return new HeapException(HeapException.Kind.BAD_REFERENCE, ref, op + ": offset " + ref + " is not the start"
                    + " of a live object (" + (unused ? "nothing was ever allocated there"
                    : t == ObjectType.BLOCK ? "it is the internal storage block of a list or dict"
                    : "its header is implausible: type byte " + code + ", check byte " + ((word >>> 8) & 0xFF))
                    + "). Pass only references that constructors and getters returned.");
        }
        return null;
    }

    /** A one-line description for messages and test output, e.g. {@code str@4160(rc=2 "id")}; never throws. */
    String describe(long ref, RefCounts counts) {
        if (ref == Heap.NULL) {
            return "NULL";
        }
        if (region.isClosed()) {
            return "@" + ref + "(heap closed)";
        }
        HeapException problem = describeProblem(ref, "describe");
        if (problem != null) {
            return "@" + ref + "(" + problem.kind() + ")";
        }
        ObjectType t = typeAt(ref);
        String value = switch (t) {
            case NONE -> " None";
            case BOOL -> region.getInt(ref + Heap.OB_SIZE) != 0 ? " True" : " False";
            case INT -> " " + region.getLong(ref + Heap.INT_VALUE);
            case STR -> " \"" + abbreviate(strText(ref)) + "\"";
            default -> " len=" + region.getInt(ref + Heap.OB_SIZE);
        };
        return t.pythonName() + "@" + ref + "(rc=" + counts.get(ref) + value + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 21) + "...";
    }

    /** The text of the str at {@code ref} (unchecked: the caller checked it is a live str). */
    String strText(long ref) {
        byte[] b = new byte[region.getInt(ref + Heap.OB_SIZE)];
        region.getBytes(ref + Heap.STR_BYTES, b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Checks {@code ref} is a live object of type {@code expected}.
     *
     * @throws HeapException as {@link #check}, or WRONG_TYPE naming both types
     */
    void requireType(long ref, ObjectType expected, String op, ObjectMemory heap) {
        ObjectType t = check(ref, op);
        if (t != expected) {
            throw new HeapException(HeapException.Kind.WRONG_TYPE, ref, op + " needs a " + expected.pythonName()
                    + ", but offset " + ref + " is a " + t.pythonName() + " (" + heap.describe(ref) + ").");
        }
    }

    /**
     * Checks {@code ref} is a live {@code expected} (a list or tuple) with an item {@code index}.
     *
     * @throws HeapException as {@link #requireType}, or INDEX_OUT_OF_RANGE with the valid range
     */
    void requireIndex(long ref, ObjectType expected, int index, String op, ObjectMemory heap) {
        requireType(ref, expected, op, heap);
        int n = region.getInt(ref + Heap.OB_SIZE);
        if (index < 0 || index >= n) {
            throw new HeapException(HeapException.Kind.INDEX_OUT_OF_RANGE, ref, op + ": index " + index
                    + " is out of range for the " + expected.pythonName() + " at offset " + ref + ", which has " + n
                    + " items (valid: 0.." + (n - 1) + ").");
        }
    }

    /** @throws HeapException HEAP_BROKEN, naming the original failure, if the heap is broken */
    void requireUsable(String op) {
        if (broken != null) {
            throw new HeapException(HeapException.Kind.HEAP_BROKEN, broken.ref(), op + " refused: the heap is broken"
                    + " since an earlier failure left its counts or free lists inconsistent (" + broken.kind() + ": "
                    + broken.getMessage() + "). Nothing more is done on it: close it and build a new one.", broken);
        }
    }

    /**
     * Marks the heap broken by {@code cause}: from now on every check throws HEAP_BROKEN.
     * The first cause is kept; later ones are only consequences.
     */
    void markBroken(HeapException cause) {
        if (broken == null) {
            broken = cause;
        }
    }

    /** The failure that broke the heap, or null if it is not broken. */
    HeapException broken() {
        return broken;
    }
}
