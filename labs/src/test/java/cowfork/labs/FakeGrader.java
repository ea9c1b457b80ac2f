// A grader made for testing the lab runner: one check of each kind a report must tell apart.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.heap.RefCountStrategies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Not a test of its own (its name matches none of surefire's patterns): {@link LabRunnerTest}
 * runs it through {@link LabRunner}, as {@code ./cowfork lab} runs a real grader.
 */
public class FakeGrader {

    @Test
    void aCheckThatPasses() {
        assertThat(1 + 1).isEqualTo(2);
    }

    @Test
    void aStubNotWrittenYet() {
        throw new UnsupportedOperationException("lab 99: Fake.method is not written: nothing is computed");
    }

    /** Fails for every n from 10 up: jqwik must shrink whatever it found to exactly 10. */
    @Property(tries = 200, seed = "42")
    void aPropertyWithACounterexample(@ForAll @IntRange(min = 0, max = 100_000) int n) {
        assertThat(n).as("n").isLessThan(10);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("a check's own title, whose failure points at another hint")
    void aCheckThatPointsElsewhere() {
        throw new Hints.Pointer(Hints.NAMED + "elsewhere", "failed for a reason the check is not about");
    }

    @Test
    void aCheckThisMachineCannotRun() {
        Assumptions.assumeTrue(false, "this machine has no such feature");
    }

    @Test
    void theServiceIsRegisteredWhileTheGraderRuns() {
        assertThat(RefCountStrategies.names()).contains(FakeStrategy.NAME);
    }
}
