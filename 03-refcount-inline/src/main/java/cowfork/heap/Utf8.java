// Strings are stored as UTF-8 in the heap; Java speaks UTF-16: hash, compare and decode between them without allocating.
package cowfork.heap;

import cowfork.cow.Region;

/**
 * UTF-8 helpers that work on a Java {@link CharSequence} and on bytes in a {@link Region}
 * without building temporary arrays or strings, so a request-serving loop (module 06)
 * can look up keys and write JSON with almost no Java-heap allocation.
 *
 * <p>The string hash is 32-bit FNV-1a over the UTF-8 bytes; a lone surrogate char is
 * encoded as U+FFFD, as {@link String#getBytes} does.
 */
final class Utf8 {
    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    private Utf8() {
    }

    /** The hash of {@code bytes[0..length)}. */
    static int hash(byte[] bytes, int length) {
        int h = FNV_OFFSET;
        for (int i = 0; i < length; i++) {
            h = (h ^ (bytes[i] & 0xFF)) * FNV_PRIME;
        }
        return h;
    }

    /** The hash of the UTF-8 encoding of {@code s}; equal to {@code hash(s.getBytes(UTF_8))}. */
    static int hash(CharSequence s) {
        int h = FNV_OFFSET;
        int n = s.length();
        for (int i = 0; i < n; ) {
            int cp = codePointAt(s, i);
            i += cp >= 0x10000 ? 2 : 1;
            int len = encodedLength(cp);
            for (int b = 0; b < len; b++) {
                h = (h ^ encodedByte(cp, len, b)) * FNV_PRIME;
            }
        }
        return h;
    }

    /** Whether the {@code length} bytes at {@code offset} are the UTF-8 encoding of {@code s}. */
    static boolean equals(Region region, long offset, int length, CharSequence s) {
        int n = s.length();
        int at = 0;
        for (int i = 0; i < n; ) {
            int cp = codePointAt(s, i);
            i += cp >= 0x10000 ? 2 : 1;
            int len = encodedLength(cp);
            if (at + len > length) {
                return false;
            }
            for (int b = 0; b < len; b++) {
                if ((region.getByte(offset + at + b) & 0xFF) != encodedByte(cp, len, b)) {
                    return false;
                }
            }
            at += len;
        }
        return at == length;
    }

    /**
     * Appends the text of the {@code length} UTF-8 bytes at {@code offset} to {@code out},
     * as a JSON string body (quotes, backslashes and control characters escaped).
     * The bytes were written by {@link Heap#newStr}, so they are well-formed.
     */
    static void appendJsonEscaped(Region region, long offset, int length, StringBuilder out) {
        long end = offset + length;
        long p = offset;
        while (p < end) {
            int b0 = region.getByte(p) & 0xFF;
            int cp;
            if (b0 < 0x80) {
                cp = b0;
                p += 1;
            } else if (b0 < 0xE0) {
                cp = (b0 & 0x1F) << 6 | cont(region, p + 1);
                p += 2;
            } else if (b0 < 0xF0) {
                cp = (b0 & 0x0F) << 12 | cont(region, p + 1) << 6 | cont(region, p + 2);
                p += 3;
            } else {
                cp = (b0 & 0x07) << 18 | cont(region, p + 1) << 12 | cont(region, p + 2) << 6 | cont(region, p + 3);
                p += 4;
            }
            appendJsonChar(cp, out);
        }
    }

    private static int cont(Region region, long at) {
        return region.getByte(at) & 0x3F;
    }

    private static void appendJsonChar(int cp, StringBuilder out) {
        switch (cp) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (cp < 0x20) {
                    out.append("\\u00").append(Character.forDigit(cp >> 4, 16)).append(Character.forDigit(cp & 15, 16));
                } else {
                    out.appendCodePoint(cp);
                }
            }
        }
    }

    private static int codePointAt(CharSequence s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            return Character.toCodePoint(c, s.charAt(i + 1));
        }
        return Character.isSurrogate(c) ? 0xFFFD : c;
    }

    private static int encodedLength(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** Byte {@code b} (0-based) of the {@code len}-byte UTF-8 encoding of {@code cp}. */
    private static int encodedByte(int cp, int len, int b) {
        if (len == 1) {
            return cp;
        }
        if (b == 0) {
            int lead = len == 2 ? 0xC0 : len == 3 ? 0xE0 : 0xF0;
            return lead | cp >> (6 * (len - 1));
        }
        return 0x80 | (cp >> (6 * (len - 1 - b))) & 0x3F;
    }
}
