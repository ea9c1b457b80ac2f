// --predict [N]: its parsing, the question and the typed guess, and the side-by-side comparison whose arithmetic a property checks.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PredictTest {
    private static final Predict.Count MODEL = new Predict.Count(3744, "predictPrivatePages, from the objects' addresses");
    private static final Predict.Count KERNEL = new Predict.Count(3744, "the child's private pages, from /proc/PID/pagemap");

    @Test
    void theComparisonReadsAsTheConventionsShowIt() {
        assertThat(Predict.comparison(OptionalLong.of(3000), MODEL, KERNEL, true)).isEqualTo(""
                + "predict: your guess              3,000 pages\n"
                + "         the model predicts      3,744 pages   (predictPrivatePages, from the objects' addresses)\n"
                + "         the kernel says         3,744 pages   (the child's private pages, from /proc/PID/pagemap)\n"
                + "         the model matches the kernel page for page; your guess was 744 pages (20%) low\n");
    }

    @Test
    void aModelThatMissesSaysSoAndAMissingGuessIsShownAsNone() {
        String text = Predict.comparison(OptionalLong.empty(), new Predict.Count(3700, "m"), KERNEL, false);
        assertThat(text).startsWith("predict: your guess" + " ".repeat(18) + "- (none)\n")
                .endsWith("the model DIFFERS from the kernel by 44 pages; you gave no guess\n");
        assertThat(Predict.comparison(OptionalLong.of(3744), MODEL, KERNEL, false))
                .endsWith("the model has the kernel's count but DIFFERS on which pages; your guess was exact\n");
    }

    @Test
    void wideNumbersKeepTheColumns() {
        List<String> lines = Predict.comparison(OptionalLong.of(1_000_000_000_000L), MODEL, KERNEL, true).lines().toList();
        assertThat(lines.get(0)).endsWith("1,000,000,000,000 pages");
        int column = lines.get(0).indexOf(" pages");
        assertThat(lines.get(1).indexOf(" pages")).isEqualTo(column);
        assertThat(lines.get(2).indexOf(" pages")).isEqualTo(column);
    }

    @Test
    void theGuessIsJudgedAgainstTheKernel() {
        assertThat(Predict.judge(OptionalLong.of(7), 7)).isEqualTo("your guess was exact");
        assertThat(Predict.judge(OptionalLong.of(3745), 3744)).isEqualTo("your guess was 1 page (under 1%) high");
        assertThat(Predict.judge(OptionalLong.of(5), 0)).as("no percentage of nothing").isEqualTo("your guess was 5 pages high");
        assertThat(Predict.judge(OptionalLong.of(0), 2735)).isEqualTo("your guess was 2,735 pages (100%) low");
        assertThat(Predict.judge(OptionalLong.of(30_000), 100)).isEqualTo("your guess was 29,900 pages (29,900%) high");
    }

    private static final Pattern VERDICT = Pattern.compile(
            "your guess was (?:exact|([\\d,]+) pages? (?:\\((under 1|[\\d,]+)%\\) )?(low|high))\n$");

    /** Whatever the numbers, the last line's difference, percentage and word agree with the guess and the kernel's count. */
    @Property
    void theStatedDifferencePercentageAndWordAgree(@ForAll @LongRange(max = 10_000_000) long guess,
                                                  @ForAll @LongRange(max = 10_000_000) long kernel) {
        String text = Predict.comparison(OptionalLong.of(guess), new Predict.Count(kernel, "m"), new Predict.Count(kernel, "k"), true);
        PredictLines lines = PredictLines.in(text);
        assertThat(lines.guess()).isEqualTo(guess);
        assertThat(lines.kernel()).isEqualTo(kernel);
        Matcher m = VERDICT.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        if (guess == kernel) {
            assertThat(m.group(3)).as("exact").isNull();
            return;
        }
        long off = Math.abs(guess - kernel);
        assertThat(Long.parseLong(m.group(1).replace(",", ""))).isEqualTo(off);
        assertThat(m.group(3)).isEqualTo(guess < kernel ? "low" : "high");
        if (kernel == 0) {
            assertThat(m.group(2)).isNull();
        } else if (m.group(2).equals("under 1")) {
            assertThat(100.0 * off / kernel).isLessThan(0.5);
        } else {
            assertThat(Long.parseLong(m.group(2).replace(",", ""))).isEqualTo(Math.round(100.0 * off / kernel)).isPositive();
        }
    }

    private static DemoOptions parse(boolean terminal, String... args) {
        return DemoOptions.parse(new Demo.Options().terminal(terminal), args);
    }

    @Test
    void aGuessParsesFromTheCommandLine() {
        assertThat(parse(false, "--predict", "3,000", "--quick").predict()).isEqualTo(Predict.Request.of(3000));
        assertThat(parse(false, "--predict=3_000").predict()).as("--predict=N too").isEqualTo(Predict.Request.of(3000));
        assertThat(parse(false, "--predict", "0").predict()).isEqualTo(Predict.Request.of(0));
        DemoOptions asked = parse(true, "--predict", "--size", "1m");
        assertThat(asked.predict()).as("no number after it: ask on the terminal").isEqualTo(Predict.Request.ask());
        assertThat(asked.size()).isEqualTo(1L << 20);
        assertThat(parse(true, "--quick", "--predict").predict()).as("last on the line").isEqualTo(Predict.Request.ask());
        assertThat(parse(false, "--quick").predict()).isNull();
        assertThat(parse(false, "--predict", "--help")).as("help wins").isNull();
    }

    @Test
    void aBadGuessOrNoGuessWithoutATerminalIsRefused() {
        assertThatThrownBy(() -> parse(false, "--predict"))
                .hasMessage("--predict needs your guess when there is no terminal to ask on: give it as a number of pages,"
                        + " e.g. --predict 3000 (./cowfork demo 03 --help shows every option)");
        assertThatThrownBy(() -> parse(true, "--predict", "-5"))
                .hasMessageStartingWith("Invalid value for option '--predict': '-5' is not a guess: give a whole number of pages,"
                        + " 0 or more (e.g. 3000)");
        assertThatThrownBy(() -> parse(true, "--predict", "3.5"))
                .hasMessageStartingWith("Invalid value for option '--predict': '3.5' is not a guess");
        assertThat(Cli.usage(new Demo.Options())).as("the question is in the help")
                .contains("--predict asks: how many pages will the read-only child copy?");
    }

    @Test
    void aGivenGuessIsPrintedAfterTheQuestionAsIfTyped() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OptionalLong guess = Predict.ask(Predict.Request.of(3000), new PrintStream(bytes, true, StandardCharsets.UTF_8),
                "the read-only child will serve 10% of the items as JSON (inline counts).",
                "How many of the heap's 8,673 pages will it copy?");
        assertThat(guess).hasValue(3000);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(""
                + "predict: the read-only child will serve 10% of the items as JSON (inline counts).\n"
                + "         How many of the heap's 8,673 pages will it copy? > 3,000\n");
    }

    @Test
    void aTypedGuessIsAskedForAgainUntilItIsANumber() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(Predict.ask(Predict.Request.ask(), out, new BufferedReader(new StringReader("lots\n -1\n 2,500 \n")), "How many?"))
                .hasValue(2500);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("predict: How many? > "
                + "         a whole number of pages, please (e.g. 3000) > "
                + "         a whole number of pages, please (e.g. 3000) > ");
        bytes.reset();
        assertThat(Predict.ask(Predict.Request.ask(), out, new BufferedReader(new StringReader("")), "How many?")).isEmpty();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).endsWith("> \n         no guess: the run goes on, and shows the answer\n");
    }
}
