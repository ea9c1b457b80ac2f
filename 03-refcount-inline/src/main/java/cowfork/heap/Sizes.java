// Sizes on the command line: 64m, 1g, 4096; a bad size is refused with a message that says what is accepted.
package cowfork.heap;

import java.util.Locale;

/** Parses and prints byte sizes with binary suffixes (k = KiB, m = MiB, g = GiB). */
public final class Sizes {
    private Sizes() {
    }

    /**
     * The number of bytes {@code text} names: digits, optionally followed by k, m or g
     * (any case, an optional trailing "b" or "ib": 64m, 64MiB, 1g, 4096).
     *
     * @throws IllegalArgumentException for anything else, zero, or more than {@link Heap#MAX_BYTES}
     *         (64 GiB: every size parsed here ends up sizing a heap, and no heap can be larger)
     */
    public static long parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 13) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a whole number of bytes with an"
                    + " optional k, m or g suffix, e.g. 4096, 64m, 1g");
        }
        long value = Long.parseLong(digits);
        if (value == 0 || value > Heap.MAX_BYTES >> shift) {
            throw new IllegalArgumentException("size '" + text + "' is out of range: use 1 byte to " + format(Heap.MAX_BYTES)
                    + ", the largest heap the allocator can address (e.g. 32m)");
        }
        return value << shift;
    }

    /** {@code bytes} in the largest binary unit that keeps one decimal: "32.0 MiB". */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
