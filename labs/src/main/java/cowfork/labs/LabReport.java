// What one run of a lab's graders found: each check ok or not, and for the first failure what is wrong, the shrunk counterexample and the hint.
package cowfork.labs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The result of running a lab's graders once, and the short report {@code ./cowfork lab NN}
 * prints, in the manner of xv6's grading scripts: one line per check, then what the first
 * failure needs, then one grep-able summary line ({@code lab 04: ok (17 of 17 checks)}).
 *
 * @param lab     the lab
 * @param parts   one result per part, in the lab's order
 * @param elapsed how long the graders ran
 */
public record LabReport(Lab lab, List<PartResult> parts, Duration elapsed) {
    /** Lines of a failure message the report quotes: enough for an AssertJ "expected ... but was ...". */
    static final int MESSAGE_LINES = 12;

    /** How a check ended. */
    public enum Status { OK, FAIL, SKIPPED }

    /**
     * One check: a test or a property of a grader.
     *
     * @param method         the method's name, the key of its hint
     * @param status         ok, failed, or skipped (by an assumption: a kernel feature this machine lacks)
     * @param message        the failure's message, or the reason it was skipped; "" when ok
     * @param missing        the stub's "what is missing" message when the failure is an unwritten stub, else null
     * @param counterexample jqwik's shrunk sample for a failed property, else null
     * @param hint           the grader's hint for this check
     * @param title          what the report calls the check: the grader's display name for it
     *                       ({@code @DisplayName}, jqwik's {@code @Label}), else the method's name as words
     */
    public record Check(String method, Status status, String message, String missing, String counterexample, String hint,
                        String title) {
        /** A check titled by its method's name as words: "aNewObjectHasCountOne" becomes "a new object has count one". */
        public Check(String method, Status status, String message, String missing, String counterexample, String hint) {
            this(method, status, message, missing, counterexample, hint, words(method));
        }
    }

    /**
     * The checks of one part, in the order its hints file gives.
     *
     * @param problem a failure outside any check (the grader class could not even start), else null
     */
    public record PartResult(Lab.Part part, List<Check> checks, String problem) {
        public boolean passed() {
            return problem == null && checks.stream().noneMatch(c -> c.status() == Status.FAIL) && !checks.isEmpty();
        }
    }

    /** Whether every check of every part passed (skipped checks do not fail a lab, and the report says so). */
    public boolean passed() {
        return parts.stream().allMatch(PartResult::passed);
    }

    /** Checks that passed. */
    public long checksOk() {
        return all().stream().filter(c -> c.status() == Status.OK).count();
    }

    /** Every check, part after part. */
    public List<Check> all() {
        List<Check> all = new ArrayList<>();
        parts.forEach(p -> all.addAll(p.checks()));
        return all;
    }

    /**
     * Whether nothing has been written yet: no check passed, and every failure is a stub's
     * "what is missing" message.
     */
    public boolean notStarted() {
        List<Check> all = all();
        return !all.isEmpty() && all.stream().allMatch(c -> c.status() != Status.OK && (c.status() == Status.SKIPPED || c.missing() != null));
    }

    /** The first failed check, in report order. */
    public Optional<Check> firstFailure() {
        return all().stream().filter(c -> c.status() == Status.FAIL).findFirst();
    }

    /** The one summary line, e.g. {@code lab 04: FAIL (3 of 17 checks pass)}. */
    public String summary() {
        long total = all().size();
        long skipped = all().stream().filter(c -> c.status() == Status.SKIPPED).count();
        String skips = skipped == 0 ? "" : ", " + skipped + " skipped on this machine";
        String verdict = passed() ? "ok (" + checksOk() + " of " + total + " checks" + skips + ")"
                : "FAIL (" + checksOk() + " of " + total + " checks pass" + skips + ")";
        return "lab " + lab.id() + ": " + verdict;
    }

    /** The report {@code ./cowfork lab NN} prints. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("lab ").append(lab.id()).append(": ").append(lab.title()).append("  (").append(lab.handout()).append(")\n");
        for (PartResult p : parts) {
            sb.append('\n').append(p.part().name()).append('\n');
            if (p.problem() != null) {
                sb.append("  FAIL  the grader could not run: ").append(firstLines(p.problem(), 3).replace("\n", "\n        ")).append('\n');
            }
            for (Check c : p.checks()) {
                String mark = switch (c.status()) {
                    case OK -> "ok  ";
                    case FAIL -> "FAIL";
                    case SKIPPED -> "skip";
                };
                sb.append("  ").append(mark).append("  ").append(c.title());
                if (c.status() == Status.SKIPPED) {
                    sb.append(" (").append(firstLines(c.message(), 1)).append(')');
                }
                sb.append('\n');
            }
        }
        firstFailure().ifPresent(f -> {
            sb.append("\nfirst failure: ").append(f.title()).append('\n');
            if (f.missing() != null) {
                sb.append("  not written yet: ").append(f.missing()).append('\n');
            } else {
                sb.append(indent(firstLines(f.message(), MESSAGE_LINES), "  ")).append('\n');
            }
            if (f.counterexample() != null) {
                sb.append("  counterexample (jqwik, shrunk):\n").append(indent(f.counterexample(), "    ")).append('\n');
            }
            if (!f.hint().isEmpty()) {
                sb.append("  hint: ").append(indent(f.hint(), "        ").strip()).append('\n');
            }
        });
        sb.append('\n').append(summary()).append(String.format(Locale.ROOT, "  [%.1f s]", elapsed.toMillis() / 1000.0));
        return sb.toString();
    }

    private static final Pattern HUMP = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-zA-Z])(?=[0-9])");

    /** "aForkedChildHasOneThread" as "a forked child has one thread"; acronyms stay as they are, numbers stand apart. */
    static String words(String method) {
        String[] parts = HUMP.split(method);
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            boolean acronym = p.length() > 1 && p.chars().allMatch(ch -> Character.isUpperCase(ch) || Character.isDigit(ch));
            sb.append(acronym ? p : p.toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    static String firstLines(String text, int n) {
        if (text == null) {
            return "";
        }
        String[] lines = text.strip().split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length && i < n; i++) {
            sb.append(i == 0 ? "" : "\n").append(lines[i].stripTrailing());
        }
        if (lines.length > n) {
            sb.append("\n... (").append(lines.length - n).append(" more lines)");
        }
        return sb.toString();
    }

    static String indent(String text, String prefix) {
        return prefix + text.replace("\n", "\n" + prefix);
    }

    private static final Pattern STUB = Pattern.compile("(lab \\d\\d[^:\\n]*: [^\\n]*)");

    /**
     * The stub's "what is missing" message, if {@code failure} is (or was caused by, or
     * carries the stack trace text of, from a forked child) an {@link UnsupportedOperationException}
     * thrown by a lab's stub: its message starts with "lab NN".
     */
    static String missingMessage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedOperationException && t.getMessage() != null && t.getMessage().startsWith("lab ")) {
                return t.getMessage();
            }
            String text = String.valueOf(t.getMessage());
            int at = text.indexOf("UnsupportedOperationException: lab ");
            if (at >= 0) {
                Matcher m = STUB.matcher(text.substring(at + "UnsupportedOperationException: ".length()));
                if (m.lookingAt()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }
}
