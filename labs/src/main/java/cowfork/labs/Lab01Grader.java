// Lab 01's grader: fork properties for the student's fork (every exit code and payload comes back, a late child is killed and reaped, no child or descriptor is left behind).
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ExitStatus;
import cowfork.fork.Syscalls;
import cowfork.fork.lab.OneChild;
import cowfork.support.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link OneChild} the way chapter 01's {@code ForkProperties} grades {@code Forker}:
 * real forks of this JVM, and after every call the promise that no child is left, running
 * or zombie. The student's {@code run} is called on one long-lived thread of its own (a
 * child's parent, to the kernel, is the thread that forked it) and waited for with a limit:
 * a {@code run} that never returns fails its check instead of hanging the grader, and every
 * child of this JVM is then killed.
 */
public class Lab01Grader {
    /** The deadline the checks give a child that should finish: far more than any needs. */
    static final Duration GENEROUS = Duration.ofSeconds(10);
    /** Enough for a child to send 1.2 MB many times over; short, so that a run that deadlocks fails (and shrinks) fast. */
    static final Duration PAYLOAD_DEADLINE = Duration.ofSeconds(3);
    /** How much longer than the child's deadline {@code run} may take to return. */
    static final Duration GRACE = Duration.ofSeconds(5);

    /** The thread every run() forks from; replaced when a run() never returns (it stays blocked, a daemon). */
    private static ExecutorService parent = newParent();

    private static ExecutorService newParent() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lab01-parent");
            t.setDaemon(true); // a run() that never returns must not keep ./cowfork lab alive
            return t;
        });
    }

    /**
     * Calls the student's run on the parent thread, and checks the promise every call makes:
     * when it returns, no child of this JVM is left, running or zombie. Fails (killing and
     * reaping every child) if it leaves one, or does not return in time.
     */
    static OneChild.Outcome run(OneChild.Computation computation, int exitCode, Duration deadline) {
        return run(computation, exitCode, deadline, true);
    }

    /**
     * As {@link #run(OneChild.Computation, int, Duration)}; without {@code checkChildren}, the
     * look through /proc after the call is left to the caller (it reads every process's stat:
     * tens of ms on a busy machine, too slow to repeat for hundreds of children).
     */
    static OneChild.Outcome run(OneChild.Computation computation, int exitCode, Duration deadline, boolean checkChildren) {
        Future<OneChild.Outcome> f = parent.submit(() -> OneChild.run(computation, exitCode, deadline));
        Duration limit = deadline.plus(GRACE);
        try {
            OneChild.Outcome o = f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (checkChildren) {
                assertNoChildLeft();
            }
            return o;
        } catch (TimeoutException e) {
            killAndReapEveryChild();
            parent.shutdownNow();
            parent = newParent(); // the stuck thread may never come back: the next check forks from a new one
            throw new AssertionError("run() did not return within " + limit.toSeconds() + " s (the child's deadline was "
                    + deadline.toMillis() + " ms); every child of this JVM was killed. Does the parent wait for something"
                    + " without a deadline? A read from a pipe ends only when every write end is closed, the parent's own too.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("run() threw " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Fails (after killing and reaping them) if this JVM has a child, running or zombie. */
    static void assertNoChildLeft() {
        List<Integer> left = killAndReapEveryChild();
        assertThat(left).as("children of this JVM still in /proc after run() returned (never reaped, or never killed)").isEmpty();
    }

    /** Kills (SIGKILL) and reaps every child of this JVM; returns their pids, as they were found. */
    private static List<Integer> killAndReapEveryChild() {
        List<Integer> children = Processes.childrenOf(Processes.self());
        for (int pid : children) {
            Syscalls.posix().kill(pid, 9);
            Syscalls.posix().waitpid(pid, new int[1], 0); // a killed child ends at once; ECHILD if the student's run reaped it meanwhile
        }
        return children;
    }

    @Test
    @DisplayName("a child's answer comes back over the pipe")
    void aChildsAnswerComesBackOverThePipe() {
        OneChild.Outcome o = run(() -> "forty-two".getBytes(StandardCharsets.UTF_8), 0, GENEROUS);
        exited(o, 0, "how the child ended");
        assertThat(new String(o.payload(), StandardCharsets.UTF_8)).as("what the child sent").isEqualTo("forty-two");
        assertThat(o.pid()).as("the child's pid").isPositive().isNotEqualTo(Processes.self());
        assertThat(Processes.state(o.pid())).as("the child after run() returned: reaped, gone from /proc").isEqualTo('?');
    }

    @Property(tries = 20)
    void everyExitCodeComesBack(@ForAll @IntRange(min = 0, max = 255) int code) {
        OneChild.Outcome o = run(() -> new byte[0], code, GENEROUS);
        exited(o, code, "the status of a child that exited with %d", code);
        assertThat(o.payload()).as("what a child that sent nothing sent").isEmpty();
    }

    @Test
    void aPayloadLargerThanThePipeComesBack() {
        byte[] expected = new byte[1 << 20];
        new Random(1).nextBytes(expected);
        OneChild.Outcome o = run(() -> expected.clone(), 0, PAYLOAD_DEADLINE);
        exited(o, 0, STUCK, "how the child that sent 1 MiB ended");
        assertThat(o.payload()).as("the 1 MiB received").isEqualTo(expected);
    }

    @Property(tries = 10)
    void anyPayloadComesBackIntact(@ForAll @IntRange(min = 0, max = 1_200_000) int size, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        byte[] expected = new byte[size];
        new Random(seed).nextBytes(expected);
        // The child makes the bytes itself: what arrives can only match if the pipe carried them intact.
        OneChild.Outcome o = run(() -> {
            byte[] b = new byte[size];
            new Random(seed).nextBytes(b);
            return b;
        }, 0, PAYLOAD_DEADLINE);
        exited(o, 0, STUCK, "how the child that sent %,d bytes ended", size);
        assertThat(o.payload().length).as("bytes received of %,d sent", size).isEqualTo(size);
        assertThat(o.payload()).as("the %,d bytes received", size).isEqualTo(expected);
    }

    @Test
    void aComputationThatThrowsEndsTheChildWithCode70AndNoAnswer() {
        OneChild.Outcome o = run(() -> {
            throw new IllegalStateException("no such key: 'user:42'");
        }, 0, GENEROUS);
        exited(o, 70, "a child whose computation threw");
        assertThat(o.payload()).isEmpty();
    }

    @Property(tries = 3)
    @Label("a child that misses its deadline is killed, reaped and reported")
    void aChildThatMissesItsDeadlineIsKilledReapedAndReported(@ForAll @IntRange(min = 100, max = 400) int deadlineMillis) {
        long t0 = System.nanoTime();
        OneChild.Outcome o = run(() -> {
            LockSupport.park(); // forever: only the deadline ends this child
            return new byte[0];
        }, 0, Duration.ofMillis(deadlineMillis));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(o.status()).as("a child that never finishes, with a %d ms deadline", deadlineMillis)
                .isEqualTo(new ExitStatus.TimedOut(deadlineMillis, true));
        assertThat(tookMillis).as("ms from the call to its return: not before the deadline").isGreaterThanOrEqualTo(deadlineMillis);
        assertThat(Processes.state(o.pid())).as("the killed child: reaped").isEqualTo('?');
    }

    /**
     * Children that run code this JVM never ran: each one interprets it, asks the JIT for
     * compilations and defines a lambda's class, in a process whose compiler threads and VM
     * thread are gone. Forked outside the recipe's quiet() (and without its warm-up), the
     * reference answer so changed hung at the 1st, 3rd, 7th, 9th, 11th, 12th, 13th, 37th and 87th
     * child in nine runs, and ran 40 without a hang in a tenth (JDK 17, a loaded 2-core machine):
     * about one child in 25, so 200 children leave it a chance of passing well under 1%. With the
     * recipe, no child of 1,820 hung. The check stops at the first child that hangs.
     */
    @Test
    void childrenThatRunCodeTheParentNeverRanAllExit() {
        try {
            for (int i = 0; i < COLD_CHILDREN; i++) {
                int n = i;
                OneChild.Outcome o = run(() -> Lab01ColdCode.run(n), 0, COLD_DEADLINE, false);
                exited(o, 0, "child %d of %d, which ran code the parent never ran", i + 1, COLD_CHILDREN);
            }
        } catch (RuntimeException | AssertionError e) {
            killAndReapEveryChild(); // the failure is the news; the next check starts with no child
            throw e;
        }
        assertNoChildLeft();
    }

    /** How many children the cold-code check forks. */
    static final int COLD_CHILDREN = 200;
    /** Far more than a child needs to interpret its cold code (tens of ms); a hung child costs this once. */
    static final Duration COLD_DEADLINE = Duration.ofSeconds(3);

    /**
     * Asserts that the child exited with {@code code}. A child that timed out instead had hung
     * (a healthy one finishes far inside its deadline): the report says so, and gives the hint
     * about hangs rather than the check's own.
     */
    static void exited(OneChild.Outcome o, int code, String what, Object... args) {
        exited(o, code, HUNG, what, args);
    }

    /** As {@link #exited(OneChild.Outcome, int, String, Object...)}, with the hint of {@code section} for a timeout. */
    static void exited(OneChild.Outcome o, int code, String section, String what, Object... args) {
        if (o.status() instanceof ExitStatus.TimedOut t) {
            throw new Hints.Pointer(section, String.format(java.util.Locale.ROOT, what, args) + ": expected the child to exit with code "
                    + code + ", but it was still running at its " + t.deadlineMillis() + " ms deadline (" + o.status() + ")");
        }
        assertThat(o.status()).as(what, args).isEqualTo(new ExitStatus.Exited(code));
    }

    /** The hint a child that hung gets, whichever check it hung in. */
    static final String HUNG = Hints.NAMED + "hung";
    /** The hint a child that sent a payload and timed out gets: a full pipe, or a hang. */
    static final String STUCK = Hints.NAMED + "stuck";

    @Test
    void thirtyChildrenInARowLeaveNoDescriptorOpen() throws IOException {
        run(() -> new byte[] {1}, 0, GENEROUS); // the first run may open what stays open for good (a library's own descriptors)
        long before = openDescriptors();
        for (int i = 0; i < 30; i++) {
            int n = i;
            OneChild.Outcome o = run(() -> new byte[] {(byte) n}, n, GENEROUS);
            exited(o, n, "child %d of 30", n + 1);
        }
        // Slack for the JVM's own (a jar it opens meanwhile): a leak of one descriptor per child would be 30.
        assertThat(openDescriptors()).as("descriptors open in this JVM after 30 more children (%d before)", before)
                .isLessThanOrEqualTo(before + 5);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
