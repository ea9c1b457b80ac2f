// Challenge 01: count a process's threads and see that a forked JVM child has exactly one.
package cowfork.fork.challenges;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.support.Processes;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Challenge 01: count a process's threads, and see with your own eyes that a forked JVM
 * child has exactly one.
 *
 * <p>Run: {@code ./mvnw -B -P challenges -pl 01-fork-basics -am verify
 * -Dtest=OneThreadChallenge -Dsurefire.failIfNoSpecifiedTests=false}.
 * It fails until you write {@link Threads#count}. Hint: every thread of a process has a
 * directory under {@code /proc/PID/task/} (man 5 proc).
 */
class OneThreadChallenge {

    @Test
    void aForkedChildHasOneThreadWhileItsParentHasMany() {
        assertThat(Threads.count(Processes.self())).as("threads of this test JVM").isGreaterThan(5);
        try (ChildHandle child = Forker.safe().start(c -> {
            c.send("ready");
            c.receive();
            return new byte[0];
        })) {
            assertThat(child.receiveString(Duration.ofSeconds(10))).isEqualTo("ready");
            assertThat(Threads.count(child.pid())).as("threads of the forked child").isEqualTo(1);
            child.send("done");
            child.await();
        }
    }
}
