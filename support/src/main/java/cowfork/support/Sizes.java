// Byte sizes on the command line (64m, 1g, 4096) and in output (32.0 MiB): one syntax for every chapter.
package cowfork.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses and prints byte sizes with binary suffixes (k = KiB, m = MiB, g = GiB), so
 * that {@code --size}, {@code --sizes} and {@code --data-size} read the same in every
 * chapter. Each caller passes its own limits: a heap cannot exceed {@code Heap.MAX_BYTES},
 * a server's data set has a floor.
 */
public final class Sizes {
    private Sizes() {
    }

    /**
     * The number of bytes {@code text} names: digits, optionally followed by k, m or g
     * (any case, an optional trailing "b" or "ib": 64m, 64MiB, 1g, 4096).
     *
     * @throws IllegalArgumentException for anything else, or a size outside {@code min..max}
     *         (the message quotes {@code text} and says what is accepted)
     */
    public static long parse(String text, long min, long max) {
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
        // 13 digits keep Long.parseLong safe; the shift is checked against max before it is applied
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 13) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a whole number of bytes with an"
                    + " optional k, m or g suffix, e.g. 4096, 64m, 1g");
        }
        long value = Long.parseLong(digits);
        if (value > max >> shift || value << shift < min) {
            throw new IllegalArgumentException("size '" + text + "' is out of range: use " + format(min) + " to "
                    + format(max) + " (e.g. 32m)");
        }
        return value << shift;
    }

    /** {@link #parse} for a size of at least one byte. */
    public static long parse(String text, long max) {
        return parse(text, 1, max);
    }

    /**
     * A comma-separated list of sizes ("64m,1g"), each as {@link #parse}.
     *
     * @throws IllegalArgumentException at the first bad size, naming it
     */
    public static List<Long> parseList(String text, long min, long max) {
        List<Long> out = new ArrayList<>();
        for (String s : text.split(",", -1)) {
            out.add(parse(s, min, max));
        }
        return List.copyOf(out);
    }

    /**
     * {@code bytes} as {@link #parse} reads it back, for printing a command a reader can rerun:
     * the largest suffix that divides it exactly ("32m", "1536k", "4097").
     */
    public static String toArgument(long bytes) {
        for (int shift = 30; shift >= 10; shift -= 10) {
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + String.valueOf("kmg".charAt(shift / 10 - 1));
            }
        }
        return Long.toString(bytes);
    }

    /** {@code bytes} in the largest binary unit that keeps one decimal: "32.0 MiB"; below 1 KiB, "100 B". */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
