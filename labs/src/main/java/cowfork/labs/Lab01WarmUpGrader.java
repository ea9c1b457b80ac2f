// Lab 01's warm-up grader: count a process's threads and see that a forked JVM child has exactly one.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.fork.lab.Threads;
import cowfork.support.Processes;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link Threads}: this JVM has many threads; a child forked from it has one, and
 * your count must say so.
 */
public class Lab01WarmUpGrader {

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
