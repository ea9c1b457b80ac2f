// The sampler: its schedule on a fake clock, and its readings of a real process tree (a shell and its sleeping child) from /proc/PID/smaps_rollup.
package cowfork.bench.scale;

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
    @SuppressWarnings("try") // close() is called inside the block on purpose: what it stops is the test
    void theTimerSamplesARealTreeAndStopsWhenClosed() throws InterruptedException {
        try (WatchedProcess sh = tree()) {
            CountDownLatch two = new CountDownLatch(2);
            List<MemorySampler.Sample> seen;
            try (MemorySampler sampler = MemorySampler.start(sh.pid(), s -> two.countDown())) {
                assertThat(two.await(20, TimeUnit.SECONDS)).as("two samples within 20 s").isTrue();
                assertThat(sampler.medianReadMillis()).as("each sample's read is timed").isPositive();
                sampler.close();
                seen = sampler.samples();
                assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                        .as("the sampler's thread has ended").doesNotContain("memory-sampler-" + sh.pid());
                assertThat(sampler.samples()).as("nothing sampled after close()").isEqualTo(seen);
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(2);
            for (int k = 0; k < seen.size(); k++) {
                assertThat(seen.get(k).seconds()).as("tick %d is never early", k).isGreaterThanOrEqualTo(k);
            }
            assertThat(seen).allSatisfy(s -> {
                assertThat(s.processes()).isEqualTo(2);
                assertThat(s.pssKb()).isPositive();
            });
        }
    }

    /**
     * A clock that jumps to whatever time the sampler waits for, for {@code ticks} ticks; then
     * it waits until close() interrupts it. Reads advance it by what they "take".
     */
    private static final class FakeClock implements MemorySampler.Clock {
        private final int ticks;
        private int waits;
        volatile long now = 5_000_000_000L; // not 0: the schedule counts from start, not from the clock's zero

        FakeClock(int ticks) {
            this.ticks = ticks;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepUntil(long deadlineNanos) throws InterruptedException {
            if (++waits > ticks) {
                new CountDownLatch(1).await(); // no more ticks: until close() interrupts
            }
            now = Math.max(now, deadlineNanos);
        }
    }

    /** The seconds of the samples of a sampler whose k-th read takes {@code readMillis[k]} on a fake clock. */
    @SuppressWarnings("try") // close() inside the block: the samples are read after it stopped
    private static List<Double> schedule(long... readMillis) throws InterruptedException {
        FakeClock clock = new FakeClock(readMillis.length);
        int[] reads = {0};
        CountDownLatch all = new CountDownLatch(readMillis.length);
        try (MemorySampler sampler = new MemorySampler(1, s -> all.countDown(), clock, pid -> {
            clock.now += TimeUnit.MILLISECONDS.toNanos(readMillis[reads[0]++]);
            return new MemorySampler.Memory(100, 50, 1);
        })) {
            assertThat(all.await(20, TimeUnit.SECONDS)).as("%d samples", readMillis.length).isTrue();
            sampler.close();
            return sampler.samples().stream().map(MemorySampler.Sample::seconds).toList();
        }
    }

    @Test
    void ticksAreOnAFixedScheduleThatASlowReadDoesNotShift() throws InterruptedException {
        // Each read takes 0.3 s: a sampler that waited a second after each read would drift to 0, 1.3, 2.6, 3.9.
        assertThat(schedule(300, 300, 300, 300)).containsExactly(0.0, 1.0, 2.0, 3.0);
    }

    @Test
    void aReadThatOverrunsItsSecondSkipsTheTicksItMissedInsteadOfBunchingThem() throws InterruptedException {
        // The second read takes 2.5 s (1.0 to 3.5): the ticks at 2 and 3 are gone; the next sample is at 4.
        assertThat(schedule(0, 2_500, 0, 0)).containsExactly(0.0, 1.0, 4.0, 5.0);
    }

    @Test
    void theNextTickIsTheFirstOneAfterNow() {
        long t0 = 7;
        long second = MemorySampler.PERIOD_NANOS;
        assertThat(MemorySampler.nextTick(t0, t0)).isEqualTo(t0 + second);
        assertThat(MemorySampler.nextTick(t0, t0 + second - 1)).isEqualTo(t0 + second);
        assertThat(MemorySampler.nextTick(t0, t0 + second)).as("a tick due now is already taken").isEqualTo(t0 + 2 * second);
        assertThat(MemorySampler.nextTick(t0, t0 + 3 * second + 1)).isEqualTo(t0 + 4 * second);
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
