// Real forks of the test JVM: exit codes, payloads, memory isolation, signals, deadlines, reaping, death of the parent.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Processes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a forked child can do, and what the parent learns, by real fork() of this test JVM.
 * After every test and property the JVM must have no child left (see {@link NoChildLeftBehind}).
 */
class ForkProperties {
    private static final Forker FORKER = Forker.builder().deadline(Duration.ofSeconds(20)).build();
    /** Far later than any scheduling delay on a loaded machine, far sooner than the 20 s of {@link #FORKER}'s deadline. */
    private static final Duration NEVER_THIS_LATE = Duration.ofSeconds(10);

    @AfterEach
    @AfterProperty
    void noChildLeftBehind() {
        NoChildLeftBehind.check();
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyExitCodeRoundTrips(@ForAll @IntRange(min = 0, max = 255) int code) {
        ChildResult r = FORKER.run(child -> {
            child.exitCode(code);
            return new byte[0];
        });
        assertThat(r.status()).as("%s", r).isEqualTo(new ExitStatus.Exited(code)); // r says where a hung child was
    }

    @Property(tries = 40)
    void anyPayloadRoundTripsIntact(@ForAll @IntRange(min = 0, max = 1_200_000) int size, @ForAll long seed) {
        byte[] expected = new byte[size];
        new Random(seed).nextBytes(expected);
        // The child regenerates the bytes itself: what arrives can only match if the pipe carried them intact.
        byte[] received = FORKER.call(child -> {
            byte[] b = new byte[size];
            new Random(seed).nextBytes(b);
            return b;
        });
        assertThat(received).hasSize(size).isEqualTo(expected);
    }

    @Property(tries = 40)
    void aChildsWritesToMemoryAreInvisibleToTheParent(
            @ForAll @Size(min = 1, max = 64) Set<@IntRange(min = 0, max = 4095) Integer> indices) {
        long[] shared = new long[4096];
        Arrays.fill(shared, 7L);
        byte[] seen = FORKER.call(child -> {
            for (int i : indices) {
                shared[i] = -1L; // the child's copy of the array
            }
            long sum = 0;
            for (long v : shared) {
                sum += v;
            }
            return Long.toString(sum).getBytes(StandardCharsets.US_ASCII);
        });
        long childSum = 7L * (4096 - indices.size()) - indices.size();
        assertThat(new String(seen, StandardCharsets.US_ASCII)).as("the child saw its own writes").isEqualTo(Long.toString(childSum));
        assertThat(shared).as("the parent's array after the child wrote to its copy").containsOnly(7L);
    }

    @Property(tries = 10)
    void aChildThatMissesItsDeadlineIsKilledReapedAndReported(@ForAll @IntRange(min = 50, max = 400) int deadlineMillis) {
        Forker strict = Forker.builder().deadline(Duration.ofMillis(deadlineMillis)).build();
        ChildResult r = strict.run(child -> {
            // Blocks forever: the parent never sends anything. Only the watchdog can end this.
            child.receive();
            return new byte[0];
        });
        assertThat(r.status()).isEqualTo(new ExitStatus.TimedOut(deadlineMillis, true));
        // Measured by the watchdog from just before fork(), so the recipe's warm-up, drain and
        // collection before it do not count. Never early; how late is a matter of scheduling
        // (the benchmarks time it), so the upper bound only tells "killed at its deadline" from
        // "killed by something else much later".
        assertThat(r.elapsed()).as("from fork to reaped").isGreaterThanOrEqualTo(Duration.ofMillis(deadlineMillis))
                .isLessThan(Duration.ofMillis(deadlineMillis).plus(NEVER_THIS_LATE));
        assertThat(Processes.state(r.pid())).as("the killed child is reaped").isEqualTo('?');
    }

    @Test
    void anExceptionInTheChildIsRethrownInTheParentWithTheChildsStackTrace() {
        assertThatThrownBy(() -> FORKER.call(child -> {
            throw new IllegalStateException("no such key: 'user:42'");
        }))
                .isInstanceOf(ChildFailedException.class)
                .hasMessageContaining("exited with code " + ChildContext.EXIT_TASK_THREW)
                .hasMessageContaining("java.lang.IllegalStateException: no such key: 'user:42'")
                .hasMessageContaining("at cowfork.fork.ForkProperties");
    }

    @Property(tries = 6)
    void aDeathBySignalIsDecodedAndNamed(@ForAll("fatalSignals") int signal) {
        ChildResult r = FORKER.run(child -> {
            Syscalls.posix().kill(child.pid(), signal);
            child.receive(); // never reached: the signal ends the child first
            return new byte[0];
        });
        assertThat(r.status()).isInstanceOf(ExitStatus.Signaled.class);
        assertThat(((ExitStatus.Signaled) r.status()).signal()).isEqualTo(signal);
        assertThatThrownBy(r::orThrow).hasMessageContaining("killed by signal " + signal);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> fatalSignals() {
        // Signals whose default action kills, and that HotSpot does not handle itself.
        return net.jqwik.api.Arbitraries.of(9, 10, 6, 14, 26, 27);
    }

    @Test
    void sigtermDoesNotKillAForkedJvmChild() {
        // HotSpot handles TERM by waking its signal-dispatcher thread, which does not exist in
        // the child: the signal is swallowed. Servers must stop workers another way.
        ChildResult r = FORKER.run(child -> {
            Syscalls.posix().kill(child.pid(), 15);
            return "still here".getBytes(StandardCharsets.UTF_8);
        });
        assertThat(r.status()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(r.payloadAsString()).isEqualTo("still here");
    }

    @Test
    void parentAndChildTalkBothWays() {
        try (ChildHandle child = FORKER.start(c -> {
            c.send("ready");
            byte[] question = c.receive();
            return ("echo " + new String(question, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        })) {
            assertThat(child.receiveString(Duration.ofSeconds(10))).isEqualTo("ready");
            assertThat(child.state()).as("the child waits for us, alive").isIn('S', 'R');
            child.send("ping");
            ChildResult r = child.await();
            assertThat(r.payloadAsString()).isEqualTo("echo ping");
        }
    }

    @Test
    void anExitedChildIsAZombieUntilReaped() {
        ChildHandle child = FORKER.start(c -> new byte[0]);
        PollSet exit = new PollSet(child.exitFd());
        assertThat(exit.await(10_000)).as("the pidfd reports the exit").isEqualTo(1);
        assertThat(child.state()).as("exited, not yet reaped").isEqualTo('Z');
        ChildResult r = child.await();
        assertThat(r.status()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(Processes.state(r.pid())).as("reaped: gone from /proc").isEqualTo('?');
    }

    @Test
    void theBuilderRefusesADeadlineOrStartupTimeoutThatIsNotPositiveAndSaysWhich() {
        assertThatThrownBy(() -> Forker.builder().deadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline must be positive, got PT0S");
        assertThatThrownBy(() -> Forker.builder().startupTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("startup timeout must be positive, got PT-0.001S");
        assertThat(Forker.builder().deadline(Duration.ofNanos(1)).startupTimeout(Duration.ofNanos(1)).build()).isNotNull();
    }

    @Test
    void warmUpRunsTheCallersHooksOnceInTheParentAndTheForkDoesNotRunThemAgain() {
        int parent = Processes.self();
        java.util.List<Integer> ranIn = new java.util.ArrayList<>();
        Forker forker = Forker.builder().warmUp(() -> ranIn.add(Syscalls.posix().getpid())).build();
        forker.warmUp();
        assertThat(ranIn).as("after warmUp()").containsExactly(parent);
        forker.warmUp();
        byte[] answer = forker.call(c -> new byte[] {(byte) ranIn.size()});
        assertThat(answer).as("hook runs the child saw").containsExactly(1);
        assertThat(ranIn).as("after a second warmUp() and a fork").containsExactly(parent);
    }

    @Test
    void closingAHandleKillsAndReapsARunningChild() {
        int pid;
        try (ChildHandle child = FORKER.start(c -> {
            c.send("started");
            c.receive(); // waits forever
            return new byte[0];
        })) {
            pid = child.pid();
            assertThat(child.receiveString(Duration.ofSeconds(10))).isEqualTo("started");
        }
        assertThat(Processes.state(pid)).isEqualTo('?');
    }

    @Test
    void aChildDiesWithItsParent() {
        // child -> grandchild: the grandchild was forked by our Forker inside the child (a forked
        // child is single-threaded, so it may fork again without the recipe). When the child
        // exits, PR_SET_PDEATHSIG makes the kernel kill the grandchild.
        byte[] grandchildPid = FORKER.call(child -> {
            Forker inner = Forker.builder().without(ForkRecipe.Precaution.values()).checkFlags(false).build();
            ChildHandle grandchild = inner.start(g -> {
                g.receive(); // waits forever
                return new byte[0];
            });
            return Integer.toString(grandchild.pid()).getBytes(StandardCharsets.US_ASCII);
            // the child now exits without reaping or killing its grandchild
        });
        int pid = Integer.parseInt(new String(grandchildPid, StandardCharsets.US_ASCII));
        int pidfd = Syscalls.libc().pidfd_open(pid, 0);
        if (pidfd >= 0) { // else it is already gone
            try {
                assertThat(new PollSet(pidfd).await(10_000)).as("grandchild %d ended after its parent died", pid).isEqualTo(1);
            } finally {
                Syscalls.posix().close(pidfd);
            }
        }
    }
}
