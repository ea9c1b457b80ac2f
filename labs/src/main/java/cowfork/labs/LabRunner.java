// Runs a lab's graders in this JVM through the JUnit Platform Launcher and collects, check by check, what a report needs.
package cowfork.labs;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the graders of a {@link Lab} in this JVM, as {@code ./cowfork lab NN} and the
 * solutions' self-check do. A grader is an ordinary test class (JUnit Jupiter tests and jqwik
 * properties, most of them the chapters' own contracts); the JVM must have been started
 * with the fork recipe's flags, as {@code ./cowfork} and the build's test JVMs are, because
 * the graders fork.
 *
 * <p>jqwik's failure database (which replays a failing property's seed next time, so a student
 * sees the same counterexample until it is fixed) is kept under the chapter's
 * {@code target/lab}, never in the working directory. It replays the seed, not the sample
 * (jqwik's default): a sample recorded from a stub often cannot be generated again once the
 * code has changed, and jqwik then logs a warning in the middle of the student's report.
 */
public final class LabRunner {
    /**
     * jqwik logs how it replays an earlier failure at INFO; the report already shows the
     * counterexample. Held here: java.util.logging keeps loggers only weakly.
     */
    private static final java.util.logging.Logger JQWIK_LOG = java.util.logging.Logger.getLogger("net.jqwik");
    /**
     * jqwik warns when shrinking runs out of time (a check whose every try waits for a child's
     * deadline): the report shows the smallest sample found, and the warning would print above it.
     */
    private static final java.util.logging.Logger JQWIK_SHRINKING_LOG = java.util.logging.Logger.getLogger("net.jqwik.engine.properties.shrinking");

    static {
        JQWIK_LOG.setLevel(java.util.logging.Level.WARNING);
        JQWIK_SHRINKING_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    private LabRunner() {
    }

    /**
     * Runs every part of {@code lab}, each grader to its end (a failing check does not stop
     * the others), and returns the report.
     *
     * @param root the repository root (for the chapter's {@code target/lab})
     */
    public static LabReport run(Lab lab, Path root) {
        long t0 = System.nanoTime();
        Path work = root.resolve(lab.module()).resolve("target").resolve("lab");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + work + " for the graders' jqwik database", e);
        }
        List<LabReport.PartResult> results = new ArrayList<>();
        for (Lab.Part part : lab.parts()) {
            results.add(runPart(part, work));
        }
        return new LabReport(lab, results, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static LabReport.PartResult runPart(Lab.Part part, Path work) {
        Hints hints = Hints.of(part.grader());
        Collector collector = new Collector();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(part.grader()))
                .configurationParameter("jqwik.reporting.onlyfailures", "true")
                .configurationParameter("jqwik.reporting.usejunitplatform", "true") // reports come to the listener, not to stdout
                .configurationParameter("jqwik.database", work.resolve("jqwik-database-" + part.grader().getSimpleName()).toString())
                .configurationParameter("jqwik.failures.after.default", "PREVIOUS_SEED")
                .build();
        Launcher launcher = LauncherFactory.create();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        try (ServiceOverlay overlay = ServiceOverlay.of(part.services(), before)) {
            thread.setContextClassLoader(overlay.loader());
            launcher.execute(request, collector);
        } finally {
            thread.setContextClassLoader(before);
        }
        List<LabReport.Check> checks = new ArrayList<>();
        for (Map.Entry<String, Outcome> e : collector.outcomes.entrySet()) {
            Outcome o = e.getValue();
            String method = e.getKey();
            String hint = o.pointer != null ? hints.hintFor(o.pointer) : hints.hintFor(method);
            String title = o.title != null ? o.title : LabReport.words(method);
            checks.add(new LabReport.Check(method, o.status, o.message, o.missing, o.counterexample, hint, title));
        }
        checks.sort(Comparator.comparingInt((LabReport.Check c) -> hints.rank(c.method())).thenComparing(LabReport.Check::method));
        String problem = collector.problem;
        if (problem == null && checks.isEmpty()) {
            problem = "the grader " + part.grader().getName() + " has no test or property that ran";
        }
        return new LabReport.PartResult(part, checks, problem);
    }

    /** What became of one check. */
    private static final class Outcome {
        LabReport.Status status;
        String message = "";
        String missing;
        String counterexample;
        /** The hints section a {@link Hints.Pointer} asked for, else null. */
        String pointer;
        /** The check's display name when the grader gave it one (an apostrophe, a comma), else null. */
        String title;
    }

    /** Listens to the Launcher: one outcome per test method, jqwik's report entries, and failures outside any test. */
    private static final class Collector implements TestExecutionListener {
        final Map<String, Outcome> outcomes = new LinkedHashMap<>();
        final Map<String, String> jqwikReports = new HashMap<>();
        String problem;

        @Override
        public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
            entry.getKeyValuePairs().values().forEach(v -> jqwikReports.merge(id.getUniqueId(), v, (a, b) -> a + "\n" + b));
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            methodOf(id).ifPresent(m -> {
                Outcome o = new Outcome();
                o.status = LabReport.Status.SKIPPED;
                o.message = reason;
                o.title = displayName(id, m);
                outcomes.put(m, o);
            });
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            String method = methodOf(id).orElse(null);
            Throwable thrown = result.getThrowable().orElse(null);
            if (method == null || !id.isTest()) {
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && thrown != null && problem == null) {
                    problem = describe(thrown); // a class that cannot be loaded or initialised, a failing @BeforeAll
                }
                return;
            }
            Outcome o = new Outcome();
            o.title = displayName(id, method);
            switch (result.getStatus()) {
                case SUCCESSFUL -> o.status = LabReport.Status.OK;
                case ABORTED -> {
                    o.status = LabReport.Status.SKIPPED;
                    o.message = thrown == null ? "aborted" : String.valueOf(thrown.getMessage()).replaceFirst("^Assumption failed: ", "");
                }
                case FAILED -> {
                    o.status = LabReport.Status.FAIL;
                    o.message = thrown == null ? "failed" : describe(thrown);
                    o.missing = LabReport.missingMessage(thrown);
                    o.counterexample = shrunkSample(jqwikReports.get(id.getUniqueId()));
                    o.pointer = thrown instanceof Hints.Pointer p ? p.section() : null;
                }
            }
            outcomes.put(method, o);
        }

        /** The display name the grader gave the check, or null where it is only the method's name (Jupiter adds "()"). */
        private static String displayName(TestIdentifier id, String method) {
            String d = id.getDisplayName();
            return d.equals(method) || d.equals(method + "()") ? null : d;
        }

        private static java.util.Optional<String> methodOf(TestIdentifier id) {
            return id.getSource().filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName());
        }
    }

    /** A throwable as a student should read it: its class only where the message alone would not say what happened. */
    static String describe(Throwable t) {
        String message = t.getMessage();
        if (t instanceof AssertionError && message != null) {
            return message.strip();
        }
        String text = t.getClass().getName() + (message == null ? "" : ": " + message.strip());
        Throwable cause = t.getCause();
        return cause == null || cause == t ? text : text + "\ncaused by " + describe(cause);
    }

    /**
     * The "Shrunk Sample" section of a jqwik report (or its only "Sample" when nothing could
     * be shrunk), without the table of run parameters above it.
     */
    static String shrunkSample(String report) {
        if (report == null) {
            return null;
        }
        for (String heading : List.of("Shrunk Sample", "Sample")) {
            int at = report.indexOf("\n" + heading);
            if (at < 0) {
                continue;
            }
            List<String> lines = new ArrayList<>();
            String[] rest = report.substring(at + 1).split("\n");
            for (int i = 1; i < rest.length; i++) { // rest[0] is the heading
                String line = rest[i];
                if (!line.startsWith(" ") && !line.startsWith("-") && !line.isBlank()) {
                    break; // the next section ("Original Sample", "Original Error")
                }
                if (!line.startsWith("---") && !line.isBlank()) {
                    lines.add(line.strip());
                }
            }
            return String.join("\n", lines);
        }
        return null;
    }

    /**
     * A class loader that adds {@code META-INF/services} files for a grader's run to what
     * its parent sees, so {@link java.util.ServiceLoader} (which looks through the thread's
     * context class loader) finds a student's strategy while, and only while, it is graded.
     */
    record ServiceOverlay(ClassLoader loader, Path dir) implements AutoCloseable {
        static ServiceOverlay of(List<Lab.Service> services, ClassLoader parent) {
            if (services.isEmpty()) {
                return new ServiceOverlay(parent, null);
            }
            try {
                Path dir = Files.createTempDirectory("cowfork-lab-services");
                Map<String, List<String>> files = new LinkedHashMap<>();
                for (Lab.Service s : services) {
                    files.computeIfAbsent(s.service().getName(), k -> new ArrayList<>()).add(s.provider().get().getClass().getName());
                }
                Path services_ = Files.createDirectories(dir.resolve("META-INF").resolve("services"));
                for (Map.Entry<String, List<String>> f : files.entrySet()) {
                    Files.writeString(services_.resolve(f.getKey()), String.join("\n", f.getValue()) + "\n", StandardCharsets.UTF_8);
                }
                return new ServiceOverlay(new URLClassLoader(new URL[] {dir.toUri().toURL()}, parent), dir);
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the lab's service files", e);
            }
        }

        @Override
        public void close() {
            if (dir == null) {
                return;
            }
            try {
                ((URLClassLoader) loader).close();
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + dir, e);
            }
        }
    }
}
