// Writing ASCII text and decimal numbers into a byte array without creating a String: the response path's toolkit.
package cowfork.server.http;

import java.nio.charset.StandardCharsets;

/**
 * Small allocation-free helpers for building responses in place. Each {@code put} writes
 * at {@code pos} and returns the position after what it wrote, or -1 if it does not fit
 * before {@code limit} (the caller answers 500 or sends the response in parts).
 */
public final class Bytes {
    private Bytes() {}

    /** The ASCII bytes of a constant (allocates: call once, at class initialisation). */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Copies {@code src} to {@code dst[pos..]}; -1 if it does not fit before {@code limit}. */
    public static int put(byte[] dst, int pos, int limit, byte[] src) {
        if (pos < 0 || pos + src.length > limit) {
            return -1;
        }
        System.arraycopy(src, 0, dst, pos, src.length);
        return pos + src.length;
    }

    /** Copies {@code src[from, to)}. */
    public static int put(byte[] dst, int pos, int limit, byte[] src, int from, int to) {
        int n = to - from;
        if (pos < 0 || pos + n > limit) {
            return -1;
        }
        System.arraycopy(src, from, dst, pos, n);
        return pos + n;
    }

    /** One byte. */
    public static int put(byte[] dst, int pos, int limit, char c) {
        if (pos < 0 || pos >= limit) {
            return -1;
        }
        dst[pos] = (byte) c;
        return pos + 1;
    }

    /** {@code value} in decimal, with a '-' when negative. */
    public static int putDecimal(byte[] dst, int pos, int limit, long value) {
        if (pos < 0) {
            return -1;
        }
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                return put(dst, pos, limit, MIN_LONG);
            }
            pos = put(dst, pos, limit, '-');
            value = -value;
            if (pos < 0) {
                return -1;
            }
        }
        int digits = digits(value);
        if (pos + digits > limit) {
            return -1;
        }
        for (int i = pos + digits - 1; i >= pos; i--) {
            dst[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return pos + digits;
    }

    private static final byte[] MIN_LONG = ascii(Long.toString(Long.MIN_VALUE));

    /** How many decimal digits {@code value} (≥ 0) has. */
    public static int digits(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }

    /** Whether {@code buf[start, end)} equals {@code word}. */
    public static boolean equals(byte[] buf, int start, int end, byte[] word) {
        if (end - start != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (buf[start + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code buf[start, end)} begins with {@code prefix}. */
    public static boolean startsWith(byte[] buf, int start, int end, byte[] prefix) {
        return end - start >= prefix.length && equals(buf, start, start + prefix.length, prefix);
    }

    /** Where {@code b} first occurs in {@code buf[start, end)}, or -1. */
    public static int indexOf(byte[] buf, int start, int end, byte b) {
        for (int i = start; i < end; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** A non-negative decimal of at most 18 digits, or -1. */
    public static long parseDecimal(byte[] buf, int start, int end) {
        if (end <= start || end - start > 18) {
            return -1;
        }
        long n = 0;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    /**
     * The value of query parameter {@code name} in {@code buf[start, end)} (a query string
     * without the '?') as a non-negative decimal; {@code absent} if the parameter is missing,
     * -1 if it is present but not a decimal of at most 18 digits.
     */
    public static long queryLong(byte[] buf, int start, int end, byte[] name, long absent) {
        int p = start;
        while (p < end) {
            int amp = indexOf(buf, p, end, (byte) '&');
            int pe = amp < 0 ? end : amp;
            int eq = indexOf(buf, p, pe, (byte) '=');
            if (eq > 0 && equals(buf, p, eq, name)) {
                return parseDecimal(buf, eq + 1, pe);
            }
            p = pe + 1;
        }
        return absent;
    }
}
