// What a refcount strategy costs the running program: incref/decref throughput and a read-mostly traversal, per strategy, in one run.
package cowfork.bench;

import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.Workloads;
import cowfork.heap.Heap;
import cowfork.heap.Json;
import cowfork.heap.ObjectGraph;
import cowfork.heap.RefCountStrategies;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baseline that modules 04 and 05 are compared with. The strategy is a parameter,
 * looked up by name among the {@code RefCounts.Factory} services on the class path, so a
 * later module adds its strategy to this benchmark without copying it: {@link Bench}
 * runs every registered strategy in one run and prints ratios to "inline".
 *
 * <ul>
 *   <li>{@code increfDecref}: one incref and one decref of a random live object (the
 *       minimal read; objects spread over the whole heap, so cache misses count too).</li>
 *   <li>{@code sumField}: {@code sum(item["price"] for item in items.values())} over every item.</li>
 *   <li>{@code serveJson}: look up 64 items by key and serialise each, as a worker serves requests.</li>
 * </ul>
 *
 * HOW TO RUN: {@code ./cowfork bench}, or see {@link Bench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
public class RefCountBench {
    static final int TOUCHES = 4096;
    static final int REQUESTS = 64;

    @Param({"inline"})
    public String strategy;

    /** Dataset size in bytes (k/m/g suffixes). */
    @Param({"16m"})
    public String size;

    private Heap heap;
    private Dataset data;
    private long[] objects;
    private String[] keys;
    private final StringBuilder json = new StringBuilder(1 << 16);

    @Setup(Level.Trial)
    public void build() {
        long target = cowfork.support.Sizes.parse(size, cowfork.heap.Heap.MAX_BYTES);
        heap = Heap.create(DatasetBuilder.heapSizeFor(target), RefCountStrategies.byName(strategy));
        data = DatasetBuilder.build(heap, target);
        long[] all = ObjectGraph.reachableFrom(heap, data.root());
        SplittableRandom random = new SplittableRandom(42);
        objects = new long[TOUCHES];
        for (int i = 0; i < TOUCHES; i++) {
            objects[i] = all[random.nextInt(all.length)];
        }
        keys = new String[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            keys[i] = Dataset.key(random.nextInt(data.itemCount()));
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        heap.close();
    }

    @Benchmark
    @OperationsPerInvocation(TOUCHES)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void increfDecref() {
        Workloads.touch(heap, objects);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long sumField() {
        return Workloads.sumField(heap, data.items(), "price");
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int serveJson() {
        int chars = 0;
        for (String key : keys) {
            long item = Workloads.lookup(heap, data.items(), key);
            json.setLength(0);
            Json.write(heap, item, json);
            heap.decref(item);
            chars += json.length();
        }
        return chars;
    }
}
