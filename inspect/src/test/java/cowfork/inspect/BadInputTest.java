// Bad input gets a clear message and its own exit code: no such process, not ours, several matches, no pagemap flags, bad flags.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cowfork.cow.KernelProbe;
import cowfork.cow.PageState;
import cowfork.support.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BadInputTest {
    static QuietTreeTest.Run inspect(String... args) {
        return QuietTreeTest.inspect(args);
    }

    @Test
    void aPidNoProcessCanHaveIsNoSuchProcess() throws IOException {
        // One read of the whole file: a sysctl file read in pieces (as Files.readString does for a file of size 0)
        // answers only its first byte.
        int beyond;
        try (var reader = Files.newBufferedReader(Path.of("/proc/sys/kernel/pid_max"))) {
            beyond = Integer.parseInt(reader.readLine().strip()) + 1;
        }
        QuietTreeTest.Run r = inspect(Integer.toString(beyond));
        assertThat(r.code()).as(r.toString()).isEqualTo(InspectFailure.NO_SUCH_PROCESS);
        assertThat(r.err()).startsWith("inspect: no process " + beyond + " (check the pid with ps");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aNameNothingMatchesIsNoSuchProcess() {
        QuietTreeTest.Run r = inspect("--name", "no-server-is-called-this-[0-9]{3}");
        assertThat(r.code()).isEqualTo(InspectFailure.NO_SUCH_PROCESS);
        assertThat(r.err()).contains("no process's command line matches 'no-server-is-called-this-[0-9]{3}'");
    }

    @Test
    void aNameTwoUnrelatedServersMatchIsAskedToBeNarrowed() {
        List<Launched> two = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                two.add(Launched.start(List.of("sleep", "3600.25"), Map.of(), Path.of(".")));
            }
            for (Launched l : two) {
                awaitCommandLine(l.pid(), "sleep 3600.25");
            }
            QuietTreeTest.Run r = inspect("--name", "^sleep 3600\\.25$");
            assertThat(r.code()).isEqualTo(Inspect.USAGE);
            assertThat(r.err()).contains("2 unrelated processes match '^sleep 3600\\.25$'; name the master by its pid")
                    .contains("\n  " + two.get(0).pid() + "  sleep 3600.25").contains("\n  " + two.get(1).pid() + "  sleep 3600.25");
        } finally {
            two.forEach(Launched::close);
        }
    }

    @Test
    void badFlagsAreAUsageErrorThatNamesTheFlag() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("name the master: a PID, or --name PATTERN", new String[] {});
        cases.put("--watch must be between 1 and 86400, got 0", new String[] {"--watch", "0", "1"});
        cases.put("Unknown option: '--frobnicate'", new String[] {"1", "--frobnicate"});
        cases.put("Unmatched argument at index 1: '2'", new String[] {"1", "2"});
        cases.put("a PID or --name, not both", new String[] {"1", "--name", "x"});
        cases.put("Invalid value for option '--name': '(' is not a regular expression", new String[] {"--name", "("});
        cases.put("--pages draws mappings, which --totals does not read", new String[] {"1", "--totals", "--pages", "2"});
        cases.put("--dashboard shows regions and page strips on a page", new String[] {"1", "--dashboard", "0", "--json"});
        cases.put("--dashboard must be between 0 and 65535, got 70000", new String[] {"1", "--dashboard=70000"});
        cases.put("Invalid value for positional parameter at index 0 (PID): 'x' is not a whole number", new String[] {"x"});
        cases.forEach((message, args) -> {
            QuietTreeTest.Run r = inspect(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(Inspect.USAGE);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("inspect: " + message)
                    .contains("(./cowfork inspect --help shows every option)");
        });
        assertThat(inspect("--help").out()).startsWith("Usage: ./cowfork inspect").contains("--watch=SECONDS")
                .contains("--json, one line per sample").contains("exit codes:");
    }

    @Test
    void bothSpellingsOfAFlagMeanTheSame() {
        assertThat(Inspect.Options.parse(new String[] {"--name=gunicorn", "--watch=30", "--count=2", "--top=3", "--pages=1"}, System.out))
                .usingRecursiveComparison().withComparatorForType((a, b) -> a.pattern().compareTo(b.pattern()), Pattern.class)
                .isEqualTo(Inspect.Options.parse(new String[] {"--name", "gunicorn", "--watch", "30", "--count", "2", "--top", "3",
                    "--pages", "1"}, System.out));
        assertThat(Inspect.Options.parse(new String[] {"7", "--dashboard=0"}, System.out).dashboardPort()).isZero();
    }

    /**
     * Another user's server: the kernel refuses its smaps (EACCES) unless we have CAP_SYS_PTRACE, and
     * the message says what permission is needed. As root (with CAP_SYS_PTRACE) the inspector runs in
     * a JVM of its own with that capability dropped (setpriv), against a process of user nobody.
     */
    @Test
    void anotherUsersServerIsRefusedWithWhatItNeeds() {
        if (uid(Processes.self()) != 0) {
            assumeTrue(uid(1) != uid(Processes.self()), "pid 1 runs as our own user: no process of another user to try");
            assumeTrue(!KernelProbe.hasCapability(KernelProbe.CAP_SYS_PTRACE), "this JVM has CAP_SYS_PTRACE: it may read anyone's");
            QuietTreeTest.Run r = inspect("1");
            assertThat(r.code()).isEqualTo(InspectFailure.NOT_PERMITTED);
            assertThat(r.err()).contains("ptrace read access").contains("CAP_SYS_PTRACE");
            return;
        }
        assumeTrue(Executables.find("setpriv") != null, "setpriv (util-linux) is missing: cannot run a process as another user");
        // Newer kernels let CAP_PERFMON or CAP_SYS_ADMIN read another process's memory map too: drop all three.
        try (Launched nobody = Launched.start(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "sleep", "3600.5"), Map.of(), Path.of("/"))) {
            awaitCommandLine(nobody.pid(), "sleep 3600.5");
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-sys_ptrace,-perfmon,-sys_admin", "--inh-caps=-all"));
            cmd.addAll(Launched.java(Inspect.class.getName(), Integer.toString(nobody.pid())));
            try (Launched inspector = Launched.start(cmd, Map.of(), Path.of("."))) {
                int code = inspector.awaitExit(Duration.ofMinutes(1));
                String said = inspector.output();
                assertThat(code).as(said).isEqualTo(InspectFailure.NOT_PERMITTED);
                assertThat(said).contains("the kernel does not let this process read /proc/" + nobody.pid() + "/smaps")
                        .contains("inspect runs as uid 0 without CAP_SYS_PTRACE, CAP_PERFMON or CAP_SYS_ADMIN").contains("ptrace read access")
                        .contains("sudo -u nobody ./cowfork inspect " + nobody.pid()).contains("ptrace_scope");
            }
        }
    }

    @Test
    void aKernelWhosePagemapCannotSayWhatIsSharedIsRefusedForPageStrips() {
        for (PageState seen : new PageState[] {PageState.SHARED, PageState.NOT_PRESENT}) {
            InspectFailure f = catchThrowableOfType(InspectFailure.class, () -> PageStrips.requirePagemapFlags(seen));
            assertThat(f.exitCode()).isEqualTo(InspectFailure.NO_PAGEMAP_FLAGS);
            assertThat(f.getMessage()).startsWith("this kernel's /proc/PID/pagemap cannot say which pages are shared")
                    .contains("run without --pages");
        }
        PageStrips.requirePagemapFlags(); // this kernel: a page we alone wrote reads as present and exclusive
    }

    @Test
    void treeTakesTheWholeTreeAndTheDefaultOnlyTheWorkers() {
        try (Launched sh = Launched.start(List.of("sh", "-c", "sh -c 'sleep 3600.75; true' & wait"), Map.of(), Path.of("."))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (ProcessTree.list(sh.pid(), true).size() < 3) {
                assertThat(System.nanoTime() - deadline).as("the grandchild appears").isNegative();
                LockSupport.parkNanos(20_000_000);
            }
            List<ProcessTree.Member> whole = ProcessTree.list(sh.pid(), true);
            assertThat(whole).extracting(ProcessTree.Member::role)
                    .containsExactly(ProcessTree.Role.MASTER, ProcessTree.Role.WORKER, ProcessTree.Role.OTHER);
            assertThat(whole.get(2).ppid()).isEqualTo(whole.get(1).pid());
            assertThat(ProcessTree.list(sh.pid(), false)).containsExactlyElementsOf(whole.subList(0, 2));
            assertThat(ProcessTree.list(sh.pid(), true, false)).as("one pass over /proc/N/stat").isEqualTo(whole);
            assumeTrue(ProcessTree.CHILDREN_FILES, "this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN):"
                    + " the scan of /proc/N/stat is the only way, and was checked");
            assertThat(ProcessTree.list(sh.pid(), true, true)).as("from the children files").isEqualTo(whole);
        }
    }

    private static void awaitCommandLine(int pid, String cmd) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!cmd.equals(ProcessTree.commandLine(pid))) {
            assertThat(System.nanoTime() - deadline).as("pid %d execs %s", pid, cmd).isNegative();
            LockSupport.parkNanos(20_000_000);
        }
    }

    private static int uid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no Uid line for " + pid);
    }
}
