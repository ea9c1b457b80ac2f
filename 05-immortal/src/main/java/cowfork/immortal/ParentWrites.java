// Which pages a step in the parent writes, read from the page map of a child forked just before it: immortalizeAll's own cost.
package cowfork.immortal;

import cowfork.cow.PageMap;
import cowfork.cow.Region;
import cowfork.experiment.SharingExperiment;
import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.heap.Heap;
import java.time.Duration;
import java.util.BitSet;
import java.util.function.Supplier;

/**
 * The experiment behind the demo's prediction question: how many pages does
 * {@link ImmortalRefCounts#immortalizeAll} itself write? Its stores are writes like any
 * other, and the kernel can show them the same way it shows a child's. The parent first
 * forks a <em>witness</em> child that only waits. Then it runs the step. Every heap page
 * the parent writes is copied for the parent (a write to a shared page gives the writer
 * the copy), and the witness is left the only process that maps the original page: its
 * page map shows exactly the pages the parent wrote as exclusively mapped. Pages the
 * parent only read stay shared by both.
 *
 * <p>That is also what immortalizing after the workers were forked would cost: the parent
 * would copy every one of these pages. Done before the first fork, the writes copy nothing.
 */
public final class ParentWrites {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /**
     * What the step returned and the witness's page map of the heap, read after the step.
     *
     * @param result     what the step returned
     * @param witnessMap the witness child's page map of the heap's used pages
     */
    public record Report<T>(T result, PageMap witnessMap) {
        /** The heap pages the parent wrote during the step: those the witness alone maps now. */
        public BitSet writtenPages() {
            BitSet set = new BitSet();
            witnessMap.privatePages().forEach(set::set);
            return set;
        }
    }

    private ParentWrites() {
    }

    /**
     * Forks a witness, runs {@code step} in this process while the witness waits, reads
     * the witness's page map of {@code heap}'s used pages (as they were before the step),
     * and ends the witness.
     *
     * @param step work on {@code heap} in the parent; it must not allocate in the heap past its used part
     * @throws cowfork.fork.ChildFailedException if the witness failed
     * @throws IllegalStateException if the witness did not report within two minutes
     */
    public static <T> Report<T> run(Forker forker, Heap heap, Supplier<T> step) {
        long heapBytes = (long) SharingExperiment.usedPages(heap) * Region.PAGE_SIZE;
        try (ChildHandle witness = forker.startIdle(TIMEOUT)) { // it touches nothing of the heap
            T result = step.get();
            PageMap map = PageMap.of(witness.pid(), heap.region().address(), heapBytes);
            witness.send("done");
            witness.await().orThrow();
            return new Report<>(result, map);
        }
    }
}
