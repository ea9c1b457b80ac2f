// The self-check's first half: every lab's stub, as students get it, fails its grader and says what is missing.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs in the build's {@code stubs-fail} test run, whose class path leaves the reference
 * answers off: the graders meet the stubs in the chapters' {@code src/lab/java}. Every part of
 * every lab must fail, and its first failure must be the stub's own "lab NN: ... is not
 * written" message, so a student who runs {@code ./cowfork lab NN} first is told what to write.
 */
class LabStubsFailTest {

    static List<Lab> labs() {
        return Labs.all();
    }

    @ParameterizedTest(name = "lab {0}")
    @MethodSource("labs")
    void everyStubInTheChaptersThrowsItsLabMessage(Lab lab) throws IOException {
        for (String f : lab.files()) {
            assertThat(Files.readString(Labs.root().resolve(f))).as("%s: a stub says what is missing in a message that starts \"lab %s\"", f, lab.id())
                    .contains(LabMain.STUB_MARK + lab.id());
        }
    }

    @ParameterizedTest(name = "lab {0}")
    @MethodSource("labs")
    void theStubFailsItsGraderSayingWhatIsMissing(Lab lab) {
        LabReport report = LabRunner.run(lab, Labs.root());
        System.out.println("---- the stubs of " + report.summary() + "\n" + report.format());
        assertThat(report.passed()).as("lab %s passed on its stubs:%n%s", lab.id(), report.format()).isFalse();
        for (LabReport.PartResult part : report.parts()) {
            LabReport.Check first = part.checks().stream().filter(c -> c.status() == LabReport.Status.FAIL).findFirst().orElse(null);
            assertThat(first).as("a failing check in part '%s' of lab %s:%n%s", part.part().name(), lab.id(), report.format()).isNotNull();
            assertThat(first.missing()).as("the stub's message in the first failure of part '%s':%n%s", part.part().name(), report.format())
                    .isNotNull().startsWith("lab " + lab.id());
        }
    }
}
