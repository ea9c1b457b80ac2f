// A refcount strategy factory that exists only to be registered, for one grader run, by the lab runner.
package cowfork.labs;

import cowfork.cow.Region;
import cowfork.heap.RefCounts;

/** Registered by {@link LabRunnerTest}'s fake lab while its grader runs; never creates anything. */
public final class FakeStrategy implements RefCounts.Factory {
    static final String NAME = "fake-lab-strategy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RefCounts create(Region heapRegion) {
        throw new UnsupportedOperationException("the fake strategy is only ever registered, never used");
    }
}
