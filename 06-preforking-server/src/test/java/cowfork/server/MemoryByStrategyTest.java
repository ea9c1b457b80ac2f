// The chapter's claim, asserted from the kernel's numbers: what serving the same requests costs each worker, by refcount strategy.
package cowfork.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every refcount strategy on the class path: start a server with two workers, check
 * that an idle worker has copied no page of the object heap, then have each worker run the
 * same queries over every item and read, from {@code /proc/PID/smaps} through /stats, how
 * many of its object-heap and refcount-table pages became private.
 * <ul>
 *   <li>inline: nearly every page of the object heap (each holds an object whose count was written);</li>
 *   <li>sidetable: about none of the object heap, but pages of the table;</li>
 *   <li>immortal: about none at all.</li>
 * </ul>
 */
class MemoryByStrategyTest {

    static List<String> strategies() {
        return HeapStore.strategies();
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void eachWorkersPrivatePagesDependOnTheStrategy(String strategy) throws IOException {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--refcounts", strategy, "--data-size", "8m")) {
            String idle = server.get("/stats").body();
            for (String worker : List.of("worker 1", "worker 2")) {
                assertThat(StatsJson.region(idle, worker, "object_heap").privateKb()).as("idle " + worker).isLessThanOrEqualTo(8);
            }
            long items = StatsJson.number(idle, "items");
            List<Socket> perWorker = Demo.onePerWorker(server.launcher(), 2);
            try {
                for (Socket s : perWorker) {
                    for (long from = 0; from < items; from += 10_000) {
                        RawHttp.send(s, "GET /query?from=" + from + "&count=" + Math.min(10_000, items - from)
                                + " HTTP/1.1\r\nHost: t\r\n\r\n");
                        assertThat(RawHttp.read(s).status()).isEqualTo(200);
                    }
                }
            } finally {
                for (Socket s : perWorker) {
                    s.close();
                }
            }
            String after = server.get("/stats").body();
            System.out.println("refcounts=" + strategy + ", after one query over every item in each worker:\n"
                    + server.get("/stats?format=text").body());
            for (String worker : List.of("worker 1", "worker 2")) {
                StatsJson.Region heap = StatsJson.region(after, worker, "object_heap");
                StatsJson.Region table = StatsJson.region(after, worker, "refcount_table");
                switch (strategy) {
                    case "inline" -> {
                        assertThat(heap.privateKb()).as(worker + " object heap private").isGreaterThan(heap.rssKb() * 8 / 10);
                        assertThat(table.rssKb()).isZero();
                    }
                    case "sidetable" -> {
                        assertThat(heap.privateKb()).as(worker + " object heap private").isLessThan(heap.rssKb() / 50);
                        assertThat(table.privateKb()).as(worker + " table private").isGreaterThan(0);
                    }
                    case "immortal" -> {
                        assertThat(heap.privateKb()).as(worker + " object heap private").isLessThan(heap.rssKb() / 50);
                        assertThat(table.privateKb()).isZero();
                    }
                    default -> assertThat(heap.rssKb()).as("a strategy this test does not know: " + strategy).isPositive();
                }
            }
        }
    }
}
