// KernelProbe's reading of the kernel: both kinds of read fault, THP modes, Yama scopes, the page-size refusal, the line.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The classification logic runs here on pagemap entries of both kinds of kernel, so the
 * branch this machine does not take is tested too; {@code PageMapTest} checks the probe's
 * answer for this kernel against independent observations.
 */
class KernelProbeTest {
    static final Pattern LINE = Pattern.compile("^kernel: release=\\S+ read_fault=(zero-page|private-page)"
            + " thp=(always|madvise|never|unsupported) thp_backed=(yes|no) page_size=(\\d+) pidfd=(yes|no:\\S+)"
            + " ptrace=(no-yama|yama-\\d) gdb_attach=(yes|no)$", Pattern.MULTILINE);

    private static final long PRESENT = PageMap.PRESENT;
    private static final long EXCLUSIVE = PageMap.EXCLUSIVE;

    @Test
    void aZeroPageKernelShowsPresentPagesThatAreNotExclusive() {
        // As read on a zero-page kernel by root: both pages are the zero page's frame, bit 56 clear.
        long zeroFrame = 0x2a0bL;
        assertThat(KernelProbe.classifyReadFault(PRESENT | zeroFrame, PRESENT | zeroFrame))
                .isEqualTo(KernelProbe.ReadFault.ZERO_PAGE);
        assertThat(KernelProbe.classifyReadFault(PRESENT, PRESENT)).as("frames hidden (not root)")
                .isEqualTo(KernelProbe.ReadFault.ZERO_PAGE);
    }

    @Test
    void aPrivatePageKernelShowsExclusivePagesOfTheirOwn() {
        // As read on a kernel that allocates a page per read fault: own frames, bit 56 set.
        assertThat(KernelProbe.classifyReadFault(PRESENT | EXCLUSIVE | 0x1b7f31L, PRESENT | EXCLUSIVE | 0x1b7f32L))
                .isEqualTo(KernelProbe.ReadFault.PRIVATE_PAGE);
        assertThat(KernelProbe.classifyReadFault(PRESENT | EXCLUSIVE, PRESENT | EXCLUSIVE)).as("frames hidden")
                .isEqualTo(KernelProbe.ReadFault.PRIVATE_PAGE);
    }

    @Test
    void entriesThatFitNeitherKindAreRefusedWithBothShown() {
        assertThatThrownBy(() -> KernelProbe.classifyReadFault(0, PRESENT)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0x0 and 0x8000000000000000").hasMessageContaining("both present");
        assertThatThrownBy(() -> KernelProbe.classifyReadFault(PRESENT, PRESENT | EXCLUSIVE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not ones cowfork knows");
    }

    @Test
    void theThpModeIsTheBracketedChoice() {
        assertThat(KernelProbe.thpMode("always [madvise] never\n")).isEqualTo("madvise");
        assertThat(KernelProbe.thpMode("[always] madvise never\n")).isEqualTo("always");
        assertThat(KernelProbe.thpMode("always madvise [never]\n")).isEqualTo("never");
        assertThat(KernelProbe.thpMode(null)).as("no such file: a kernel without THP").isEqualTo("unsupported");
        assertThatThrownBy(() -> KernelProbe.thpMode("garbage")).hasMessageContaining("no [selected] mode");
    }

    @Test
    void gdbMayAttachUnlessYamaForbids() {
        assertThat(KernelProbe.ptraceScope(null)).isEqualTo("no-yama");
        assertThat(KernelProbe.ptraceScope("1\n")).isEqualTo("yama-1");
        assertThat(KernelProbe.gdbMayAttach(null, false)).as("no Yama: same user may").isTrue();
        assertThat(KernelProbe.gdbMayAttach("0\n", false)).isTrue();
        assertThat(KernelProbe.gdbMayAttach("1\n", false)).as("scope 1, gdb is no ancestor of the child").isFalse();
        assertThat(KernelProbe.gdbMayAttach("1\n", true)).as("scope 1 with CAP_SYS_PTRACE").isTrue();
        assertThat(KernelProbe.gdbMayAttach("2\n", false)).isFalse();
        assertThat(KernelProbe.gdbMayAttach("2\n", true)).isTrue();
        assertThat(KernelProbe.gdbMayAttach("3\n", true)).as("scope 3: nobody").isFalse();
    }

    @Test
    void onlyFourKibPagesAreAccepted() {
        assertThat(Region.pageSizeRefusal(4096)).isNull();
        assertThat(Region.pageSizeRefusal(16384)).contains("16 KiB pages", "16384 bytes", "getconf PAGESIZE",
                "counts memory in 4 KiB pages", "CONFIG_ARM64_4K_PAGES");
        assertThat(Region.pageSizeRefusal(65536)).contains("64 KiB pages");
        assertThat(Region.pageSizeRefusal(8192)).contains("8 KiB pages");
    }

    /**
     * The probe decides gdb_attach from Yama's scope and our capabilities; here gdb itself
     * tries, from a process that is not the child's ancestor (as from a shell), to attach to
     * a real forked child. Both answers must agree. Without gdb on the machine only the
     * probe's reading of Yama is checked, and the test reports itself skipped.
     */
    @Test
    void gdbAttachesToAForkedChildExactlyWhenTheProbeSaysItMay() throws Exception {
        KernelProbe.Facts facts = KernelProbe.probe();
        String attempt = ChildSnapshot.take(CowProperties.FORKER, () -> { }, KernelProbeTest::gdbAttach);
        System.out.println("gdb-attach: probe says " + (facts.gdbAttach() ? "yes" : "no") + " (ptrace=" + facts.ptrace()
                + "); gdb " + attempt);
        assertThat(facts.ptrace()).as("the probe's reading of Yama has its shape").matches("no-yama|yama-\\d");
        assumeThat(attempt).as("gdb installed (apt-get install gdb), to compare its attempt with the probe")
                .doesNotStartWith("not installed");
        assertThat(attempt.startsWith("attached")).as("gdb's own attempt (%s) against the probe's gdb_attach=%s (%s)",
                attempt, facts.gdbAttach() ? "yes" : "no", facts.ptrace()).isEqualTo(facts.gdbAttach());
    }

    /** Runs {@code gdb -p pid} in batch mode with a deadline: "attached", "refused: ...", or "not installed". */
    private static String gdbAttach(int pid) {
        List<String> command = List.of("gdb", "-p", Integer.toString(pid), "-batch", "-nx",
                "-iex", "set auto-load off", "-ex", "info inferiors");
        Path out;
        Process p;
        try {
            out = Files.createTempFile("cowfork-gdb-", ".out");
        } catch (IOException e) {
            throw new IllegalStateException("no temporary file for gdb's output: " + e, e);
        }
        try {
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                return "not installed (" + e.getMessage() + ")";
            }
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gdb -p " + pid + " did not finish within 60 s");
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            String text = Files.readString(out);
            if (text.contains("process " + pid) && !text.contains("ptrace: Operation not permitted")) {
                return "attached";
            }
            return "refused: " + text.lines().filter(l -> l.contains("ptrace") || l.contains("ermission"))
                    .findFirst().orElse(text.strip());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("gdb -p " + pid + ": " + e, e);
        } finally {
            out.toFile().delete();
        }
    }

    /** The probe on this kernel: one line in the documented shape, with facts the kernel guarantees here. */
    @Test
    void theProbeLineDescribesThisKernel() {
        KernelProbe.Facts facts = KernelProbe.probe();
        String line = facts.line();
        System.out.println(line);
        assertThat(LINE.matcher(line).matches()).as("the line %s has the documented shape", line).isTrue();
        assertThat(facts.pageSize()).as("the probe ran, so the page-size check passed").isEqualTo(4096);
        assertThat(facts.release()).isEqualTo(System.getProperty("os.version"));
        assertThat(facts.pidfd()).as("module 01 forks with pidfds, and its tests pass on this kernel").isEqualTo("yes");
        if (facts.thp().equals("never") || facts.thp().equals("unsupported")) {
            assertThat(facts.thpBacked()).as("THP %s: no huge page may back a region", facts.thp()).isFalse();
        }
    }
}
