// The lab runner, on a grader made for it: each check's verdict, the shrunk counterexample, the hint, the report's order and lines.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabRunnerTest {
    private static final Lab FAKE = new Lab("99", "fake-chapter", "a fake lab", "1 h", "easy", List.of(
            new Lab.Part("the fake part", FakeGrader.class, List.of("src/lab/java/Fake.java"),
                    List.of(new Lab.Service(RefCounts.Factory.class, FakeStrategy::new)))));

    @Test
    void eachCheckGetsItsVerdictTheFirstFailureItsCounterexampleAndHint(@TempDir Path root) {
        LabReport report = LabRunner.run(FAKE, root);
        List<LabReport.Check> checks = report.parts().get(0).checks();
        assertThat(checks).extracting(LabReport.Check::method).as("the hints file's order, then the rest by name")
                .containsExactly("aCheckThatPasses", "aPropertyWithACounterexample", "aStubNotWrittenYet",
                        "aCheckThatPointsElsewhere", "aCheckThisMachineCannotRun", "theServiceIsRegisteredWhileTheGraderRuns");
        assertThat(checks).extracting(LabReport.Check::status).containsExactly(LabReport.Status.OK, LabReport.Status.FAIL,
                LabReport.Status.FAIL, LabReport.Status.FAIL, LabReport.Status.SKIPPED, LabReport.Status.OK);

        LabReport.Check property = checks.get(1);
        assertThat(property.counterexample()).as("jqwik's shrunk sample").isEqualTo("n: 10");
        assertThat(property.missing()).isNull();
        assertThat(property.message()).contains("[n]").contains("10");
        assertThat(property.hint()).isEqualTo("Look at the smallest n that fails.");
        assertThat(report.firstFailure()).contains(property);

        LabReport.Check stub = checks.get(2);
        assertThat(stub.missing()).isEqualTo("lab 99: Fake.method is not written: nothing is computed");
        LabReport.Check pointer = checks.get(3);
        assertThat(pointer.title()).as("its @DisplayName").isEqualTo("a check's own title, whose failure points at another hint");
        assertThat(pointer.hint()).as("the section its Hints.Pointer names").isEqualTo("The hint a pointer asks for.");
        assertThat(checks.get(4).message()).contains("this machine has no such feature");
        assertThat(checks.get(5).hint()).as("the * section").isEqualTo("The hint for a check without a section of its own.");

        assertThat(report.passed()).isFalse();
        assertThat(report.notStarted()).as("one check passed").isFalse();
        assertThat(report.summary()).isEqualTo("lab 99: FAIL (2 of 6 checks pass, 1 skipped on this machine)");
        assertThat(report.format()).startsWith("lab 99: a fake lab  (fake-chapter/LAB.md)\n\nthe fake part\n  ok    a check that passes\n  FAIL  a property with a counterexample\n")
                .contains("  skip  a check this machine cannot run (this machine has no such feature)\n")
                .contains("\nfirst failure: a property with a counterexample\n")
                .contains("  counterexample (jqwik, shrunk):\n    n: 10\n")
                .contains("  hint: Look at the smallest n that fails.\n")
                .containsPattern("\nlab 99: FAIL \\(2 of 6 checks pass, 1 skipped on this machine\\)  \\[\\d+\\.\\d s\\]$");
        assertThat(root.resolve("fake-chapter/target/lab")).as("jqwik's database, under the chapter's target").isDirectory();
    }

    @Test
    void aStudentsStrategyIsRegisteredOnlyWhileItsGraderRuns(@TempDir Path root) {
        LabReport report = LabRunner.run(FAKE, root);
        assertThat(report.all()).filteredOn(c -> c.method().equals("theServiceIsRegisteredWhileTheGraderRuns"))
                .extracting(LabReport.Check::status).containsExactly(LabReport.Status.OK);
        assertThat(RefCountStrategies.names()).as("after the run").doesNotContain(FakeStrategy.NAME);
    }

    @Test
    void aGraderWithoutHintsIsRefusedByName() {
        Lab lab = new Lab("98", "x", "no hints", "1 h", "easy", List.of(new Lab.Part("part", LabRunnerTest.class, "a.java")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabRunner.run(lab, Path.of("target")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("LabRunnerTest.hints");
    }
}
