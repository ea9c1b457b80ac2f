// ./cowfork demo NN --predict [N]: the student guesses a page count before the run, and the run shows the guess, the model and the kernel side by side.
package cowfork.experiment;

import cowfork.support.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Predict, then run: the homework pattern of OSTEP's simulators, shared by the demos of
 * chapters 03, 04 and 05. Each demo asks one question, a number of pages; this class does
 * the rest, the same way in every chapter:
 * <ol>
 *   <li>{@link Guess}: {@code --predict N} (or {@code --predict=N}) gives the guess on the
 *       command line (for tests and transcripts); {@code --predict} alone asks for it on the
 *       terminal, and without a terminal is a usage error ({@link #requireTerminal}). A demo
 *       declares the flag in its options type, with the question it asks:
 *       {@code @Option(names = Predict.FLAG, arity = "0..1", paramLabel = "N", converter = Predict.Guess.class)};</li>
 *   <li>{@link #ask}: prints the question (and the guess, when it was given) before the
 *       child runs;</li>
 *   <li>{@link #comparison}: after the run, the guess, the model's prediction and the
 *       kernel's count side by side, with how far the guess was from the kernel:
 * <pre>
 * predict: your guess              3,000 pages
 *          the model predicts      3,744 pages   (predictPrivatePages, from the touched objects' header addresses)
 *          the kernel says         3,744 pages   (the child's private pages, from /proc/PID/pagemap)
 *          the model matches the kernel page for page; your guess was 744 pages (20%) low
 * </pre></li>
 * </ol>
 */
public final class Predict {
    /** The flag. */
    public static final String FLAG = "--predict";
    /** What every line after the first is indented by, under {@code "predict: "}. */
    private static final String INDENT = "         ";

    /**
     * What {@code --predict} asked for.
     *
     * @param given the guess given as {@code --predict N}, or empty: ask on the terminal
     */
    public record Request(OptionalLong given) {
        /** {@code --predict} alone: ask on the terminal. */
        public static Request ask() {
            return new Request(OptionalLong.empty());
        }

        /** {@code --predict N}. */
        public static Request of(long guess) {
            return new Request(OptionalLong.of(guess));
        }
    }

    /**
     * One of the two answers the guess is compared with.
     *
     * @param pages how many pages
     * @param how   where the number comes from, printed in parentheses after it
     */
    public record Count(long pages, String how) {
    }

    private Predict() {
    }

    /**
     * {@code --predict}'s value: {@code --predict N} gives the guess; {@code --predict} alone
     * (picocli passes "" when the next argument is another flag, or there is none) asks on the
     * terminal.
     */
    public static final class Guess implements Cli.Converter<Request> {
        @Override
        public Request parse(String text) {
            return text.isEmpty() ? Request.ask() : Request.of(guess(text));
        }
    }

    /**
     * The guess {@code text} names: a whole number of pages, 0 or more, with "," or "_"
     * between digits if one likes ("3,000", "3_000").
     *
     * @throws IllegalArgumentException saying what a guess is and what {@code text} was
     */
    static long guess(String text) {
        String digits = text.strip().replace(",", "").replace("_", "");
        if (digits.matches("[0-9]{1,18}")) {
            return Long.parseLong(digits);
        }
        throw new IllegalArgumentException("'" + text + "' is not a guess: give a whole number of pages, 0 or more (e.g. 3000)");
    }

    /**
     * Refuses a request that must ask on a terminal when there is none.
     *
     * @param terminal whether there is a terminal to ask on ({@link #terminal()})
     * @throws IllegalArgumentException if {@code request} has no guess and {@code terminal} is false
     */
    public static void requireTerminal(Request request, boolean terminal) {
        if (request != null && request.given().isEmpty() && !terminal) {
            throw new IllegalArgumentException(FLAG + " needs your guess when there is no terminal to ask on:"
                    + " give it as a number of pages, e.g. " + FLAG + " 3000");
        }
    }

    /** Whether this JVM has a terminal to ask on: {@code System.console()} is not null. */
    public static boolean terminal() {
        return System.console() != null;
    }

    /**
     * Prints {@code question} and returns the guess: the one {@code --predict N} gave
     * (printed after the prompt, as if typed), or one read from standard input, asking
     * again until a line is a whole number of pages.
     *
     * @param question the question, one sentence per element: the first is printed after
     *                 {@code "predict: "}, the others under it, the last followed by {@code " > "}
     * @return the guess, or empty if the input ended before a number was typed (the run goes
     *         on and still shows the answer)
     */
    public static OptionalLong ask(Request request, PrintStream out, String... question) {
        return ask(request, out, request.given().isPresent() ? null
                : new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())), question);
    }

    /** As {@link #ask(Request, PrintStream, String...)}, reading typed guesses from {@code in}. */
    static OptionalLong ask(Request request, PrintStream out, BufferedReader in, String... question) {
        for (int i = 0; i < question.length; i++) {
            out.print((i == 0 ? "predict: " : INDENT) + question[i] + (i == question.length - 1 ? " > " : "\n"));
        }
        if (request.given().isPresent()) {
            out.printf(Locale.ROOT, "%,d%n", request.given().getAsLong());
            return request.given();
        }
        while (true) {
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the guess", e);
            }
            if (line == null) {
                out.println();
                out.println(INDENT + "no guess: the run goes on, and shows the answer");
                return OptionalLong.empty();
            }
            try {
                return OptionalLong.of(guess(line));
            } catch (IllegalArgumentException e) {
                out.print(INDENT + "a whole number of pages, please (e.g. 3000) > ");
            }
        }
    }

    /**
     * The side-by-side comparison printed after the run: four lines, the last ending in a
     * newline. How far the guess was is measured from the kernel's count, as a number of
     * pages and as a percentage of the kernel's count (rounded; "under 1%" when that
     * rounds to 0, none when the kernel's count is 0).
     *
     * @param guess      the student's guess, or empty if none was given
     * @param model      what the model predicted
     * @param kernel     what the kernel reported
     * @param pageByPage whether the model named exactly the kernel's pages (not just as many)
     */
    public static String comparison(OptionalLong guess, Count model, Count kernel, boolean pageByPage) {
        String g = guess.isPresent() ? number(guess.getAsLong()) : "-";
        String m = number(model.pages());
        String k = number(kernel.pages());
        int width = Math.max(11, Math.max(g.length(), Math.max(m.length(), k.length())) + 6);
        String row = "%-18s%" + width + "s %s%s%n";
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "predict: " + row, "your guess", g, guess.isPresent() ? "pages" : "(none)", ""));
        text.append(String.format(Locale.ROOT, INDENT + row, "the model predicts", m, "pages", "   (" + model.how() + ")"));
        text.append(String.format(Locale.ROOT, INDENT + row, "the kernel says", k, "pages", "   (" + kernel.how() + ")"));
        String verdict = pageByPage ? "the model matches the kernel page for page"
                : model.pages() == kernel.pages() ? "the model has the kernel's count but DIFFERS on which pages"
                : "the model DIFFERS from the kernel by " + pages(Math.abs(model.pages() - kernel.pages()));
        return text.append(INDENT).append(verdict).append("; ").append(judge(guess, kernel.pages())).append('\n').toString();
    }

    /** "your guess was exact", "your guess was 744 pages (20%) low", ..., or "you gave no guess". */
    static String judge(OptionalLong guess, long truth) {
        if (guess.isEmpty()) {
            return "you gave no guess";
        }
        long g = guess.getAsLong();
        if (g == truth) {
            return "your guess was exact";
        }
        long off = Math.abs(g - truth);
        String percent = "";
        if (truth > 0) {
            long p = Math.round(100.0 * off / truth);
            percent = p == 0 ? " (under 1%)" : String.format(Locale.ROOT, " (%,d%%)", p);
        }
        return "your guess was " + pages(off) + percent + (g < truth ? " low" : " high");
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String pages(long n) {
        return number(n) + (n == 1 ? " page" : " pages");
    }
}
