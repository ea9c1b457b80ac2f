// The report's small parts: check titles from method names, the stub's message found wherever the failure carries it, jqwik's sample cut out.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildFailedException;
import org.junit.jupiter.api.Test;

class LabReportTest {

    @Test
    void aMethodNameReadsAsWords() {
        assertThat(LabReport.words("aNewObjectHasCountOneAndIncrefDecrefMoveItByOne"))
                .isEqualTo("a new object has count one and incref decref move it by one");
        assertThat(LabReport.words("servingATenthOfTheItems")).isEqualTo("serving a tenth of the items");
        assertThat(LabReport.words("readsJSONFast")).as("an acronym stays").isEqualTo("reads JSON fast");
        assertThat(LabReport.words("endsWithCode70AndNoAnswer")).isEqualTo("ends with code 70 and no answer");
    }

    @Test
    void theStubsMessageIsFoundInTheCauseChainAndInAForkedChildsStackTrace() {
        UnsupportedOperationException stub = new UnsupportedOperationException("lab 04: incref is not written: no count goes up");
        assertThat(LabReport.missingMessage(stub)).isEqualTo(stub.getMessage());
        assertThat(LabReport.missingMessage(new IllegalStateException("wrapped", stub))).isEqualTo(stub.getMessage());
        // A child's exception reaches the parent as text (ChildFailedException's message holds the child's stack trace).
        String childTrace = "child 123 exited with code 70\njava.lang.UnsupportedOperationException: lab 04: incref is not"
                + " written: no count goes up\n\tat cowfork.sidetable.lab.LabSideTable.incref(LabSideTable.java:66)";
        assertThat(LabReport.missingMessage(new AssertionError(childTrace))).isEqualTo("lab 04: incref is not written: no count goes up");
        assertThat(LabReport.missingMessage(new UnsupportedOperationException("not a lab's"))).isNull();
        assertThat(LabReport.missingMessage(new AssertionError("expected 3 but was 2"))).isNull();
        assertThat(ChildFailedException.class).as("the type whose message carries the child's trace").isNotNull();
    }

    @Test
    void jqwiksShrunkSampleIsCutOutOfItsReport() {
        String report = """
                                              |-----------------------jqwik-----------------------
                tries = 3                     | # of calls to property
                seed = 42                     | random seed to reproduce generated values

                Shrunk Sample (7 steps)
                -----------------------
                  n: 10
                  s: "a"

                Original Sample
                ---------------
                  n: 77
                """;
        assertThat(LabRunner.shrunkSample(report)).isEqualTo("n: 10\ns: \"a\"");
        assertThat(LabRunner.shrunkSample("\nSample\n------\n  seed: 0\n")).as("nothing to shrink").isEqualTo("seed: 0");
        assertThat(LabRunner.shrunkSample(null)).isNull();
    }

    @Test
    void aHintsFileIsReadInOrderWithItsFallback() {
        Hints hints = Hints.parse("# comment\n## first\nline one\nline two\n\n## *\nany\n## second\nsecond hint\n## @hung\nnamed\n", "test");
        assertThat(hints.order()).as("checks only: no fallback, no named hint").containsExactly("first", "second");
        assertThat(hints.hintFor("@hung")).isEqualTo("named");
        assertThat(hints.hintFor("first")).isEqualTo("line one\nline two");
        assertThat(hints.hintFor("unknown")).isEqualTo("any");
        assertThat(hints.rank("second")).isEqualTo(1);
        assertThat(hints.rank("unknown")).isEqualTo(Integer.MAX_VALUE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Hints.parse("stray text\n## a\nb\n", "x.hints"))
                .hasMessageContaining("x.hints line 1");
    }
}
