// The command line every chapter's demo shares: --quick, --size, --touch, --seed, --help, read by picocli; each demo adds its own flags.
package cowfork.experiment;

import cowfork.heap.Heap;
import cowfork.heap.RefCountStrategies;
import cowfork.support.Cli;
import cowfork.support.Sizes;
import java.nio.file.Path;
import java.util.Iterator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A demo's parsed command line. Every demo (chapters 03, 04, 05) accepts the same
 * dataset flags, so a reader learns them once and a typo is refused with the same words
 * everywhere: {@code --quick}, {@code --size BYTES}, {@code --touch FRACTION},
 * {@code --seed N}, {@code --help}. They are declared once, in {@link Command}; each demo's
 * options type extends it with the flags that demo adds ({@code --strategy NAME},
 * {@code --svg DIR}, {@code --predict [N]}, see {@link Predict}), and a flag a demo does not
 * declare is unknown to it. When a flag is given twice, the last one wins ({@code --quick}
 * counts as a {@code --size}).
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

    /**
     * The options every demo shares, for a demo's options type to extend: it adds
     * {@code @Command(name = "./cowfork demo NN", sortOptions = false, sortSynopsis = false, ...)}
     * and its own {@code @Option}s (with {@code order} 10 and up, listed after these), says the
     * question {@code --predict} asks, and overrides the getters of the options it adds.
     */
    public abstract static class Command implements Cli.Checked {
        @Mixin
        Cli.Help help;

        long size = DatasetBuilder.DEFAULT_TARGET;
        boolean quick;

        @Option(names = "--touch", order = 3, paramLabel = "FRACTION", converter = Fraction.class,
                description = "the fraction of items served as JSON, 0 to 1 (default: ${DEFAULT-VALUE})")
        double touch = DEFAULT_TOUCH;

        @Option(names = "--seed", order = 4, paramLabel = "N", description = "the dataset's random seed (default: ${DEFAULT-VALUE})")
        long seed = DatasetBuilder.DEFAULT_SEED;

        /** Whether there is a terminal to ask a guess on: {@code --predict} without N needs one. */
        boolean terminal = Predict.terminal();

        @Option(names = "--quick", description = "a small dataset (4m), for a fast run", order = 1)
        void quick(boolean given) {
            size = QUICK_SIZE;
            quick = true;
        }

        @Option(names = "--size", paramLabel = "BYTES", converter = DatasetSize.class, order = 2,
                description = "dataset size, with k/m/g suffixes, at least 64k (default: 32m)")
        void size(long bytes) {
            size = bytes;
        }

        @Option(names = "--svg", order = 5, paramLabel = "DIR",
                description = "also write the demo's figures into DIR (the docs use docs/figures)")
        Path svg;

        @Option(names = Predict.FLAG, order = 6, arity = "0..1", paramLabel = "N", converter = Predict.Guess.class,
                description = "guess first, then run: N is your guess (without N, you are asked); the question is below."
                        + " After the run: your guess, the model's count and the kernel's, side by side")
        Predict.Request predict;

        /** Sets the usage's footer: what the demo compares ({@link #footer()}) and the question {@code --predict} asks. */
        @Spec
        void spec(CommandSpec spec) {
            String footer = footer();
            spec.usageMessage().footer(("\n" + (footer == null ? "" : footer + "\n") + "--predict asks: " + question())
                    .replace("%", "%%").replace("\n", "%n"));
        }

        /** The one question {@code --predict} asks in this demo, for its usage. */
        protected abstract String question();

        /** Lines printed after the options (computed when the usage is: the registered strategies, say), or null. */
        protected String footer() {
            return null;
        }

        /** The registered strategy {@code --strategy} named, or null: for a demo that declares it. */
        protected String strategy() {
            return null;
        }

        /** Told whether there is a terminal to ask a guess on (tests say; the default asks the JVM). */
        public Command terminal(boolean present) {
            terminal = present;
            return this;
        }

        @Override
        public void check() {
            if (size < MIN_SIZE) {
                throw new IllegalArgumentException("--size " + size + " is too small for a dataset: use at least 64k");
            }
            Predict.requireTerminal(predict, terminal);
        }

        /** The parsed options. */
        public DemoOptions options() {
            return new DemoOptions(size, touch, seed, strategy(), svg, quick, predict);
        }
    }

    /** Options without {@code --predict}. */
    public DemoOptions(long size, double touch, long seed, String strategy, Path svgDir, boolean quick) {
        this(size, touch, seed, strategy, svgDir, quick, null);
    }

    /**
     * Parses {@code args} into {@code command}, a demo's options type.
     *
     * @return the options, or null when {@code --help} (or {@code -h}) was given: its usage is then printed
     * @throws IllegalArgumentException naming the flag that is wrong and why: an unknown flag,
     *         a flag without its value, a size that does not parse or is below 64k, a touch outside
     *         [0, 1], a seed that is not a whole number, a strategy that is not registered, a guess
     *         that is not a number of pages, or {@code --predict} without one and without a terminal
     */
    public static DemoOptions parse(Command command, String... args) {
        return Cli.parse(command, args) == null ? null : command.options();
    }

    /** {@code --size}: a byte size up to the largest heap ({@link Heap#MAX_BYTES}). */
    static final class DatasetSize implements Cli.Converter<Long> {
        @Override
        public Long parse(String text) {
            return Sizes.parse(text, Heap.MAX_BYTES);
        }
    }

    /** {@code --strategy}: the name of a strategy registered on the class path. */
    public static final class Strategy implements Cli.Converter<String> {
        @Override
        public String parse(String text) {
            return RefCountStrategies.byName(text).name();
        }
    }

    /** The registered strategies' names, for {@code ${COMPLETION-CANDIDATES}} in {@code --strategy}'s description. */
    public static final class StrategyNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return RefCountStrategies.names().iterator();
        }
    }

    /** {@code --touch}: a fraction between 0 and 1. */
    static final class Fraction implements Cli.Converter<Double> {
        @Override
        public Double parse(String s) {
            double f;
            try {
                f = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                f = Double.NaN;
            }
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("'" + s + "' is not a fraction between 0 and 1 (e.g. 0.1)");
            }
            return f;
        }
    }

    /** The strategy {@code --strategy} named, or {@code fallback} if it was not given. */
    public String strategyOr(String fallback) {
        return strategy == null ? fallback : strategy;
    }
}
