// Every relative link in the course's Markdown goes somewhere: the file exists, and its #anchor is there.
package cowfork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The course is read on GitHub and in a checkout, and it points into itself everywhere: a
 * chapter to the glossary's entry, the background to a reference, a lesson to its notes. A
 * renamed heading or a moved section breaks those pointers silently. This test finds every
 * relative link in every tracked Markdown file and checks that it resolves:
 * <ul>
 *   <li>{@code [text](path)}, {@code ![alt](path)} and a reference definition
 *       {@code [label]: path}: the path, taken relative to the linking file, names a file or
 *       directory inside the repository;</li>
 *   <li>{@code [text](path#anchor)} and {@code [text](#anchor)}: when the target is Markdown,
 *       the anchor is a heading's slug there, as GitHub makes it ({@link #slug}), or an explicit
 *       {@code <a id="...">} or {@code <a name="...">}.</li>
 * </ul>
 * Links into {@code solutions/} are not followed where that folder is absent: the copy of the
 * course students get leaves it out. Links to {@code http(s):} and {@code mailto:} are not followed, and nothing inside fenced
 * code blocks, inline code or HTML comments is a link. There is one test per Markdown file, and
 * a failure lists every broken link in it as {@code file:line → target}.
 */
class LinkCheckTest {

    private static final Path ROOT = Repository.root();

    @TestFactory
    Stream<DynamicTest> everyRelativeLinkInEveryMarkdownFileResolves() {
        List<Path> files = Repository.markdownFiles(ROOT);
        assertThat(files).as("Markdown files under %s", ROOT).isNotEmpty();
        Map<Path, Set<String>> anchorsByFile = new HashMap<>();
        return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> {
            List<String> broken = brokenLinks(file, anchorsByFile);
            assertThat(broken)
                    .as("%s has %d broken link(s):%n  %s", file, broken.size(), String.join("\n  ", broken))
                    .isEmpty();
        }));
    }

    /** Every link in {@code file} that does not resolve, as "file:line → target (why)". */
    private static List<String> brokenLinks(Path file, Map<Path, Set<String>> anchorsByFile) {
        List<String> broken = new ArrayList<>();
        for (Link link : links(Repository.read(ROOT.resolve(file)))) {
            String target = link.target();
            if (target.matches("(?i)(https?|mailto):.*")) {
                continue;
            }
            if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                broken.add(file + ":" + link.line() + " → " + target + " (a scheme other than http, https or mailto)");
                continue;
            }
            int hash = target.indexOf('#');
            String pathPart = decode(hash < 0 ? target : target.substring(0, hash));
            String anchor = hash < 0 ? null : decode(target.substring(hash + 1));

            Path resolved = pathPart.isEmpty() ? file : normalize(file.getParent(), pathPart);
            if (resolved == null) {
                broken.add(file + ":" + link.line() + " → " + target + " (outside the repository)");
                continue;
            }
            if (resolved.startsWith("solutions") && !Files.exists(ROOT.resolve("solutions"))) {
                continue; // the students' copy leaves solutions/ out (docs/teacher.md, "A copy for students")
            }
            if (!Files.exists(ROOT.resolve(resolved))) {
                broken.add(file + ":" + link.line() + " → " + target + " (no such file: " + resolved + ")");
                continue;
            }
            if (anchor != null && resolved.toString().endsWith(".md")) {
                Set<String> anchors = anchorsByFile.computeIfAbsent(resolved,
                        f -> anchors(Repository.read(ROOT.resolve(f))));
                if (!anchors.contains(anchor)) {
                    broken.add(file + ":" + link.line() + " → " + target
                            + " (no heading or <a id> '" + anchor + "' in " + resolved + ")");
                }
            }
        }
        return broken;
    }

    /** {@code relative} taken from {@code dir} (both inside the repository), or null if it leaves the repository. */
    private static Path normalize(Path dir, String relative) {
        Path base = dir == null ? Path.of("") : dir;
        Path p = base.resolve(relative).normalize();
        return p.startsWith("..") || p.isAbsolute() ? null : p;
    }

    private static String decode(String s) {
        return s.contains("%") ? URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8) : s;
    }

    // ---------------------------------------------------------------------------------------
    // Reading Markdown: what a reader sees as text, its links, its headings.

    /** A link's target as written, and the line (from 1) it is written on. */
    record Link(int line, String target) {
    }

    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})");
    private static final Pattern HTML_COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    /**
     * An inline link or image: {@code [text](target)} or {@code [text](target "title")}. The
     * text may hold one level of brackets and may wrap onto the next line; a target in angle
     * brackets may hold spaces, and a bare one may hold one level of balanced parentheses.
     */
    private static final Pattern INLINE_LINK = Pattern.compile(
            "\\[(?:[^\\[\\]]++|\\[[^\\[\\]]*+\\])*+\\]\\(\\s*(<[^<>\\n]*>|[^\\s()]*+(?:\\([^\\s()]*+\\)[^\\s()]*+)*+)"
                    + "(?:\\s+(?:\"[^\"]*\"|'[^']*'|\\([^()]*\\)))?\\s*\\)");
    /** A reference definition: {@code [label]: target}, at the start of a line. */
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile(
            "(?m)^ {0,3}\\[[^\\[\\]]+\\]:[ \\t]*(<[^<>\\n]*>|\\S+)");
    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern EXPLICIT_ANCHOR = Pattern.compile(
            "<a\\s[^>]*?\\b(?:id|name)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')", Pattern.CASE_INSENSITIVE);

    /** Every link target in a Markdown text, outside code and comments, in order. */
    static List<Link> links(String markdown) {
        String text = visibleText(markdown);
        List<Link> links = new ArrayList<>();
        for (Pattern p : List.of(INLINE_LINK, REFERENCE_DEFINITION)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("<")) {
                    target = target.substring(1, target.length() - 1);
                }
                if (!target.isEmpty()) {
                    links.add(new Link(lineOf(text, m.start(1)), target));
                }
            }
        }
        links.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return links;
    }

    /**
     * The text as a reader sees it on the page, for finding links: fenced code blocks, HTML
     * comments and code spans are blanked out (their newlines kept, so line numbers stay true).
     */
    static String visibleText(String markdown) {
        StringBuilder out = new StringBuilder();
        String fence = null;
        for (String line : markdown.split("\n", -1)) {
            Matcher f = FENCE.matcher(line);
            if (fence == null && f.find()) {
                fence = f.group(1);
                out.append('\n');
            } else if (fence != null) {
                if (f.find() && f.group(1).charAt(0) == fence.charAt(0) && f.group(1).length() >= fence.length()
                        && line.trim().length() == f.group(1).length()) {
                    fence = null;
                }
                out.append('\n');
            } else {
                out.append(line).append('\n');
            }
        }
        String text = out.substring(0, out.length() - 1);
        text = blank(HTML_COMMENT, text);
        StringBuilder visible = new StringBuilder(text);
        for (int[] span : codeSpans(text)) {
            for (int i = span[0]; i < span[1]; i++) {
                if (visible.charAt(i) != '\n') {
                    visible.setCharAt(i, ' ');
                }
            }
        }
        return visible.toString();
    }

    /**
     * Where the code spans are, as [start, end) pairs, by CommonMark's rule: a run of n
     * backticks opens a span that the next run of exactly n backticks closes; a run that no
     * such run follows within its paragraph is plain text.
     */
    static List<int[]> codeSpans(String text) {
        List<int[]> spans = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != '`') {
                i++;
                continue;
            }
            int open = runEnd(text, i);
            int n = open - i;
            int close = -1;
            for (int j = open; j < text.length(); ) {
                if (text.charAt(j) == '`') {
                    int end = runEnd(text, j);
                    if (end - j == n) {
                        close = end;
                        break;
                    }
                    j = end;
                } else if (text.charAt(j) == '\n' && text.substring(j + 1).matches("(?s)[ \t]*(\n.*)?")) {
                    break; // a blank line ends the paragraph
                } else {
                    j++;
                }
            }
            if (close < 0) {
                i = open;
            } else {
                spans.add(new int[] {i, close, n});
                i = close;
            }
        }
        return spans;
    }

    /** Whether the line starting at {@code i} is blank (or the text ends there). */
    private static boolean blankLineAt(String text, int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i == text.length() || text.charAt(i) == '\n';
    }

    private static int runEnd(String text, int i) {
        while (i < text.length() && text.charAt(i) == '`') {
            i++;
        }
        return i;
    }

    /** {@code text} with every match of {@code p} replaced by spaces, newlines kept. */
    private static String blank(Pattern p, String text) {
        Matcher m = p.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group().replaceAll("[^\\n]", " ")));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * Every anchor a link can name in a Markdown text: the slugs of its ATX headings, numbered
     * as GitHub numbers repeats ({@link Slugger}), and the ids and names of its {@code <a>} tags.
     * Headings and tags inside fenced code or HTML comments do not count.
     */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Slugger slugger = new Slugger();
        // Comments blanked first, code spans kept: a heading's inline code is part of its slug.
        String withoutComments = blank(HTML_COMMENT, markdown);
        String visible = visibleText(markdown);
        String[] lines = withoutComments.split("\n", -1);
        String[] visibleLines = visible.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (visibleLines[i].isBlank()) {
                continue; // inside a fence or a comment
            }
            Matcher h = ATX_HEADING.matcher(lines[i]);
            if (h.matches()) {
                anchors.add(slugger.slug(renderedText(h.group(1) == null ? "" : h.group(1))));
            }
            Matcher a = EXPLICIT_ANCHOR.matcher(visibleLines[i]);
            while (a.find()) {
                anchors.add(a.group(1) != null ? a.group(1) : a.group(2));
            }
        }
        return anchors;
    }

    /**
     * A heading's text as GitHub renders it, before the slug is taken: code spans lose their
     * backticks (keeping their content, underscores and all), links and images keep their
     * text, HTML tags go, emphasis markers go, and a few common entities are decoded.
     */
    static String renderedText(String heading) {
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (int[] span : codeSpans(heading)) {
            out.append(renderInline(heading.substring(last, span[0])));
            String code = heading.substring(span[0] + span[2], span[1] - span[2]);
            boolean padded = code.length() > 2 && code.startsWith(" ") && code.endsWith(" ") && !code.isBlank();
            out.append(padded ? code.substring(1, code.length() - 1) : code);
            last = span[1];
        }
        out.append(renderInline(heading.substring(last)));
        return out.toString();
    }

    /** Inline markup outside code spans, rendered to plain text. */
    private static String renderInline(String s) {
        return s.replaceAll("!?\\[((?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]\\([^)]*\\)", "$1") // links, images
                .replaceAll("<[^>]+>", "") // inline HTML
                .replaceAll("(?<![\\w\\\\])(\\*{1,3}|_{1,3})(?=\\S)(.+?)(?<=\\S)\\1(?![\\w])", "$2") // emphasis
                .replaceAll("\\\\(\\p{Punct})", "$1") // backslash escapes
                .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&nbsp;", "\u00a0");
    }

    /**
     * The slug GitHub gives a heading whose rendered text is {@code text}, before repeats are
     * numbered. This is github-slugger's rule, which GitHub's own rendering produces: lower-case
     * the text; remove every character that is punctuation (except {@code -} and connector
     * punctuation such as {@code _}), a symbol, a control or format character, a separator
     * other than the plain space, or an "other" number such as {@code ²} (a character that is
     * alphabetic is always kept); then turn each space into {@code -}. Spaces are not
     * collapsed: {@code "RSS & PSS"} becomes {@code rss--pss}.
     */
    static String slug(String text) {
        StringBuilder out = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(cp -> {
            if (cp == ' ') {
                out.append('-');
            } else if (cp == '-' || Character.isAlphabetic(cp) || !removed(Character.getType(cp))) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static boolean removed(int type) {
        return switch (type) {
            case Character.OTHER_NUMBER,
                 Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.DASH_PUNCTUATION,
                 Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL,
                 Character.CONTROL, Character.PRIVATE_USE, Character.FORMAT, Character.UNASSIGNED,
                 Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }

    /**
     * Slugs for the headings of one file, in order, with repeats numbered as GitHub numbers
     * them: the second "Tests" is {@code tests-1}, the third {@code tests-2}; a number already
     * taken (by an earlier "Tests 1", say) is skipped.
     */
    static final class Slugger {
        private final Map<String, Integer> occurrences = new HashMap<>();

        String slug(String renderedText) {
            String original = LinkCheckTest.slug(renderedText);
            String result = original;
            while (occurrences.containsKey(result)) {
                int n = occurrences.merge(original, 1, Integer::sum);
                result = original + "-" + n;
            }
            occurrences.put(result, 0);
            return result;
        }
    }

    // ---------------------------------------------------------------------------------------
    // The reader itself, on headings and links whose slugs and targets are known.

    @Test
    void aNumberedHeadingKeepsItsNumberAndLosesItsDot() {
        assertThat(slugOf("## 7. Four places a count can live")).isEqualTo("7-four-places-a-count-can-live");
    }

    @Test
    void inlineCodeKeepsItsTextAndItsUnderscoresButNotItsBackticks() {
        assertThat(slugOf("## The `kernel:` line")).isEqualTo("the-kernel-line");
        assertThat(slugOf("## Verifying the heap: a `DEBUG_STRESS_GC` switch"))
                .isEqualTo("verifying-the-heap-a-debug_stress_gc-switch");
        assertThat(slugOf("## HotSpot's own collectors after fork (`jvm-gc:`)"))
                .isEqualTo("hotspots-own-collectors-after-fork-jvm-gc");
    }

    @Test
    void punctuationGoesButEverySpaceBecomesADash() {
        assertThat(slugOf("## RSS & PSS")).isEqualTo("rss--pss");
        assertThat(slugOf("## RSS &amp; PSS")).isEqualTo("rss--pss");
        assertThat(slugOf("## Chapter 01 — the recipe")).isEqualTo("chapter-01--the-recipe");
        assertThat(slugOf("## em–dash")).isEqualTo("emdash");
        assertThat(slugOf("## a - b")).isEqualTo("a---b");
        assertThat(slugOf("## 2. smaps and smaps_rollup")).isEqualTo("2-smaps-and-smaps_rollup");
    }

    @Test
    void apostrophesStraightAndCurlyAreRemoved() {
        assertThat(slugOf("## Ruby's bitmap")).isEqualTo("rubys-bitmap");
        assertThat(slugOf("## Ruby’s bitmap")).isEqualTo("rubys-bitmap");
        assertThat(slugOf("## “Quoted” words")).isEqualTo("quoted-words");
    }

    @Test
    void linksEmphasisAndTagsRenderToTheirText() {
        assertThat(slugOf("## See [the glossary](glossary.md#fork)")).isEqualTo("see-the-glossary");
        assertThat(slugOf("## _Why_ it **hangs**")).isEqualTo("why-it-hangs");
        assertThat(anchors("## <a id=\"x\"></a>Fork")).containsExactly("fork", "x");
        assertThat(slugOf("### Closing hashes ###")).isEqualTo("closing-hashes");
        assertThat(slugOf("## Café au lait")).isEqualTo("café-au-lait");
    }

    @Test
    void repeatedHeadingsAreNumberedAsGitHubNumbersThem() {
        // github-slugger's fixtures, taken from gists GitHub rendered.
        Slugger s = new Slugger();
        assertThat(Stream.of("echo", "echo", "echo 1", "echo-1", "echo").map(s::slug))
                .containsExactly("echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2");
        assertThat(anchors("# Tests\n\n## Tests\n\n## Tests\n")).containsExactly("tests", "tests-1", "tests-2");
    }

    @Test
    void explicitAnchorsCountAndHeadingsInCodeOrCommentsDoNot() {
        String md = String.join("\n",
                "<a id=\"zombie-reaping\"></a>",
                "**Zombie.** ...",
                "<a name='old-name'></a>",
                "```sh",
                "# not a heading",
                "```",
                "<!--",
                "## Hidden",
                "-->",
                "## Shown");
        assertThat(anchors(md)).containsExactlyInAnyOrder("zombie-reaping", "old-name", "shown");
    }

    @Test
    void linksAreFoundOnTheirLineAndNotInCodeOrComments() {
        String md = String.join("\n",
                "See [the\nglossary](docs/glossary.md#fork) and ![a figure](figures/a.svg \"title\").",
                "`[not](a-link.md)` and ``code with ` [no](link.md)``",
                "```",
                "[not](in-a-fence.md)",
                "```",
                "<!-- transcript pending: [not](commented.md) -->",
                "[web](https://example.org) [doc](<with space.md>) [self](#anchor)",
                "[ref]: references.md#pagemap");
        assertThat(links(md)).containsExactly(
                new Link(2, "docs/glossary.md#fork"),
                new Link(2, "figures/a.svg"),
                new Link(8, "https://example.org"),
                new Link(8, "with space.md"),
                new Link(8, "#anchor"),
                new Link(9, "references.md#pagemap"));
    }

    @Test
    void theRepositoryRootIsTheParentPomNotAModuleThatNamesIt() {
        assertThat(Repository.isParentPom("<project><artifactId>cowfork-parent</artifactId></project>")).isTrue();
        assertThat(Repository.isParentPom("<project><parent><artifactId>cowfork-parent</artifactId></parent>"
                + "<artifactId>cowfork-cli</artifactId></project>")).isFalse();
        assertThat(ROOT.resolve("cli")).isDirectory();
    }

    private static String slugOf(String headingLine) {
        Set<String> anchors = anchors(headingLine);
        assertThat(anchors).as("anchors of %s", headingLine).hasSize(1);
        return anchors.iterator().next();
    }
}
