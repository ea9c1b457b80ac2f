// The sampler against a real process tree: a shell and its sleeping child, read from /proc/PID/smaps_rollup.
package cowfork.server.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.WatchedProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemorySamplerTest {
    /** sh, which has forked a sleep before it prints "started". */
    private static WatchedProcess tree() {
        WatchedProcess sh = WatchedProcess.start(List.of("sh", "-c", "sleep 120 & echo started; wait"), line -> { });
        sh.awaitLine(0, "started"::equals, Duration.ofSeconds(30));
        return sh;
    }

    @Test
    void theTreesPssIncludesTheChildAndTheRootsRssIsItsOwn() {
        try (WatchedProcess sh = tree()) {
            long[] root = MemorySampler.rollup(sh.pid());
            assertThat(root).as("sh's own smaps_rollup").isNotNull();
            MemorySampler.Memory m = MemorySampler.read(sh.pid());
            assertThat(m.processes()).as("sh and its sleep").isEqualTo(2);
            assertThat(m.pssKb()).isPositive();
            // the child's share is added to the root's: the sum exceeds what the root alone has
            long child = sh.process().toHandle().children().findFirst().orElseThrow().pid();
            assertThat(MemorySampler.rollup((int) child)[0]).as("the sleep's own PSS").isPositive();
            assertThat(m.pssKb()).isGreaterThan(root[0]);
            assertThat(m.rootRssKb()).isPositive();
        }
    }

    @Test
    void theTimerSamplesEverySecondAndStopsWhenClosed() throws InterruptedException {
        try (WatchedProcess sh = tree()) {
            CountDownLatch two = new CountDownLatch(2);
            List<MemorySampler.Sample> seen;
            try (MemorySampler sampler = MemorySampler.start(sh.pid(), s -> two.countDown())) {
                assertThat(two.await(20, TimeUnit.SECONDS)).as("two samples within 20 s").isTrue();
                seen = sampler.samples();
                assertThat(sampler.medianReadMillis()).as("each sample's read is timed").isPositive();
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(2);
            assertThat(seen.get(1).seconds()).as("fixed rate: the second tick about 1 s after the first")
                    .isBetween(seen.get(0).seconds() + 0.5, seen.get(0).seconds() + 10);
            assertThat(seen).allSatisfy(s -> {
                assertThat(s.processes()).isEqualTo(2);
                assertThat(s.pssKb()).isPositive();
            });
        }
    }

    @Test
    void anExitedProcessIsAnErrorNotZero() {
        WatchedProcess sh = WatchedProcess.start(List.of("true"), line -> { });
        int pid = sh.pid();
        sh.awaitExit(Duration.ofSeconds(30));
        assertThatThrownBy(() -> MemorySampler.read(pid)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has exited");
    }
}
