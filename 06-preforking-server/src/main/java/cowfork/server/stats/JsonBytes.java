// A JSON document written by hand into one byte array, kept from document to document: writing one makes no garbage.
package cowfork.server.stats;

import cowfork.server.http.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a document and the few ways to add to them: a byte, bytes, an ASCII string
 * (strategy and state names, written as they are: never user text, so nothing to escape), a
 * decimal. The array grows while the first documents are written and is then reused, so the
 * master polled for /dashboard/data for hours allocates nothing here.
 */
final class JsonBytes {
    private byte[] out;
    private int length;

    JsonBytes(int capacity) {
        out = new byte[capacity];
    }

    /** Empties the document; the array stays. */
    void clear() {
        length = 0;
    }

    /** Room for {@code more} bytes. */
    void ensure(int more) {
        if (length + more > out.length) {
            out = Arrays.copyOf(out, Math.max(2 * out.length, length + more)); // the first documents only
        }
    }

    JsonBytes put(byte b) {
        ensure(1);
        out[length++] = b;
        return this;
    }

    JsonBytes put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, out, length, b.length);
        length += b.length;
        return this;
    }

    JsonBytes put(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            out[length++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    JsonBytes putDecimal(long v) {
        ensure(20);
        length = Bytes.putDecimal(out, length, out.length, v);
        return this;
    }

    /** The array the document is in, valid until the next {@link #clear}; the document is [0, {@link #length()}). */
    byte[] bytes() {
        return out;
    }

    int length() {
        return length;
    }

    /** The document as a string (allocates: for /stats, asked for rarely). */
    @Override
    public String toString() {
        return new String(out, 0, length, StandardCharsets.US_ASCII);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
