// A safepoint or handshake that starts while fork() runs must not hang the child: provoked on purpose, many times.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * While the forking thread is inside {@code fork()} it is "in native", and HotSpot does
 * not wait for a thread in native: a safepoint or handshake that another thread starts
 * then goes ahead, and the child's copy of the VM is taken in the middle of it. Here a
 * thread that is asleep when the recipe checks (so the recipe sees it quiet) wakes up and
 * asks for the forking thread's stack, a VM operation (a safepoint on JDK 17), again and
 * again. Without the started/go-ahead exchange in {@link Forker} about 1 child in 10 hung
 * here in {@code SafepointSynchronize::block} (6 of 60, JDK 17); with it, such a child is
 * killed before its task starts and forked again.
 */
class VmOperationDuringForkTest {
    private static final int FORKS = 60;
    /** Longer than a healthy child takes to come back, shorter than the 250 ms startup timeout. */
    private static final long STUCK_NANOS = 100_000_000L;

    @AfterEach
    void noChildLeftBehind() {
        NoChildLeftBehind.check();
    }

    @Test
    void aVmOperationDuringForkDoesNotHangTheChild() throws Exception {
        // A short startup timeout keeps the test fast: each stuck (sleeping) child costs this much; a child
        // still running when it passes is slow, not stuck, and is waited for.
        Forker forker = Forker.builder().deadline(Duration.ofSeconds(10)).startupTimeout(Duration.ofMillis(250)).build();
        Thread forking = Thread.currentThread();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger returned = new AtomicInteger(); // forker.run() calls that have returned
        Thread provoker = new Thread(() -> {
            java.util.Random random = new java.util.Random(17);
            long waitingSince = 0;
            while (!stop.get()) {
                long start = System.nanoTime();
                StackTraceElement[] stack = forking.getStackTrace(); // a VM operation on the forking thread
                long took = System.nanoTime() - start;
                // The forking thread waiting for a child's first byte for long: that child is stuck
                // (hit). Spare its retry, as HotSpot's own rare operations would: provoking without
                // a break hit ten retries in a row, once (JDK 17, a load of 8), and the forker gave up.
                boolean waiting = java.util.Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals("childCameBack"));
                if (!waiting) {
                    waitingSince = 0;
                } else if (waitingSince == 0) {
                    waitingSince = start;
                } else if (start - waitingSince > STUCK_NANOS) {
                    int run = returned.get();
                    while (returned.get() == run && !stop.get()) {
                        LockSupport.parkNanos(1_000_000); // polling a counter until that run() returns
                    }
                    waitingSince = 0;
                    continue;
                }
                try {
                    // Random pauses, so that some forks are hit and some not: a retried fork
                    // must have a fair chance, as it has when HotSpot's own threads start one.
                    // At least twice as long as the operation took: on a loaded machine a VM
                    // operation waits long for every thread to stop, and back-to-back ones would
                    // keep the VM in one most of the time, so that ten retries in a row were hit.
                    long pause = Math.max(random.nextInt(3) * 1_000_000L, 2 * took);
                    Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "vm-operation-provoker");
        provoker.setDaemon(true);
        provoker.start();
        int hung = 0;
        int restarts = 0;
        StringBuilder where = new StringBuilder();
        try {
            for (int i = 0; i < FORKS; i++) {
                ChildResult r = forker.run(child -> new byte[] {42});
                returned.incrementAndGet();
                restarts += forker.lastTimings().restarts();
                if (!r.succeeded()) {
                    hung++;
                    if (hung <= 2) {
                        where.append('\n').append(r);
                    }
                }
            }
        } finally {
            stop.set(true);
            provoker.join(10_000);
        }
        System.out.println("vm-operation-during-fork: " + FORKS + " children returned, " + restarts
                + " stuck in the return from fork() were killed and forked again");
        assertThat(hung).as("children of %d that did not return (%d restarts), e.g.:%s", FORKS, restarts, where).isZero();
    }
}
