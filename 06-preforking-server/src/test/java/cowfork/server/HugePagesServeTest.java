// serve --huge-pages: the flag, its help line, and the two master lines a benchmark greps (how the heap is paged, each fork's time).
package cowfork.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.cow.KernelProbe;
import cowfork.server.master.ServerConfig;
import cowfork.server.tools.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HugePagesServeTest {
    /** {@code [master] preloaded ... in 0.3 s; huge_pages=yes heap_thp_kib=6144 heap_kib=6300}. */
    static final Pattern PRELOADED = Pattern.compile(
            "\\[master] preloaded .* in [0-9.]+ s; huge_pages=(yes|no) heap_thp_kib=(\\d+) heap_kib=(\\d+)$");
    /** {@code [master] worker 0 (pid 1234) forked in 14.2 ms}. */
    static final Pattern FORKED = Pattern.compile("\\[master] worker (\\d+) \\(pid (\\d+)\\) forked in ([0-9.]+) ms$");

    @Test
    void hugePagesIsAnOffSwitchByDefaultAndOnWhenGiven() {
        assertThat(ServerConfig.parse().hugePages()).isFalse();
        assertThat(ServerConfig.parse("--huge-pages").hugePages()).isTrue();
        assertThat(ServerConfig.parse("--huge-pages", "--workers", "3").workers())
                .as("a switch takes no value: the next flag is still a flag").isEqualTo(3);
        assertThat(ServerConfig.parse("--huge-pages=yes").hugePages()).isTrue();
        assertThat(ServerConfig.parse("--huge-pages", "--huge-pages=no").hugePages()).isFalse();
        assertThatThrownBy(() -> ServerConfig.parse("--huge-pages=maybe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--huge-pages").hasMessageContaining("maybe");
    }

    @Test
    void theHelpMentionsHugePages() {
        assertThat(ServerConfig.usage()).contains("--huge-pages").contains("huge pages");
    }

    @Test
    void theMasterSaysHowTheHeapIsPagedAndHowLongEachForkTook() {
        KernelProbe.Facts kernel = KernelProbe.probe();
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--huge-pages")) {
            Matcher preloaded = PRELOADED.matcher(server.awaitLine(l -> l.contains("preloaded"), Duration.ofSeconds(30)));
            assertThat(preloaded.find()).as("the preloaded line: %s", server.output()).isTrue();
            assertThat(preloaded.group(1)).isEqualTo("yes");
            long thpKib = Long.parseLong(preloaded.group(2));
            assertThat(thpKib).as("at most the heap").isLessThanOrEqualTo(Long.parseLong(preloaded.group(3)));
            if (kernel.thpBacked()) {
                assertThat(thpKib).as("%s: the preloaded heap is on huge pages", kernel.line()).isPositive();
            } else {
                assertThat(thpKib).as("%s: the kernel grants none", kernel.line()).isZero();
            }
            List<Integer> workers = server.workerPids(); // "ready" came after both forks: both lines are there
            long forkLines = server.output().lines().filter(l -> FORKED.matcher(l).find()).count();
            assertThat(forkLines).as("one forked line per worker: %s", server.output()).isEqualTo(2);
            server.output().lines().map(FORKED::matcher).filter(Matcher::find).forEach(m -> {
                assertThat(workers).as("the logged pid is a worker").contains(Integer.parseInt(m.group(2)));
                assertThat(Double.parseDouble(m.group(3))).as("fork() took some time").isPositive();
            });
        }
    }

    @Test
    void withoutTheFlagTheHeapIsNotOnHugePages() {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            Matcher preloaded = PRELOADED.matcher(server.awaitLine(l -> l.contains("preloaded"), Duration.ofSeconds(30)));
            assertThat(preloaded.find()).as("the preloaded line: %s", server.output()).isTrue();
            assertThat(preloaded.group(1)).isEqualTo("no");
            assertThat(preloaded.group(2)).as("MADV_NOHUGEPAGE: never huge").isEqualTo("0");
        }
    }
}
