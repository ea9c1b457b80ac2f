// A child whose parent gives up before the go-ahead ends on its own, its task never run.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * After fork() the child says it runs Java code again and waits for the parent's
 * go-ahead byte before its task starts. A parent that gives up closes its ends of the
 * pipes; the child must see end of file there and leave with
 * {@link ChildContext#EXIT_PARENT_GONE}. It used to wait holding a copy of the parent's
 * write end itself, so end of file could never come: the branch was dead, and such a child
 * would have waited forever (here: until the test kills it after 10 s).
 */
class GoAheadTest {

    @Test
    void aChildWhoseParentGivesUpBeforeTheGoAheadLeavesWithoutRunningItsTask() {
        ExitStatus status = Forker.safe().forkAndAbandon(child -> {
            throw new AssertionError("the task ran without the go-ahead");
        });
        assertThat(status).as("the child ended on its own, saying its parent is gone")
                .isEqualTo(new ExitStatus.Exited(ChildContext.EXIT_PARENT_GONE));
    }
}
