// The house drawn from the imports: no package cycle in any module, and chapter 06's packages layered with every arrow pointing down.
package cowfork.cli;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checked on the compiled classes of every module (the cli module depends on all of them),
 * main code only: a package is a slice by its full name, so {@code cowfork.server} and
 * {@code cowfork.server.http} are two nodes of the graph, and an arrow between them is any
 * use of a class (import, call, field, signature) that the class files record.
 *
 * <p>Chapter 06, from the top:
 * <pre>
 *   cowfork.server            Demo, Serve: the entry points may use anything below
 *   cowfork.server.tools      started from outside the server: launcher, watch, threaded baseline
 *   cowfork.server.warmup     a worker run in the master before it forks
 *   cowfork.server.master     the supervisor
 *   cowfork.server.worker     one forked worker's event loop and sockets
 *   cowfork.server.app        what a worker serves: endpoints, stores
 *   cowfork.server.stats      memory by region, the /stats and /dashboard documents
 *   cowfork.server.http       the HTTP/1.1 codec over bytes
 *   cowfork.server.protocol   the frames between master and worker
 * </pre>
 * The benchmarks and their drivers (JMH, wrk, gunicorn, gcc) live in the bench module, on
 * top: no chapter's code uses them, and nothing but them uses JMH.
 */
class PackageLayersTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importEveryModule() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // Chapter 03's and 06's test-jars are on this class path for the labs' graders
                // (./cowfork lab): their classes are tests too, though not in a test-classes folder.
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("cowfork");
    }

    @Test
    void theImportSeesEveryModule() {
        // Without this, an empty import would pass every rule below.
        assertThat(classes.stream().map(JavaClass::getPackageName).distinct())
                .contains("cowfork.support", "cowfork.fork", "cowfork.cow", "cowfork.heap", "cowfork.sidetable",
                        "cowfork.immortal", "cowfork.server", "cowfork.crosscheck", "cowfork.bench", "cowfork.cli");
    }

    @Test
    void noPackageCycleAnywhere() {
        slices().matching("cowfork.(**)").namingSlices("$1")
                .should().beFreeOfCycles()
                .check(classes);
    }

    @Test
    void supportUsesNoChapter() {
        // Sizes, command lines, /proc, a watched process: what every chapter may use, so it uses none of them
        // (the JDK, and picocli, which reads every command line through Cli).
        noClasses().that().resideInAPackage("cowfork.support..")
                .should().dependOnClassesThat().resideOutsideOfPackages("cowfork.support..", "java..", "javax..", "picocli..")
                .check(classes);
    }

    @Test
    void chapter06ArrowsPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("entry").definedBy("cowfork.server")
                .layer("tools").definedBy("cowfork.server.tools..")
                .layer("warmup").definedBy("cowfork.server.warmup..")
                .layer("master").definedBy("cowfork.server.master..")
                .layer("worker").definedBy("cowfork.server.worker..")
                .layer("app").definedBy("cowfork.server.app..")
                .layer("stats").definedBy("cowfork.server.stats..")
                .layer("http").definedBy("cowfork.server.http..")
                .layer("protocol").definedBy("cowfork.server.protocol..")

                .whereLayer("entry").mayNotBeAccessedByAnyLayer()
                .whereLayer("tools").mayOnlyAccessLayers("master", "worker", "app", "stats", "http", "protocol")
                .whereLayer("warmup").mayOnlyAccessLayers("worker", "app", "stats", "http", "protocol")
                .whereLayer("master").mayOnlyAccessLayers("worker", "app", "stats", "http", "protocol")
                .whereLayer("worker").mayOnlyAccessLayers("app", "stats", "http", "protocol")
                .whereLayer("app").mayOnlyAccessLayers("stats", "http", "protocol")
                .whereLayer("stats").mayOnlyAccessLayers("http", "protocol")
                .whereLayer("http").mayNotAccessAnyLayer()
                .whereLayer("protocol").mayNotAccessAnyLayer()
                .check(classes);
    }

    @Test
    void theChaptersNeitherUseTheBenchmarksNorCarryJmh() {
        noClasses().that().resideOutsideOfPackages("cowfork.bench..", "cowfork.cli..")
                .should().dependOnClassesThat().resideInAPackage("cowfork.bench..")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("cowfork.bench..")
                .should().dependOnClassesThat().resideInAPackage("org.openjdk.jmh..")
                .check(classes);
    }

    @Test
    void onlyTheEntryPointUsesTheMaster() {
        // The master's helpers (pool, frames) log through a type handed to them, not by calling back up into Master.
        noClasses().that().resideInAPackage("cowfork.server..")
                .and(not(partOf("Master")))
                .and(not(partOf("Serve")))
                .should().dependOnClassesThat(partOf("Master"))
                .check(classes);
    }

    /** A top-level class of chapter 06 with this simple name, or one of its nested classes. */
    private static DescribedPredicate<JavaClass> partOf(String simpleName) {
        return describe("part of " + simpleName, c -> {
            String top = c.getName().replaceFirst("\\$.*", "");
            return top.startsWith("cowfork.server.") && top.endsWith("." + simpleName);
        });
    }

    private static DescribedPredicate<JavaClass> not(DescribedPredicate<JavaClass> p) {
        return DescribedPredicate.not(p);
    }
}
