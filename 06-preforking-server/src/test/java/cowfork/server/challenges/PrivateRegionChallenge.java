// Challenge 06: compute a server process's private KiB in the object heap yourself, match /stats, and find out what "private" means for the master.
package cowfork.server.challenges;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Smaps;
import cowfork.experiment.DatasetBuilder;
import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerLauncher;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Challenge 06: the server's {@code /stats} reports, per process, the KiB of each region
 * (object heap, refcount table, Java heap, other) that are <em>private</em>. Compute that
 * number for the object heap yourself from {@code /proc/PID/smaps}, for the master and its
 * worker, and compare with what the server says, before and after the worker has served a
 * query over every item with inline counts.
 *
 * <p>Run: {@code ./mvnw -B -P challenges -pl 06-preforking-server -am verify
 * -Dtest=PrivateRegionChallenge -Dsurefire.failIfNoSpecifiedTests=false}
 * (about 15 s: it starts a real server). It fails until you write {@link PrivateKib#ofRegion}. Hint:
 * {@link Smaps#all(int)} lists a process's mappings with their fields; which mappings lie in
 * the range, and which fields count pages no other process maps? Then look at the master's
 * numbers after the queries: it wrote nothing after fork, so why did they change?
 */
class PrivateRegionChallenge {

    private static final String DATA_SIZE = "4m";
    /** The most items one /query may ask for (the server answers 400 above it). */
    private static final long MAX_QUERY_COUNT = 10_000;

    @Test
    void yourPrivateKibMatchTheServersAndTheMastersPagesGoPrivateToo() throws IOException {
        List<String> args = List.of("--workers", "1", "--refcounts", "inline", "--data-size", DATA_SIZE, "--warmup", "4000");
        try (ServerLauncher server = ServerLauncher.start(line -> { }, args)) {
            server.awaitLine(0, l -> l.contains("ready:"), Duration.ofMinutes(1));
            int master = server.masterPid();
            Smaps.Mapping heap = objectHeapOf(master);
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(30_000);
                String idle = RawHttp.get(s, "/stats").body();
                int worker = (int) StatsJson.number(StatsJson.process(idle, "worker 1"), "pid");
                long workerIdle = PrivateKib.ofRegion(worker, heap.start(), heap.end());
                long masterIdle = PrivateKib.ofRegion(master, heap.start(), heap.end());
                assertThat(workerIdle).as("the idle worker's private object heap KiB")
                        .isEqualTo(StatsJson.region(idle, "worker 1", "object_heap").privateKb()).isLessThanOrEqualTo(8);
                assertThat(masterIdle).as("the master's private object heap KiB while its worker is idle")
                        .isEqualTo(StatsJson.region(idle, "master", "object_heap").privateKb()).isLessThanOrEqualTo(8);

                long items = StatsJson.number(idle, "items");
                for (long from = 0; from < items; from += MAX_QUERY_COUNT) {
                    String path = "/query?from=" + from + "&count=" + Math.min(MAX_QUERY_COUNT, items - from);
                    assertThat(RawHttp.get(s, path).status()).as(path).isEqualTo(200);
                }

                String after = RawHttp.get(s, "/stats").body();
                StatsJson.Region workerStats = StatsJson.region(after, "worker 1", "object_heap");
                StatsJson.Region masterStats = StatsJson.region(after, "master", "object_heap");
                long workerAfter = PrivateKib.ofRegion(worker, heap.start(), heap.end());
                long masterAfter = PrivateKib.ofRegion(master, heap.start(), heap.end());
                assertThat(workerAfter).as("the worker's private object heap KiB after a query over every item")
                        .isEqualTo(workerStats.privateKb()).isGreaterThan(workerStats.rssKb() * 8 / 10);
                // The master wrote nothing, yet: a page its only worker copied is now mapped by the master alone.
                assertThat(masterAfter).as("the master's private object heap KiB after its worker copied the heap")
                        .isEqualTo(masterStats.privateKb()).isGreaterThan(masterStats.rssKb() * 8 / 10);
            }
        }
    }

    /**
     * The object heap's mapping in the master: 02's Region maps it read-write between guard
     * pages, so it is the one read-write mapping of exactly the size the server asked for.
     */
    private static Smaps.Mapping objectHeapOf(int masterPid) {
        long bytes = DatasetBuilder.heapSizeFor(parseSize(DATA_SIZE));
        List<Smaps.Mapping> candidates = Smaps.all(masterPid).stream()
                .filter(m -> m.perms().startsWith("rw") && m.end() - m.start() == bytes).toList();
        assertThat(candidates).as("read-write mappings of %d bytes in the master (the object heap)", bytes).hasSize(1);
        return candidates.get(0);
    }

    private static long parseSize(String size) {
        return Long.parseLong(size.substring(0, size.length() - 1)) << 20;
    }
}
