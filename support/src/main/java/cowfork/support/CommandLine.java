// Reading a demo's command line: the value that follows a flag, or a clear error naming the flag.
package cowfork.support;

/** The one helper every chapter's option parser shares; the parsing of each value stays with its chapter. */
public final class CommandLine {
    private CommandLine() {
    }

    /**
     * {@code args[i]}, the value that follows {@code flag} (which was {@code args[i - 1]}).
     *
     * @throws IllegalArgumentException "FLAG needs a value" when the command line ends before {@code i}
     */
    public static String value(String[] args, int i, String flag) {
        return value(args, i, flag, null);
    }

    /**
     * As {@link #value(String[], int, String)}; the error message ends with {@code usage}
     * on a line of its own when it is not null.
     */
    public static String value(String[] args, int i, String flag, String usage) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value" + (usage == null ? "" : "\n" + usage));
        }
        return args[i];
    }

    /**
     * The whole number {@code text} names (digits, an optional sign, "_" between digits as in Java: 10_000).
     *
     * @throws IllegalArgumentException "FLAG takes a whole number, got 'TEXT'", or "FLAG must be
     *         between MIN and MAX, got V" outside {@code min..max}
     */
    public static long wholeNumber(String flag, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a whole number, got '" + text + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }
}
