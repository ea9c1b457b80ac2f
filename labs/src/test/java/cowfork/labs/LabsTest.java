// Every lab hangs together: its files exist, its stubs carry their "what is missing" message, and every check has its hint.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class LabsTest {
    private static final Path ROOT = Labs.root();

    static List<Lab> labs() {
        return Labs.all();
    }

    @ParameterizedTest(name = "lab {0}")
    @org.junit.jupiter.params.provider.MethodSource("labs")
    void everyFileTheStudentEditsAndTheHandoutExist(Lab lab) {
        assertThat(lab.files()).isNotEmpty();
        for (String f : lab.files()) {
            assertThat(ROOT.resolve(f)).as("lab %s's file", lab.id()).isRegularFile();
        }
        assertThat(lab.module()).startsWith(lab.id() + "-");
        assertThat(ROOT.resolve(lab.handout())).as("lab %s's handout", lab.id()).isRegularFile();
    }

    /**
     * A check without its own hint would get the fallback one, and a section naming no check is a
     * hint nobody sees: both mean the hints file and the grader drifted apart.
     */
    @ParameterizedTest(name = "lab {0}")
    @org.junit.jupiter.params.provider.MethodSource("labs")
    void everyCheckHasItsOwnHintAndEveryHintACheck(Lab lab) {
        for (Lab.Part part : lab.parts()) {
            List<String> checks = checksOf(part.grader());
            Hints hints = Hints.of(part.grader());
            assertThat(checks).as("the checks of %s", part.grader().getSimpleName()).isNotEmpty();
            assertThat(hints.order()).as("the hints of %s (%s.hints)", part.grader().getSimpleName(), part.grader().getSimpleName())
                    .containsExactlyInAnyOrderElementsOf(checks);
        }
    }

    /** The test and property methods the Launcher finds in {@code grader}, without running any. */
    static List<String> checksOf(Class<?> grader) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(grader)).build();
        TestPlan plan = LauncherFactory.create().discover(request);
        List<String> methods = new ArrayList<>();
        for (var root : plan.getRoots()) {
            for (var id : plan.getDescendants(root)) {
                if (id.isTest()) {
                    id.getSource().filter(MethodSource.class::isInstance)
                            .ifPresent(s -> methods.add(((MethodSource) s).getMethodName()));
                }
            }
        }
        return methods;
    }
}
