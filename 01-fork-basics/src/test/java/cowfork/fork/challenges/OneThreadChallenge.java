// Challenge 01: count a process's threads and see that a forked JVM child has exactly one.
package cowfork.fork.challenges;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildProcess;
import cowfork.fork.Forker;
import cowfork.fork.Processes;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Challenge 01: count a process's threads, and see with your own eyes that a forked JVM
 * child has exactly one.
 *
 * <p>Run: {@code ./mvnw -P challenges -pl 01-fork-basics test}. It fails until you write
 * {@link #threadCount}. Hint: every thread of a process has a directory under
 * {@code /proc/PID/task/} (man 5 proc).
 */
class OneThreadChallenge {

    /** YOUR CODE HERE: the number of threads process {@code pid} has now. */
    static int threadCount(int pid) {
        throw new UnsupportedOperationException("challenge 01: count the entries of /proc/" + pid + "/task");
    }

    @Test
    void aForkedChildHasOneThreadWhileItsParentHasMany() {
        assertThat(threadCount(Processes.self())).as("threads of this test JVM").isGreaterThan(5);
        try (ChildProcess child = Forker.safe().start(c -> {
            c.send("ready");
            c.receive();
            return new byte[0];
        })) {
            assertThat(child.receiveString(Duration.ofSeconds(10))).isEqualTo("ready");
            assertThat(threadCount(child.pid())).as("threads of the forked child").isEqualTo(1);
            child.send("done");
            child.await();
        }
    }
}
