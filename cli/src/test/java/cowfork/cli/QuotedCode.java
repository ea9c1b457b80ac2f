// Code quoted in the course's Markdown, checked against the file it names: the finder and the matcher behind QuotedCodeTest.
package cowfork.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lesson quotes "the code that writes" from the real source. Each quote is a fenced
 * block with an HTML comment on the line directly above its opening fence, naming the
 * quoted file by its path from the repository root:
 *
 * <pre>
 *   &lt;!-- quote: 03-refcount-inline/src/main/java/cowfork/heap/InlineRefCounts.java --&gt;
 *   ```java
 *       public void incref(long ref) {
 *           ...
 *       }
 *   ```
 * </pre>
 *
 * A quote matches its file when its lines appear there as consecutive lines, in order,
 * once the smallest common leading indentation is removed from both sides (so a quote
 * may be shifted left or right as a whole, but not re-indented line by line). A line that
 * is exactly {@code ...} or {@code // ...} (after trimming) stands for any number of
 * skipped lines, none included. Trailing whitespace is ignored.
 */
final class QuotedCode {
    /** {@code <!-- quote: PATH -->}, alone on its line. */
    static final Pattern COMMENT = Pattern.compile("^\\s*<!--\\s*quote:\\s*(.*?)\\s*-->\\s*$");
    /** An opening or closing fence: three or more backticks or tildes. */
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})(.*)$");

    /**
     * One quote in one Markdown file.
     *
     * @param markdown the Markdown file, relative to the repository root
     * @param line     the line of the {@code <!-- quote: -->} comment, from 1
     * @param path     the quoted file's path as written, from the repository root
     * @param block    the lines between the fences, or null when the quote has none ({@code problem} says why)
     * @param problem  why the quote cannot be checked at all, or null
     */
    record Quote(Path markdown, int line, String path, List<String> block, String problem) {
        /** What a report calls this quote: {@code FILE.md:LINE quotes PATH}. */
        String name() {
            return markdown + ":" + line + " quotes " + path;
        }
    }

    private QuotedCode() {
    }

    /** Every quote in {@code lines}, the text of {@code markdown}, in order. */
    static List<Quote> find(Path markdown, List<String> lines) {
        List<Quote> quotes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = COMMENT.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String path = m.group(1);
            Matcher open = i + 1 < lines.size() ? FENCE.matcher(lines.get(i + 1)) : null;
            if (open == null || !open.matches()) {
                quotes.add(new Quote(markdown, i + 1, path, null, "no fenced block (```) on the line after the comment"));
                continue;
            }
            String fence = open.group(1);
            List<String> block = new ArrayList<>();
            int j = i + 2;
            while (j < lines.size() && !isClosing(lines.get(j), fence)) {
                block.add(lines.get(j++));
            }
            if (j == lines.size()) {
                quotes.add(new Quote(markdown, i + 1, path, null, "its fenced block (opened on line " + (i + 2) + ") is never closed"));
            } else {
                quotes.add(new Quote(markdown, i + 1, path, block, null));
                i = j;
            }
        }
        return quotes;
    }

    /** CommonMark: a closing fence is the opening fence's character, at least as many times, and nothing else. */
    private static boolean isClosing(String line, String fence) {
        String t = line.strip();
        return t.length() >= fence.length() && t.chars().allMatch(c -> c == fence.charAt(0));
    }

    /**
     * Checks {@code quote} against its file under {@code root}.
     *
     * @return null when it matches, else a message naming the Markdown file, the quote's
     *         line, the quoted path and the first block line that could not be matched
     *         (or why the quote could not be checked: no block, no such file)
     */
    static String check(Quote quote, Path root) {
        String where = quote.markdown() + ":" + quote.line() + ": the quote of " + quote.path();
        if (quote.problem() != null) {
            return where + ": " + quote.problem();
        }
        Path file = root.resolve(quote.path()).normalize();
        if (quote.path().isEmpty() || Path.of(quote.path()).isAbsolute() || !file.startsWith(root) || !Files.isRegularFile(file)) {
            return where + ": there is no such file (the path is read from the repository root, e.g."
                    + " 03-refcount-inline/src/main/java/cowfork/heap/InlineRefCounts.java)";
        }
        if (quote.block().stream().allMatch(l -> l.isBlank() || isElision(l))) {
            return where + ": the block quotes no line";
        }
        List<String> source;
        try {
            source = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        int bad = firstUnmatched(quote.block(), source);
        if (bad < 0) {
            return null;
        }
        return where + ": block line " + (bad + 1) + " is not in the file where the quote puts it: `"
                + quote.block().get(bad).strip() + "` (the lines before it matched; quoted lines must be consecutive"
                + " lines of the file, in order, unless a line `...` or `// ...` stands between them). Copy the"
                + " lines from the source again.";
    }

    /**
     * The index of the first line of {@code block} that cannot be matched in {@code source}
     * together with every line before it, or -1 when the whole block matches.
     */
    static int firstUnmatched(List<String> block, List<String> source) {
        for (int k = 1; k <= block.size(); k++) {
            if (!isElision(block.get(k - 1)) && !matches(block.subList(0, k), source)) {
                return k - 1;
            }
        }
        return -1;
    }

    /** Whether {@code block} appears in {@code source}, by the rules in the class comment. */
    static boolean matches(List<String> block, List<String> source) {
        List<List<String>> segments = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : block) {
            if (isElision(line)) {
                segments.add(current);
                current = new ArrayList<>();
            } else {
                current.add(line);
            }
        }
        segments.add(current);
        segments.removeIf(List::isEmpty);
        return place(segments, 0, source, 0, ANY);
    }

    /** The shift before any non-blank line has fixed it. */
    private static final int ANY = Integer.MIN_VALUE;
    /** What {@link #shiftAt} returns when the segment does not match there. */
    private static final int NO_MATCH = Integer.MAX_VALUE;

    /**
     * Whether segments {@code s}, {@code s + 1}, ... can be placed in {@code source} in order,
     * from line {@code from} on, every one shifted by the same indentation {@code shift}
     * ({@link #ANY} while no non-blank line has fixed it).
     */
    private static boolean place(List<List<String>> segments, int s, List<String> source, int from, int shift) {
        if (s == segments.size()) {
            return true;
        }
        List<String> segment = segments.get(s);
        for (int at = from; at + segment.size() <= source.size(); at++) {
            int fixed = shiftAt(segment, source, at, shift);
            if (fixed != NO_MATCH && place(segments, s + 1, source, at + segment.size(), fixed)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code segment} matches {@code source} from line {@code at}: each non-blank
     * line equal once its indentation is removed, with the source's indentation larger by
     * the same amount on every line ({@code shift}, unless it is still {@link #ANY}), and
     * each blank line blank.
     *
     * @return the shift (still {@link #ANY} if no line fixed it), or {@link #NO_MATCH}
     */
    private static int shiftAt(List<String> segment, List<String> source, int at, int shift) {
        int d = shift;
        for (int i = 0; i < segment.size(); i++) {
            String q = segment.get(i).stripTrailing();
            String s = source.get(at + i).stripTrailing();
            if (q.isEmpty() || s.isEmpty()) {
                if (q.isEmpty() != s.isEmpty()) {
                    return NO_MATCH;
                }
                continue;
            }
            if (!q.strip().equals(s.strip())) {
                return NO_MATCH;
            }
            int here = indentation(s) - indentation(q);
            if (d == ANY) {
                d = here;
            } else if (d != here) {
                return NO_MATCH;
            }
        }
        return d;
    }

    private static int indentation(String line) {
        int i = 0;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i;
    }

    /** A line that stands for skipped source lines: {@code ...} or {@code // ...}, after trimming. */
    static boolean isElision(String line) {
        String t = line.strip();
        return t.equals("...") || t.equals("// ...");
    }
}
