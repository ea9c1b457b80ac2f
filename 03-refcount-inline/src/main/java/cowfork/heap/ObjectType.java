// The kinds of chunk the heap holds, and the one-byte code each has in a header's ob_type field.
package cowfork.heap;

/**
 * What a chunk of the heap holds, as stored in the type byte of its header.
 *
 * <p>The first seven are Python objects: they have a reference count and are reached
 * through references. {@link #BLOCK} is storage owned by one object (a list's item
 * array, a dict's hash table), as CPython keeps {@code ob_item} and the dict keys table
 * in separately allocated memory; blocks have no count of their own. {@link #FREED}
 * marks a chunk on a free list, so that a stale reference is caught, not followed.
 */
public enum ObjectType {
    NONE(1, "NoneType"),
    BOOL(2, "bool"),
    INT(3, "int"),
    STR(4, "str"),
    LIST(5, "list"),
    TUPLE(6, "tuple"),
    DICT(7, "dict"),
    BLOCK(0x40, "block"),
    FREED(0xFD, "freed");

    private static final ObjectType[] BY_CODE = new ObjectType[256];

    static {
        for (ObjectType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final String pythonName;

    ObjectType(int code, String pythonName) {
        this.code = code;
        this.pythonName = pythonName;
    }

    /** The byte stored in the header. */
    public int code() {
        return code;
    }

    /** The name Python gives the type ({@code type(x).__name__}). */
    public String pythonName() {
        return pythonName;
    }

    /** Whether chunks of this type are Python objects with a reference count. */
    public boolean isObject() {
        return code < BLOCK.code;
    }

    /** Whether objects of this type hold references to other objects. */
    public boolean isContainer() {
        return this == LIST || this == TUPLE || this == DICT;
    }

    /** The type with header code {@code code}, or null if no type has it (a corrupt or bogus header). */
    public static ObjectType ofCode(int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }
}
