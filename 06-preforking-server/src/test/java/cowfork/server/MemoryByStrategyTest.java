// The chapter's claim, asserted from the kernel's numbers: what serving the same requests costs each worker, by refcount strategy.
package cowfork.server;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Region;
import cowfork.experiment.SharingReport;
import cowfork.heap.Heap;
import cowfork.heap.RefCounts;
import cowfork.server.app.HeapStore;
import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import cowfork.support.Sizes;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every refcount strategy on the class path: start a server with two workers, check
 * that an idle worker has copied no page of the object heap, then have each worker run the
 * same queries over every item and read, from {@code /proc/PID/smaps} through /stats, how
 * many of its object-heap and refcount-table pages became private. What to expect is
 * asked of the strategy itself ({@link RefCounts#predictPrivatePages}), never of its name:
 * <ul>
 *   <li>a region the strategy writes when objects are read (the heap under inline counts,
 *       the table of a side table) goes private: nearly every heap page (each holds an
 *       object whose count was written), some table pages;</li>
 *   <li>a region it does not write (the heap under a side table or immortal counts) keeps
 *       {@link SharingReport#UNWRITTEN_REGION_PRIVATE_PAGES} private pages: none.</li>
 * </ul>
 */
class MemoryByStrategyTest {
    private static final String DATA_SIZE = "8m";
    static final long UNWRITTEN_KB = (long) SharingReport.UNWRITTEN_REGION_PRIVATE_PAGES * Region.PAGE_SIZE / 1024;

    static List<String> strategies() {
        return HeapStore.strategies();
    }

    /**
     * What the strategy predicts reading every object of the server's data writes, per
     * region, on a store built here as the master builds its own and prepared for fork.
     */
    static RefCounts.PredictedPages whatReadingWrites(String strategy) {
        HeapStore store = HeapStore.build(strategy, Sizes.parse(DATA_SIZE, Heap.MAX_BYTES));
        try (Heap heap = store.heap()) {
            store.prepareForFork();
            LongStream.Builder all = LongStream.builder();
            heap.forEachLiveObject(all::add);
            return heap.refCounts().predictPrivatePages(heap, all.build().toArray());
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void eachWorkersPrivatePagesDependOnTheStrategy(String strategy) throws IOException {
        RefCounts.PredictedPages writes = whatReadingWrites(strategy);
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--refcounts", strategy, "--data-size", DATA_SIZE,
                "--debug-endpoints")) { // Demo.onePerWorker holds each worker with /sleep
            StatsJson.Stats idle = StatsJson.stats(server.get("/stats").body());
            for (String worker : List.of("worker 1", "worker 2")) {
                assertThat(idle.process(worker).region("object_heap").privateKb()).as("idle " + worker)
                        .isLessThanOrEqualTo(UNWRITTEN_KB);
            }
            long items = idle.items();
            List<Socket> perWorker = Demo.onePerWorker(server.launcher(), 2);
            try {
                for (Socket s : perWorker) {
                    for (long from = 0; from < items; from += 10_000) {
                        RawHttp.send(s, "GET /query?from=" + from + "&count=" + Math.min(10_000, items - from)
                                + " HTTP/1.1\r\nHost: t\r\n\r\n");
                        RawHttp.Response r = RawHttp.read(s);
                        assertThat(r).as("an answer on the kept-alive connection; the server said:%n%s", server.output()).isNotNull();
                        assertThat(r.status()).isEqualTo(200);
                    }
                }
            } finally {
                for (Socket s : perWorker) {
                    s.close();
                }
            }
            StatsJson.Stats after = StatsJson.stats(server.get("/stats").body());
            System.out.println("refcounts=" + strategy + ", after one query over every item in each worker:\n"
                    + server.get("/stats?format=text").body());
            for (String worker : List.of("worker 1", "worker 2")) {
                StatsJson.Region heap = after.process(worker).region("object_heap");
                StatsJson.Region table = after.process(worker).region("refcount_table");
                assertThat(heap.rssKb()).as(worker + " object heap resident").isPositive();
                if (writes.heap().isEmpty()) {
                    assertThat(heap.privateKb()).as(worker + " object heap private (" + strategy + " writes none of it)")
                            .isLessThanOrEqualTo(UNWRITTEN_KB);
                } else {
                    assertThat(heap.privateKb()).as(worker + " object heap private (" + strategy + " writes headers)")
                            .isGreaterThan(heap.rssKb() * 8 / 10);
                }
                if (writes.table().isEmpty()) {
                    assertThat(table.privateKb()).as(worker + " table private (" + strategy + " writes none)")
                            .isLessThanOrEqualTo(UNWRITTEN_KB);
                } else {
                    assertThat(table.privateKb()).as(worker + " table private (" + strategy + " writes its slots)").isPositive();
                }
            }
        }
    }
}
