// CrossCheck end to end: a real run in /usr/bin/python3, a missing runtime that is reported and not failed, and a hung or lying interpreter killed with everything it started.
package cowfork.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.support.Cli;
import cowfork.support.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CrossCheckTest {
    private static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    /** What one run of the check printed, and its exit code. */
    record Run(int code, String out, String err) {
        List<ResultLine> results() {
            return out.lines().filter(l -> l.contains("child_private_kb=")).map(ResultLine::parse).toList();
        }
    }

    private Run crossCheck(Interpreters.Search search, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CrossCheck.run(args, search, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Interpreters.Search nowhere() throws IOException {
        return new Interpreters.Search(List.of(Files.createDirectories(tmp.resolve("empty-bin"))),
                Files.createDirectories(tmp.resolve("empty-home")));
    }

    @Test
    @Timeout(60)
    void systemPythonCopiesWhenItServesOrCollectsAndGcFreezeStopsTheCollectionsCopies() {
        assumeThat(Files.isExecutable(SYSTEM_PYTHON)).as("Debian always has " + SYSTEM_PYTHON).isTrue();
        List<Integer> childrenBefore = Processes.childrenOf(Processes.self());

        Run run = crossCheck(Interpreters.Search.fromEnvironment(), "--quick", "--only", "cpython", "--python",
                SYSTEM_PYTHON.toString());

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("crosscheck: items=" + CrossCheck.QUICK_ITEMS + " served=");
        Map<String, ResultLine> byRun = run.results().stream()
                .collect(Collectors.toMap(r -> r.workload() + " " + r.setting(), Function.identity()));
        assertThat(byRun).containsOnlyKeys("idle freeze=no", "serve freeze=no", "serve freeze=yes", "gc freeze=no",
                "gc freeze=yes");
        for (ResultLine r : byRun.values()) {
            assertThat(r.language()).isEqualTo("cpython");
            assertThat(r.childPrivateKb()).as(r.format()).isPositive().isLessThanOrEqualTo(r.parentRssKb());
        }
        long idle = byRun.get("idle freeze=no").childPrivateKb();
        // Serving only reads, yet every served object's refcount is written: pages copy (3.12+ too: app objects are mortal)
        assertThat(byRun.get("serve freeze=no").childPrivateKb()).isGreaterThan(idle);
        // A full collection writes the GC header of every tracked object; after gc.freeze() it examines none of them
        // (the gc module's documentation gives exactly this reason for freeze: fork() without exec())
        assertThat(byRun.get("gc freeze=no").childPrivateKb()).isGreaterThan(2 * byRun.get("gc freeze=yes").childPrivateKb());
        assertThat(Processes.childrenOf(Processes.self())).containsExactlyInAnyOrderElementsOf(childrenBefore);
    }

    @Test
    @Timeout(60)
    void rubysFullCollectionMarksInABitmapAndCopiesLittleOfTheHeap() {
        List<Path> rubies = Interpreters.rubyCandidates(Interpreters.Search.fromEnvironment());
        assumeThat(rubies).as("no ruby installed (apt-get install ruby): nothing to check").isNotEmpty();

        Run run = crossCheck(Interpreters.Search.fromEnvironment(), "--quick", "--only", "ruby", "--ruby",
                rubies.get(0).toString());

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        Map<String, ResultLine> byRun = run.results().stream()
                .collect(Collectors.toMap(r -> r.workload() + " " + r.setting(), Function.identity()));
        assertThat(byRun).containsKeys("idle compact=no", "serve compact=no", "iterate compact=no", "full-gc compact=no",
                "serve compact=no frozen=yes", "iterate compact=no frozen=yes", "full-gc compact=no frozen=yes");
        for (ResultLine r : byRun.values()) {
            assertThat(r.childPrivateKb()).as(r.format()).isPositive().isLessThanOrEqualTo(r.parentRssKb());
        }
        // With mark bits in object headers (Ruby 1.9) a full collection wrote every live object's page; since 2.0
        // the marks live in a bitmap beside the heap, so the child's collection leaves nearly every page shared
        ResultLine fullGc = byRun.get("full-gc compact=no");
        assertThat(fullGc.childPrivateKb()).as(fullGc.format()).isLessThan(fullGc.parentRssKb() / 10);
        // Serving allocates (the output, the lookup keys): new objects and their memory are the child's own
        assertThat(byRun.get("serve compact=no").childPrivateKb()).isGreaterThan(byRun.get("idle compact=no").childPrivateKb());
    }

    @Test
    void aMissingRuntimeGetsItsMissingLineAndTheCheckStillSucceeds() throws IOException {
        Run run = crossCheck(nowhere(), "--quick");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out().lines()).contains(
                "cpython: missing: no python3.X found on PATH or in ~/.pyenv/versions",
                "ruby: missing: no ruby found on PATH, in ~/.rbenv/versions or in ~/.rubies (Debian: apt-get install ruby)");
        assertThat(run.results()).isEmpty();
    }

    @Test
    void anInterpreterTheUserNamedThatCannotRunIsAFailureNotAMissingRuntime() throws IOException {
        Run run = crossCheck(nowhere(), "--quick", "--only", "ruby", "--ruby", tmp.resolve("no-such-ruby").toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("ruby: failed: " + tmp.resolve("no-such-ruby")).contains("cannot start")
                .doesNotContain("missing");
    }

    @Test
    @Timeout(30)
    void aRunPastItsDeadlineIsKilledWithEverythingItForked() throws IOException {
        // A fake interpreter: answers its probe, builds, then, for the idle workload, forks a child that never
        // says "ready"; for the others it fails at once.
        Path pidFile = tmp.resolve("forked.pid");
        Path fake = InterpretersTest.script(tmp.resolve("fake/python3.99"), """
                if [ "$2" = --probe ]; then echo "probe version=3.99.0 executable=$0 freeze=yes"; exit 0; fi
                echo "built items=$2 served=$(wc -l < "$4")"
                if [ "$5" != idle ]; then echo "no such workload: $5" >&2; exit 3; fi
                sleep 600 &
                echo $! > %s
                wait
                """.formatted(pidFile));
        List<Integer> childrenBefore = Processes.childrenOf(Processes.self());

        Run run = crossCheck(nowhere(), "--quick", "--only", "cpython", "--python", fake.toString(), "--timeout", "1");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("cpython: version=3.99.0 workload=idle freeze=no failed:")
                .contains("did not print a \"ready ...\" line within");
        // the other runs still ran, and failed with their own reason
        assertThat(run.out().lines().filter(l -> l.contains(" failed: "))).hasSize(5);
        assertThat(run.out()).contains("workload=gc freeze=yes failed:").contains("no such workload: gc");
        long forked = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(forked).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(Processes.childrenOf(Processes.self())).containsExactlyInAnyOrderElementsOf(childrenBefore);
    }

    @Test
    @Timeout(30)
    void aRubyWithoutGcCompactSkipsThoseRunsAndMeasuresTheRest() throws IOException {
        // A fake Ruby 2.6 that speaks the protocol: its "child" is a shell it forks, waiting on stdin
        Path fake = InterpretersTest.script(tmp.resolve("fake/ruby2.6"), """
                if [ "$2" = --probe ]; then echo "probe version=2.6.10 executable=$0 compact=no warmup=no"; exit 0; fi
                echo "built items=$2 served=$(wc -l < "$4")"
                n=0; if [ "$5" = serve ] || [ "$5" = iterate ]; then n=$(wc -l < "$4"); fi
                exec 3<&0  # a background job's stdin is /dev/null; fd 3 keeps the pipe from the JVM
                sh -c 'echo "ready pid=$$ served='"$n"' bytes=0"; read line <&3' &
                wait $!
                echo "exit status=$?"
                """);

        Run run = crossCheck(nowhere(), "--items", "200", "--only", "ruby", "--ruby", fake.toString());

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out().lines().filter(l -> l.endsWith(" skipped: no GC.compact in this Ruby")))
                .containsExactly("ruby: version=2.6.10 workload=serve compact=yes skipped: no GC.compact in this Ruby",
                        "ruby: version=2.6.10 workload=iterate compact=yes skipped: no GC.compact in this Ruby",
                        "ruby: version=2.6.10 workload=full-gc compact=yes skipped: no GC.compact in this Ruby");
        assertThat(run.results()).extracting(r -> r.workload() + " " + r.setting()).containsExactly(
                "idle compact=no", "serve compact=no", "serve compact=no frozen=yes", "iterate compact=no",
                "iterate compact=no frozen=yes", "full-gc compact=no", "full-gc compact=no frozen=yes");
        for (ResultLine r : run.results()) {
            assertThat(r.childPrivateKb()).as(r.format()).isPositive();
            assertThat(r.parentRssKb()).as(r.format()).isPositive();
        }
    }

    @Test
    void aChildThatIsNotTheScriptsOwnIsRefusedBeforeAnythingIsMeasured() throws IOException {
        // pid 1 is alive but not the script's child: measuring it would report someone else's memory
        Path fake = InterpretersTest.script(tmp.resolve("fake/ruby"), """
                if [ "$2" = --probe ]; then echo "probe version=3.1.2 executable=$0 compact=yes warmup=no"; exit 0; fi
                echo "built items=$2 served=$(wc -l < "$4")"
                echo "ready pid=1 served=0 bytes=0"
                read line
                """);

        Run run = crossCheck(nowhere(), "--items", "100", "--only", "ruby", "--ruby", fake.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("ruby: version=3.1.2 workload=idle compact=no failed:")
                .contains("named pid 1 as its child");
        assertThat(run.results()).isEmpty();
    }

    @Test
    void wrongArgumentsExitWith2AndSayWhich() throws IOException {
        Run run = crossCheck(nowhere(), "--items", "lots");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--items': 'lots' is not a whole number")
                .contains("(./cowfork crosscheck --help shows every option)");
        assertThat(crossCheck(nowhere(), "--only", "perl").err())
                .contains("Invalid value for option '--only': 'perl' is not one of cpython, ruby");
        assertThat(crossCheck(nowhere(), "--timeout").err()).contains("Missing required parameter for option '--timeout'");
        assertThat(crossCheck(nowhere(), "--timeout=0").err()).contains("--timeout must be between 1 and 3600, got 0");
        assertThat(crossCheck(nowhere(), "--items", "5").err()).contains("--items must be between 10 and 10000000, got 5");
        Run help = crossCheck(nowhere(), "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: ./cowfork crosscheck").contains("--items=N", "--only=LANG", "--markdown");
    }

    @Test
    void bothSpellingsOfAFlagMeanTheSame() {
        CrossCheck.Options joined = Cli.parse(new CrossCheck.Flags(),
                new String[] {"--items=100", "--only=ruby", "--ruby=/opt/ruby", "--timeout=5", "--markdown"}).options();
        assertThat(joined).isEqualTo(Cli.parse(new CrossCheck.Flags(),
                new String[] {"--items", "100", "--only", "ruby", "--ruby", "/opt/ruby", "--timeout", "5", "--markdown"}).options());
        assertThat(joined.rubies()).containsExactly(Path.of("/opt/ruby"));
        assertThat(Cli.parse(new CrossCheck.Flags(), new String[] {"--quick"}).options().items()).isEqualTo(CrossCheck.QUICK_ITEMS);
    }
}
