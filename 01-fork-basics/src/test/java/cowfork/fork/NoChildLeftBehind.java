// The check every forking test ends with: the test JVM has no child left, running or zombie.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.Processes;

/**
 * The promise every forking test checks after itself: the test JVM has no child
 * process left, neither running (an orphan in the making) nor a zombie (never reaped).
 */
final class NoChildLeftBehind {
    private NoChildLeftBehind() {}

    static void check() {
        assertThat(Processes.childrenOf(Processes.self()))
                .as("children of the test JVM (pid %d) still in /proc", Processes.self())
                .isEmpty();
    }
}
