// Every subcommand's command line, read by picocli: one behaviour for --flag value and --flag=value, a generated --help.
package cowfork.support;

import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

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
 * and exits with status 2, as it always has. A flag given twice takes its last value.
 */
public final class Cli {
    private Cli() {
    }

    /** {@code -h} and {@code --help}, for {@code @Mixin}: prints the generated usage and stops. */
    public static final class Help {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean requested;
    }

    /** A byte size on the command line: {@code 4096}, {@code 64k}, {@code 32m}, {@code 1g} (see {@link Sizes#parse}). */
    public static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return Sizes.parse(text, 0, Long.MAX_VALUE);
        }
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
        picocli.CommandLine command = new picocli.CommandLine(options);
        command.setOverwrittenOptionsAllowed(true);
        configure.accept(command);
        try {
            command.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + command.getCommandName() + " --help shows every option)",
                    e);
        }
        if (command.isUsageHelpRequested()) {
            command.usage(new PrintWriter(System.out, true));
            return null;
        }
        return options;
    }

    /** The usage text {@code --help} prints for {@code options}, for a caller that shows it elsewhere. */
    public static String usage(Object options) {
        return new picocli.CommandLine(options).getUsageMessage();
    }
}
