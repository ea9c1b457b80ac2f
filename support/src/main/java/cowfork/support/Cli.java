// Every subcommand's command line, read by picocli: one behaviour for --flag value and --flag=value, a generated --help.
package cowfork.support;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a subcommand's arguments into its options object: a class annotated with picocli's
 * {@code @Command}, whose fields carry {@code @Option} and {@code @Parameters}, and which mixes in
 * {@link Help} for {@code -h}/{@code --help}. Each subcommand has its options in one such type.
 *
 * <pre>{@code
 * @Command(name = "./cowfork serve", description = "The pre-forked HTTP server.")
 * static final class Options {
 *     @Mixin Cli.Help help;
 *     @Option(names = "--workers", description = "worker processes (default: ${DEFAULT-VALUE})")
 *     int workers = 2;
 *     @Option(names = "--data-size", converter = Cli.Size.class, description = "data set size, e.g. 32m")
 *     long dataSize = 32L << 20;
 * }
 *
 * Options o = Cli.parse(new Options(), args);
 * if (o == null) return;            // --help was printed
 * }</pre>
 *
 * Bad input is an {@link IllegalArgumentException} whose message names the flag and the form it
 * expects, and ends by pointing at {@code --help}: {@code ./cowfork} prints it after "cowfork: "
 * and exits with status 2, as it always has. A flag given twice takes its last value. A whole
 * number may have "_" between its digits ({@code 10_000}). Checks that span several options, or
 * a range, go in {@link Checked#check()}: its message gets the same pointer at {@code --help}.
 */
public final class Cli {
    private Cli() {
    }

    /**
     * {@code -h} and {@code --help}, for {@code @Mixin}: prints the generated usage and stops. Listed
     * last where a command keeps its options in their order ({@code sortOptions = false}).
     */
    public static final class Help {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit", order = 1000)
        boolean requested;
    }

    /**
     * A converter that refuses a value with an {@link IllegalArgumentException}: its message
     * becomes picocli's "Invalid value for option '--flag': MESSAGE", so it should say what the
     * value was and what form is expected.
     */
    public interface Converter<T> extends ITypeConverter<T> {
        /** The value {@code text} names. @throws IllegalArgumentException saying why it names none */
        T parse(String text);

        @Override
        default T convert(String text) {
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * A word from a short list ({@code no}, {@code yes}, {@code both}): a subclass names the list
     * in its constructor, and the error lists it.
     */
    public abstract static class OneOf implements Converter<String> {
        private final List<String> words;

        protected OneOf(List<String> words) {
            this.words = List.copyOf(words);
        }

        @Override
        public String parse(String text) {
            if (!words.contains(text)) {
                throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(", ", words));
            }
            return text;
        }
    }

    /** A byte size on the command line: {@code 4096}, {@code 64k}, {@code 32m}, {@code 1g} (see {@link Sizes#parse}). */
    public static final class Size implements Converter<Long> {
        @Override
        public Long parse(String text) {
            return Sizes.parse(text, 0, Long.MAX_VALUE);
        }
    }

    /** An options type with checks the annotations cannot state (a range, two options together). */
    public interface Checked {
        /**
         * Runs after a parse that filled the options (not after {@code --help}).
         *
         * @throws IllegalArgumentException naming the flag and what it takes
         */
        void check();
    }

    /**
     * {@code value} if it lies in {@code min..max}.
     *
     * @throws IllegalArgumentException "FLAG must be between MIN and MAX, got VALUE" (or "at least MIN")
     */
    public static long within(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " must be " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? "at least " + min : "between " + min + " and " + max) + ", got " + value);
        }
        return value;
    }

    /**
     * {@code bytes} if it lies in {@code min..max}: {@link #within} for a {@link Size}, in the units a reader types.
     *
     * @throws IllegalArgumentException "FLAG must be between 64.0 KiB and 64.0 GiB, got 1.0 KiB"
     */
    public static long withinSize(String flag, long bytes, long min, long max) {
        if (bytes < min || bytes > max) {
            throw new IllegalArgumentException(flag + " must be between " + Sizes.format(min) + " and " + Sizes.format(max)
                    + ", got " + Sizes.format(bytes));
        }
        return bytes;
    }

    /** A whole number: digits with an optional sign, "_" allowed between digits as in Java ({@code 10_000}). */
    private static long wholeNumber(String text, long min, long max) {
        String digits = text.strip();
        if (!digits.matches("[-+]?[0-9]+(_+[0-9]+)*")) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
        try {
            long v = Long.parseLong(digits.replace("_", ""));
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // too large even for a long: the message below
        }
        throw new TypeConversionException("'" + text + "' is out of range (" + min + " to " + max + ")");
    }

    /**
     * Fills {@code options} from {@code args}.
     *
     * @return {@code options}, or null when {@code --help} was asked for: the usage is then printed on
     *         standard output and the caller returns
     * @throws IllegalArgumentException for an unknown flag, a missing or malformed value, a missing
     *         parameter: the message names it and says where the full usage is
     */
    public static <T> T parse(T options, String[] args) {
        return parse(options, args, command -> {
        });
    }

    /**
     * As {@link #parse(Object, String[])}, after {@code configure} has had the parser (to add a
     * converter or allow an option's arity, say).
     */
    public static <T> T parse(T options, String[] args, Consumer<picocli.CommandLine> configure) {
        return parse(options, args, configure, System.out);
    }

    /** As {@link #parse(Object, String[])}, printing the usage of {@code --help} on {@code helpOut}. */
    public static <T> T parse(T options, String[] args, PrintStream helpOut) {
        return parse(options, args, command -> {
        }, helpOut);
    }

    private static <T> T parse(T options, String[] args, Consumer<picocli.CommandLine> configure, PrintStream helpOut) {
        picocli.CommandLine command = new picocli.CommandLine(options);
        command.setOverwrittenOptionsAllowed(true);
        command.registerConverter(Integer.class, text -> (int) wholeNumber(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        command.registerConverter(Integer.TYPE, text -> (int) wholeNumber(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        command.registerConverter(Long.class, text -> wholeNumber(text, Long.MIN_VALUE, Long.MAX_VALUE));
        command.registerConverter(Long.TYPE, text -> wholeNumber(text, Long.MIN_VALUE, Long.MAX_VALUE));
        configure.accept(command);
        String help = " (" + command.getCommandName() + " --help shows every option)";
        boolean helpAsked;
        try {
            command.parseArgs(args);
            helpAsked = command.isUsageHelpRequested();
        } catch (ParameterException e) {
            if (!asksForHelp(args)) {
                throw new IllegalArgumentException(e.getMessage() + help, e);
            }
            helpAsked = true; // --help wins over a mistake elsewhere on the line
        }
        if (helpAsked) {
            command.usage(new PrintWriter(helpOut, true));
            return null;
        }
        if (options instanceof Checked checked) {
            try {
                checked.check();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + help, e);
            }
        }
        return options;
    }

    private static boolean asksForHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("-h") || a.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /**
     * What {@link #parse(Object, String[], String, PrintStream, PrintStream)} found: the options
     * to run with, or none, and then the exit code the command ends with.
     *
     * @param options  the filled options, or null when the command is done
     * @param exitCode 0 after {@code --help}, 2 after bad input; meaningless when {@code options} is not null
     */
    public record Outcome<T>(T options, int exitCode) {}

    /**
     * For a command that prints its own errors (one that is also started directly with
     * {@code java}, where no {@code ./cowfork} prints them): {@link #parse(Object, String[], PrintStream)},
     * with bad input printed on {@code err} as "NAME: MESSAGE".
     */
    public static <T> Outcome<T> parse(T options, String[] args, String name, PrintStream out, PrintStream err) {
        try {
            T parsed = parse(options, args, out);
            return new Outcome<>(parsed, 0); // null after --help: the usage is printed
        } catch (IllegalArgumentException e) { // the message names the flag and points at --help
            err.println(name + ": " + e.getMessage());
            return new Outcome<>(null, 2);
        }
    }

    /** The usage text {@code --help} prints for {@code options}, for a caller that shows it elsewhere. */
    public static String usage(Object options) {
        return new picocli.CommandLine(options).getUsageMessage();
    }
}
