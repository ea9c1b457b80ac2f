// Reads a demo's --predict comparison back from its output, for the demo tests of chapters 03, 04 and 05.
package cowfork.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four lines {@link Predict#comparison} prints, found in a demo's output and read back
 * as numbers: the guess, the model's count, the kernel's count, and whether the model
 * matched page for page. Shipped in this module's test jar for the demos of 04 and 05.
 *
 * @param guess      the guess shown
 * @param model      the model's count
 * @param kernel     the kernel's count
 * @param pageByPage whether the verdict says the model matches the kernel page for page
 */
public record PredictLines(long guess, long model, long kernel, boolean pageByPage) {
    private static final Pattern LINES = Pattern.compile("(?m)^predict: your guess +([\\d,]+) pages\n"
            + " {9}the model predicts +([\\d,]+) pages {3}\\(.+\\)\n"
            + " {9}the kernel says +([\\d,]+) pages {3}\\(.+\\)\n"
            + " {9}the model (matches the kernel page for page|.*DIFFERS.*); your guess was .+$");

    /** The comparison in {@code text}, which must hold exactly one (the assertion fails with the text otherwise). */
    public static PredictLines in(String text) {
        Matcher m = LINES.matcher(text);
        assertThat(m.find()).as("the --predict comparison in:\n%s", text).isTrue();
        PredictLines lines = new PredictLines(number(m.group(1)), number(m.group(2)), number(m.group(3)),
                m.group(4).startsWith("matches"));
        assertThat(m.find()).as("one comparison only, in:\n%s", text).isFalse();
        return lines;
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
