// Why threads need atomic counts: two threads' increfs of one object all arrive, none is lost.
package cowfork.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import cowfork.heap.Heap;
import cowfork.heap.HeapException;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class AtomicRefCountsTest {
    private static final int THREADS = 2;
    private static final int INCREFS = 2_000_000;

    /**
     * Two threads, released together, incref the same object two million times each, then
     * decref it as often. With {@code InlineRefCounts}' plain {@code load; add 1; store}
     * interleaved increfs overwrite each other and the count ends short (run against it,
     * this test fails); with atomic adds every one arrives.
     */
    @Test
    void concurrentIncrefsAndDecrefsAllArrive() {
        try (Heap heap = Heap.create(1 << 20, AtomicRefCounts.FACTORY)) {
            long obj = heap.newStr("shared");
            RefCounts counts = heap.refCounts();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                inParallel(() -> {
                    for (int i = 0; i < INCREFS; i++) {
                        counts.incref(obj);
                    }
                });
                assertThat(heap.refCount(obj)).as("after the increfs").isEqualTo(1L + (long) THREADS * INCREFS);
                inParallel(() -> {
                    for (int i = 0; i < INCREFS; i++) {
                        counts.decref(obj);
                    }
                });
            });
            assertThat(heap.refCount(obj)).as("after as many decrefs").isEqualTo(1);
            heap.verify(obj);
        }
    }

    /** What the threaded server asks before it runs handlers without a lock: these counts say yes, every registered one no. */
    @Test
    void onlyAtomicCountsSayTheyAreSafeUnderThreads() {
        try (Heap atomic = Heap.create(1 << 16, AtomicRefCounts.FACTORY)) {
            assertThat(atomic.refCounts().safeUnderThreads()).isTrue();
        }
        for (RefCounts.Factory f : RefCountStrategies.all()) {
            try (Heap heap = Heap.create(1 << 16, f)) {
                assertThat(heap.refCounts().safeUnderThreads()).as(f.name()).isFalse();
            }
        }
    }

    @Test
    void aDecrefBelowZeroThrowsAndLeavesTheCountAsItWas() {
        try (Heap heap = Heap.create(1 << 20, AtomicRefCounts.FACTORY)) {
            long obj = heap.newStr("x");
            RefCounts counts = heap.refCounts();
            assertThat(counts.decref(obj)).as("the last reference").isTrue();
            assertThatThrownBy(() -> counts.decref(obj))
                    .isInstanceOf(HeapException.class)
                    .hasMessageContaining(AtomicRefCounts.NAME);
            assertThat(counts.get(obj)).isZero();
        }
    }

    private static void inParallel(Runnable work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        Thread[] threads = new Thread[THREADS];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < THREADS; t++) {
            threads[t] = new Thread(() -> {
                try {
                    start.await(); // both begin at once, so their increfs overlap
                    work.run();
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }
}
