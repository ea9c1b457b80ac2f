// A grader's hints, one per check, in the order a student should meet the checks.
package cowfork.labs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hints of one grader, read from the resource {@code GraderSimpleName.hints} beside the
 * grader class:
 * <pre>
 *   # a comment line
 *   ## theStrategyIsNamedAsItsFactory
 *   The hint, any number of lines, until the next "## ".
 *
 *   ## *
 *   The hint for a check that has none of its own.
 *
 *   ## @hung
 *   A named hint, no check's: the one a {@link Pointer} asks for.
 * </pre>
 * The order of the sections is the order the report lists the checks, and so decides which
 * failure a student is shown first: the checks that need the least code come first. A hint
 * asks the question that leads to the answer; it never gives the answer.
 */
public final class Hints {
    /** The section a check without a section of its own gets. */
    public static final String ANY = "*";
    /** How the name of a section that is no check's, but a {@link Pointer}'s, begins. */
    public static final String NAMED = "@";

    private final Map<String, String> byCheck;

    private Hints(Map<String, String> byCheck) {
        this.byCheck = byCheck;
    }

    /**
     * The hints of {@code grader}.
     *
     * @throws IllegalStateException if the grader has no hints file, or the file has text before its first section
     */
    public static Hints of(Class<?> grader) {
        String name = grader.getSimpleName() + ".hints";
        try (InputStream in = grader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the grader " + grader.getName() + " has no hints: add " + name
                        + " beside it (one \"## checkName\" section per check)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Parses the text of a hints file; {@code source} names it in errors. */
    static Hints parse(String text, String source) {
        Map<String, String> sections = new LinkedHashMap<>();
        String current = null;
        StringBuilder body = new StringBuilder();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.startsWith("## ")) {
                if (current != null) {
                    sections.put(current, body.toString().strip());
                }
                current = line.substring(3).strip();
                body.setLength(0);
            } else if (line.startsWith("#") && !line.startsWith("##")) {
                continue; // a comment
            } else if (current == null) {
                if (!line.isBlank()) {
                    throw new IllegalStateException(source + " line " + lineNo + ": text before the first \"## check\" section");
                }
            } else {
                body.append(line).append('\n');
            }
        }
        if (current != null) {
            sections.put(current, body.toString().strip());
        }
        return new Hints(sections);
    }

    /** The hint for {@code check} (a test or property method's name), or the file's {@code ## *} hint, or "". */
    public String hintFor(String check) {
        return byCheck.getOrDefault(check, byCheck.getOrDefault(ANY, ""));
    }

    /**
     * A check's failure that needs another section's hint than the check's own: a grader throws
     * it where the failure's cause is not what the check is about (in lab 01, a child that hung
     * fails the descriptor check, but its hint is about the hang). The report shows the hint of
     * {@link #section()}, a section whose name begins with {@link #NAMED}.
     */
    public static final class Pointer extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final String section;

        public Pointer(String section, String message) {
            super(message);
            this.section = section;
        }

        /** The section of the hints file whose hint this failure gets. */
        public String section() {
            return section;
        }
    }

    /** The checks that have a section, in the file's order (without {@code *} and the named hints). */
    public List<String> order() {
        List<String> order = new ArrayList<>(byCheck.keySet());
        order.remove(ANY);
        order.removeIf(name -> name.startsWith(NAMED));
        return order;
    }

    /** Where {@code check} comes in the report: its section's position, or after every named check. */
    public int rank(String check) {
        int i = order().indexOf(check);
        return i < 0 ? Integer.MAX_VALUE : i;
    }
}
