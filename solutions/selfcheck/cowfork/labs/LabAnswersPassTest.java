// The self-check's second half: every lab's reference answer, laid over its stub, passes its grader.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs in the build's default test run of this module, whose classes (the reference
 * answers) come before the chapters' jars on the class path, so each answer stands in for
 * its stub. Every check of every lab must pass; a check skipped because this machine lacks
 * a kernel feature is reported, not failed. If a chapter changes so that an answer no longer
 * passes, the build says so: an answer cannot go stale unnoticed.
 */
class LabAnswersPassTest {

    static List<Lab> labs() {
        return Labs.all();
    }

    @ParameterizedTest(name = "lab {0}")
    @MethodSource("labs")
    void theReferenceAnswerPassesItsGrader(Lab lab) {
        LabReport report = LabRunner.run(lab, Labs.root());
        System.out.println("---- the reference answer of " + report.summary() + "\n" + report.format());
        assertThat(report.passed()).as("lab %s on its reference answer:%n%s", lab.id(), report.format()).isTrue();
    }
}
