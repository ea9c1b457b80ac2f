// A parked child is ours, waits until released, and leaves through its own exit.
package cowfork.jvmgc;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.Processes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ParkedChildTest {
    @Test
    void theChildWaitsForItsReleaseAndThenExitsByItself() {
        ParkedChild child = ParkedChild.fork(Duration.ofSeconds(10));
        try {
            assertThat(Processes.parentOf(child.pid())).isEqualTo(Processes.self());
            assertThat(Processes.state(child.pid())).as("alive: running or blocked in read(2)").isIn('R', 'S');
        } finally {
            child.close();
        }
        assertThat(child.exitedByItself()).isTrue();
    }
}
