// One fork seen from /proc/PID/task: the JVM has many threads, its child one, the one that called fork(); and the figure says so.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.Processes;
import org.junit.jupiter.api.Test;

class ThreadsAtForkTest {

    @Test
    void theChildHasOnlyTheThreadThatCalledFork() {
        ThreadsAtFork seen = ThreadsAtFork.measure(Forker.safe());
        assertThat(seen.parentPid()).isEqualTo(Processes.self());
        assertThat(seen.parent()).as("a JVM's threads: VM thread, compilers, reference handler, ...").hasSizeGreaterThan(5);
        ThreadsAtFork.Task forking = seen.parent().stream().filter(t -> t.tid() == seen.forkingTid()).findFirst().orElseThrow();
        assertThat(seen.child()).as("the child's threads").containsExactly(new ThreadsAtFork.Task(seen.childPid(), forking.name()));
        assertThat(Processes.childrenOf(Processes.self())).as("the child was reaped").doesNotContain(seen.childPid());
    }

    @Test
    void theFigureNamesEveryThreadAndBothCounts() {
        ThreadsAtFork seen = new ThreadsAtFork(100, java.util.List.of(new ThreadsAtFork.Task(100, "java"),
                new ThreadsAtFork.Task(101, "VM Thread"), new ThreadsAtFork.Task(102, "C2 CompilerThre"),
                new ThreadsAtFork.Task(103, "Signal Dispatch")), 101, 200, java.util.List.of(new ThreadsAtFork.Task(200, "VM Thread")));
        String svg = seen.svg("./cowfork demo 01 --svg DIR");
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n")
                .contains(">fork() copies one thread: the JVM has 4, its child 1<")
                .contains(">4 threads (/proc/100/task)<").contains(">1 thread (/proc/200/task)<")
                .contains(">java<").contains(">C2 CompilerThre<").contains(">Signal Dispatch<")
                .contains("the parent's other 3 threads do not exist in it").contains("./cowfork demo 01 --svg DIR");
        assertThat(svg.split(">VM Thread<", -1)).as("the forking thread, in both processes").hasSize(3);
    }
}
