// PR_SET_PDEATHSIG fires when the thread that forked a child ends, not when the parent process does: seen with a real fork.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.Processes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's "parent" of a process is the <em>thread</em> that called {@code fork()}.
 * When that thread exits, the child is handed to another thread of the same process and
 * gets its parent-death signal: here SIGKILL, although the parent process lives on.
 * That is why a program that forks must do it from one long-lived thread.
 */
class ParentDeathSignalTest {
    private static final Forker FORKER = Forker.builder().deadline(Duration.ofSeconds(60)).build();

    @AfterEach
    void noChildLeftBehind() {
        NoChildLeftBehind.check();
    }

    @Test
    void aChildLivesWhileItsForkingThreadLivesAndIsKilledWhenThatThreadEnds() throws Exception {
        AtomicReference<ChildHandle> forked = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        Thread shortLived = new Thread(() -> {
            try {
                forked.set(FORKER.start(c -> {
                    c.send("alive");
                    c.receive(); // waits for a message that never comes: only a signal ends it
                    return new byte[0];
                }));
            } catch (Throwable t) {
                failed.set(t);
            } finally {
                started.countDown();
            }
            try {
                end.await(); // live until the test says so, then return: the OS thread exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "short-lived-forker");
        shortLived.start();
        ChildHandle child = null;
        try {
            assertThat(started.await(30, TimeUnit.SECONDS)).as("the thread forked within 30 s").isTrue();
            assertThat(failed.get()).as("the fork in the short-lived thread").isNull();
            child = forked.get();
            assertThat(child.receiveString(Duration.ofSeconds(10))).as("the child while its forking thread lives")
                    .isEqualTo("alive");
            assertThat(child.hasExited()).isFalse();

            end.countDown();
            shortLived.join(10_000);
            assertThat(shortLived.isAlive()).as("the forking thread ended").isFalse();

            long t0 = System.nanoTime();
            ChildResult r = child.await(Duration.ofSeconds(10));
            System.out.println("pdeathsig: forking thread ended -> child " + r.status() + " after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms; parent process " + Processes.self() + " alive");
            assertThat(r.status()).as("the child, after the thread that forked it ended (the parent process lives)")
                    .isEqualTo(new ExitStatus.Signaled(9, false));
        } finally {
            end.countDown();
            if (child != null) {
                child.close();
            }
            shortLived.join(10_000);
        }
    }
}
