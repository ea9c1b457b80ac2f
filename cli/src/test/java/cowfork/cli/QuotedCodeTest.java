// Every code block a lesson quotes is still the code it names: one test per quote, and the matcher's own rules.
package cowfork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chapters quote "the code that writes" from the source (see {@link QuotedCode} for
 * the form and the rules). This test finds every {@code <!-- quote: PATH -->} in every
 * tracked Markdown file and checks each quote against PATH, one dynamic test per quote, so
 * a failure names the quote. If the code changes under a quote, this is the test that
 * says so; copy the lines again.
 */
class QuotedCodeTest {

    @TestFactory
    Stream<DynamicTest> everyQuoteIsStillInTheFileItNames(TestReporter reporter) {
        Path root = Repository.root();
        List<Path> markdown = Repository.markdownFiles(root);
        assertThat(markdown).as("the Markdown files found under %s", root).contains(Path.of("README.md"));
        List<QuotedCode.Quote> quotes = new ArrayList<>();
        for (Path file : markdown) {
            quotes.addAll(QuotedCode.find(file, lines(root.resolve(file))));
        }
        reporter.publishEntry("quotes", quotes.size() + " quoted blocks in " + markdown.size() + " Markdown files");
        if (quotes.isEmpty()) {
            return Stream.of(dynamicTest("no quotes found", () -> Assumptions.abort("no <!-- quote: PATH --> in any of the "
                    + markdown.size() + " Markdown files: nothing to check yet")));
        }
        return quotes.stream().map(q -> dynamicTest(q.name(), () -> {
            String problem = QuotedCode.check(q, root);
            if (problem != null) {
                fail(problem);
            }
        }));
    }

    // The matcher's rules, each on a small source.

    private static final List<String> SOURCE = List.of(
            "final class Counts {",
            "    public void incref(long ref) {",
            "        checkLive(ref);",
            "        heap.putInt(ref + COUNT_OFFSET, heap.getInt(ref + COUNT_OFFSET) + 1);",
            "    }",
            "",
            "    public boolean decref(long ref) {",
            "        int c = heap.getInt(ref + COUNT_OFFSET) - 1;",
            "        heap.putInt(ref + COUNT_OFFSET, c);",
            "        return c == 0;",
            "    }",
            "}");

    @Test
    void consecutiveLinesInOrderMatch() {
        assertThat(QuotedCode.firstUnmatched(List.of(
                "    public void incref(long ref) {",
                "        checkLive(ref);",
                "        heap.putInt(ref + COUNT_OFFSET, heap.getInt(ref + COUNT_OFFSET) + 1);",
                "    }"), SOURCE)).isEqualTo(-1);
    }

    @Test
    void anElisionStandsForSkippedLinesAndForNone() {
        assertThat(QuotedCode.firstUnmatched(List.of(
                "public void incref(long ref) {",
                "    // ...",
                "    heap.putInt(ref + COUNT_OFFSET, heap.getInt(ref + COUNT_OFFSET) + 1);",
                "    ...",
                "}"), SOURCE)).as("one line skipped, then none").isEqualTo(-1);
        assertThat(QuotedCode.firstUnmatched(List.of(
                "    public void incref(long ref) {",
                "    ...",
                "        return c == 0;"), SOURCE)).as("into the next method").isEqualTo(-1);
    }

    @Test
    void skippedLinesWithoutAnElisionDoNotMatch() {
        assertThat(QuotedCode.firstUnmatched(List.of(
                "    public void incref(long ref) {",
                "        heap.putInt(ref + COUNT_OFFSET, heap.getInt(ref + COUNT_OFFSET) + 1);"), SOURCE)).isEqualTo(1);
    }

    @Test
    void reorderedLinesDoNotMatchEvenWithAnElision() {
        assertThat(QuotedCode.firstUnmatched(List.of(
                "        heap.putInt(ref + COUNT_OFFSET, c);",
                "        ...",
                "        int c = heap.getInt(ref + COUNT_OFFSET) - 1;"), SOURCE)).isEqualTo(2);
    }

    @Test
    void aQuoteShiftedAsAWholeMatchesButOneReindentedLineDoesNot() {
        assertThat(QuotedCode.firstUnmatched(List.of(
                "public boolean decref(long ref) {",
                "    int c = heap.getInt(ref + COUNT_OFFSET) - 1;",
                "",
                "    ..."), SOURCE)).as("blank line where the source has none").isEqualTo(2);
        assertThat(QuotedCode.firstUnmatched(List.of(
                "public boolean decref(long ref) {",
                "    int c = heap.getInt(ref + COUNT_OFFSET) - 1;"), SOURCE)).as("shifted left by 4").isEqualTo(-1);
        assertThat(QuotedCode.firstUnmatched(List.of(
                "            int c = heap.getInt(ref + COUNT_OFFSET) - 1;",
                "            heap.putInt(ref + COUNT_OFFSET, c);   "), SOURCE)).as("shifted right, trailing blanks").isEqualTo(-1);
        assertThat(QuotedCode.firstUnmatched(List.of(
                "public boolean decref(long ref) {",
                "int c = heap.getInt(ref + COUNT_OFFSET) - 1;"), SOURCE)).as("second line re-indented").isEqualTo(1);
        assertThat(QuotedCode.firstUnmatched(List.of(
                "public void incref(long ref) {",
                "    checkLive(ref);",
                "    ...",
                "        int c = heap.getInt(ref + COUNT_OFFSET) - 1;"), SOURCE)).as("one shift for the whole quote").isEqualTo(3);
    }

    @Test
    void aQuoteFindsItsBlockAndIsCheckedAgainstItsFile(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("src"));
        Files.write(root.resolve("src/Counts.java"), SOURCE, StandardCharsets.UTF_8);
        List<QuotedCode.Quote> quotes = QuotedCode.find(Path.of("README.md"), List.of(
                "# A lesson",
                "<!-- quote: src/Counts.java -->",
                "```java",
                "    public void incref(long ref) {",
                "        ...",
                "    }",
                "```",
                "text",
                "<!-- quote: src/Counts.java -->",
                "~~~",
                "        return c != 0;",
                "~~~",
                "  <!--  quote:   src/Missing.java  -->",
                "```",
                "x",
                "```"));
        assertThat(quotes).extracting(QuotedCode.Quote::line).containsExactly(2, 9, 13);
        assertThat(quotes.get(0).block()).hasSize(3);
        assertThat(QuotedCode.check(quotes.get(0), root)).isNull();
        assertThat(QuotedCode.check(quotes.get(1), root))
                .isEqualTo("README.md:9: the quote of src/Counts.java: block line 1 is not in the file where the quote puts it:"
                        + " `return c != 0;` (the lines before it matched; quoted lines must be consecutive lines of the file,"
                        + " in order, unless a line `...` or `// ...` stands between them). Copy the lines from the source again.");
        assertThat(QuotedCode.check(quotes.get(2), root)).startsWith("README.md:13: the quote of src/Missing.java: there is no such file");
    }

    @Test
    void aQuoteWithoutItsBlockFails(@TempDir Path root) throws IOException {
        Files.write(root.resolve("A.java"), SOURCE, StandardCharsets.UTF_8);
        List<QuotedCode.Quote> quotes = QuotedCode.find(Path.of("doc.md"), List.of(
                "<!-- quote: A.java -->",
                "",
                "```",
                "}",
                "```",
                "<!-- quote: ../A.java -->",
                "```",
                "}",
                "```",
                "<!-- quote: A.java -->",
                "```",
                "...",
                "```",
                "<!-- quote: A.java -->",
                "````java",
                "}",
                "```"));
        assertThat(quotes).extracting(q -> QuotedCode.check(q, root)).containsExactly(
                "doc.md:1: the quote of A.java: no fenced block (```) on the line after the comment",
                "doc.md:6: the quote of ../A.java: there is no such file (the path is read from the repository root, e.g."
                        + " 03-refcount-inline/src/main/java/cowfork/heap/InlineRefCounts.java)",
                "doc.md:10: the quote of A.java: the block quotes no line",
                "doc.md:14: the quote of A.java: its fenced block (opened on line 15) is never closed");
    }

    @Test
    void theRootIsFoundFromTheModuleDirectory() {
        Path root = Repository.root();
        assertThat(root.resolve("cli/pom.xml")).as("surefire runs in cli/, the root is its parent").isRegularFile();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
