// The command line every chapter's demo shares: --quick, --size, --touch, --seed, --help, and the flags a demo opts into.
package cowfork.experiment;

import cowfork.heap.Heap;
import cowfork.heap.RefCountStrategies;
import cowfork.support.CommandLine;
import cowfork.support.Sizes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A demo's parsed command line. Every demo (chapters 03, 04, 05) accepts the same
 * dataset flags, so a reader learns them once and a typo is refused with the same words
 * everywhere: {@code --quick}, {@code --size BYTES}, {@code --touch FRACTION},
 * {@code --seed N}, {@code --help}. A demo may also accept {@link Flag#STRATEGY}
 * ({@code --strategy NAME}), {@link Flag#SVG} ({@code --svg DIR}) and {@link Flag#PREDICT}
 * ({@code --predict [N]}, see {@link Predict}). When a flag is given twice, the last one
 * wins ({@code --quick} counts as a {@code --size}).
 *
 * @param size     the dataset size in bytes, at least {@link #MIN_SIZE}
 * @param touch    the fraction of items the child serves, within [0, 1]
 * @param seed     the dataset's random seed
 * @param strategy the registered name of the strategy {@code --strategy} named, or null if not given
 * @param svgDir   the directory {@code --svg} named, or null if not given
 * @param quick    whether {@code --quick} was given (a figure's footer says so)
 * @param predict  what {@code --predict} asked for, or null if it was not given
 */
public record DemoOptions(long size, double touch, long seed, String strategy, Path svgDir, boolean quick,
                          Predict.Request predict) {
    /** The dataset size of {@code --quick} (4m): small enough for CI and the tour. */
    public static final long QUICK_SIZE = 4L << 20;
    /** The smallest dataset the builder can lay out. */
    public static final long MIN_SIZE = 64L << 10;
    /** The fraction of items served when {@code --touch} is not given. */
    public static final double DEFAULT_TOUCH = 0.1;

    /** The flags a demo may accept besides the common ones. */
    public enum Flag {
        /** {@code --strategy NAME}: a refcount strategy registered on the class path. */
        STRATEGY,
        /** {@code --svg DIR}: also write figures into DIR. */
        SVG,
        /** {@code --predict [N]}: the reader's guess, before the run reveals the answer ({@link Predict}). */
        PREDICT
    }

    /** Options without {@code --predict}. */
    public DemoOptions(long size, double touch, long seed, String strategy, Path svgDir, boolean quick) {
        this(size, touch, seed, strategy, svgDir, quick, null);
    }

    /**
     * Parses {@code args}, accepting the common flags and those in {@code optional}.
     *
     * @return the options, or null when {@code --help} (or {@code -h}) was given: the caller prints its usage
     * @throws IllegalArgumentException naming the argument that is wrong and why: an unknown flag,
     *         a flag without its value, a size that does not parse or is below 64k, a touch outside
     *         [0, 1], a seed that is not a whole number, a strategy that is not registered, a guess
     *         that is not a number of pages, or {@code --predict} without one and without a terminal
     */
    public static DemoOptions parse(String[] args, Flag... optional) {
        return parse(args, Predict.terminal(), optional);
    }

    /** As {@link #parse(String[], Flag...)}, told whether there is a terminal to ask a guess on. */
    static DemoOptions parse(String[] args, boolean terminal, Flag... optional) {
        Set<Flag> accepted = optional.length == 0 ? EnumSet.noneOf(Flag.class) : EnumSet.of(optional[0], optional);
        long size = DatasetBuilder.DEFAULT_TARGET;
        double touch = DEFAULT_TOUCH;
        long seed = DatasetBuilder.DEFAULT_SEED;
        String strategy = null;
        Path svg = null;
        boolean quick = false;
        Predict.Request predict = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--quick" -> {
                    size = QUICK_SIZE;
                    quick = true;
                }
                case "--size" -> size = Sizes.parse(CommandLine.value(args, ++i, a), Heap.MAX_BYTES);
                case "--touch" -> touch = fraction(CommandLine.value(args, ++i, a));
                case "--seed" -> seed = CommandLine.wholeNumber(a, CommandLine.value(args, ++i, a), Long.MIN_VALUE, Long.MAX_VALUE);
                case "--strategy" -> {
                    refuseUnless(accepted, Flag.STRATEGY, a);
                    strategy = RefCountStrategies.byName(CommandLine.value(args, ++i, a)).name();
                }
                case "--svg" -> {
                    refuseUnless(accepted, Flag.SVG, a);
                    svg = Path.of(CommandLine.value(args, ++i, a));
                }
                case Predict.FLAG -> {
                    refuseUnless(accepted, Flag.PREDICT, a);
                    Predict.Parsed p = Predict.parse(args, i);
                    predict = p.request();
                    i += p.arguments() - 1;
                }
                default -> throw unknown(a);
            }
        }
        Predict.requireTerminal(predict, terminal);
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("--size " + size + " is too small for a dataset: use at least 64k");
        }
        return new DemoOptions(size, touch, seed, strategy, svg, quick, predict);
    }

    /**
     * A demo's usage text, for {@code --help} and after a bad argument: the synopsis, one
     * help line per common flag, the lines of the flags the demo adds, then {@code closing}.
     *
     * @param chapter     the chapter's number as {@code ./cowfork demo} takes it, e.g. "03"
     * @param sizeDefault what the {@code --size} line says in parentheses, e.g. "default 32m"
     * @param servedBy    who serves the {@code --touch} fraction, e.g. "the child"
     * @param extraFlags  the added flags, each as {flag with its value's name, what it does},
     *                    e.g. {"--svg DIR", "also write ..."}; a "\n" in what it does starts
     *                    a line under the first, in the same column
     * @param closing     lines printed after the flags (none is fine)
     */
    public static String usage(String chapter, String sizeDefault, String servedBy, List<String[]> extraFlags,
                               String... closing) {
        StringBuilder text = new StringBuilder("usage: ./cowfork demo " + chapter
                + " [--quick] [--size BYTES] [--touch FRACTION] [--seed N]");
        extraFlags.forEach(f -> text.append(" [").append(f[0]).append(']'));
        List<String[]> lines = new ArrayList<>(List.of(
            new String[] {"--quick", "a small dataset (4m), for a fast run"},
            new String[] {"--size BYTES", "dataset size, with k/m/g suffixes (" + sizeDefault + ")"},
            new String[] {"--touch FRACTION", "the fraction of items " + servedBy + " serves as JSON, 0 to 1 (default "
                    + DEFAULT_TOUCH + ")"},
            new String[] {"--seed N", "the dataset's random seed (default " + DatasetBuilder.DEFAULT_SEED + ")"}));
        lines.addAll(extraFlags);
        for (String[] line : lines) {
            text.append(String.format(Locale.ROOT, "\n  %-18s%s", line[0], line[1].replace("\n", "\n" + " ".repeat(20))));
        }
        for (String line : closing) {
            text.append('\n').append(line);
        }
        return text.toString();
    }

    /** The strategy {@code --strategy} named, or {@code fallback} if it was not given. */
    public String strategyOr(String fallback) {
        return strategy == null ? fallback : strategy;
    }

    private static void refuseUnless(Set<Flag> accepted, Flag flag, String arg) {
        if (!accepted.contains(flag)) {
            throw unknown(arg);
        }
    }

    private static IllegalArgumentException unknown(String arg) {
        return new IllegalArgumentException("unknown argument '" + arg + "'");
    }

    private static double fraction(String s) {
        double f;
        try {
            f = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            f = Double.NaN;
        }
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("--touch '" + s + "' is not a fraction between 0 and 1 (e.g. 0.1)");
        }
        return f;
    }
}
