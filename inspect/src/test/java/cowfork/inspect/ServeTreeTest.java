// inspect against ./cowfork serve: inline counts make the workers' object heap go private, immortal ones keep it shared, as the server's /stats says.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Smaps;
import cowfork.server.Serve;
import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Starts chapter 06's server (a JVM of its own: this test JVM must not run its launcher's reader
 * thread, see {@link Launched}) with two workers and a 32 MiB data set, serves 3,000 items, and
 * reads the tree from the outside. The object heap is one mapping of exactly the size the server
 * prints ({@code heap_kib=}), in inspect's {@code heap} region:
 * <pre>
 *   inline     each worker's copy of it goes private as it serves (counts written into the objects)
 *   immortal   no worker's page of it ever goes private
 * </pre>
 * and inspect's figure for each worker's object heap is the one the server's own /stats reports.
 */
class ServeTreeTest {
    static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    static final Pattern PRELOADED = Pattern.compile("preloaded (\\d+) items.* heap_kib=(\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"inline", "immortal"})
    void theObjectHeapDecaysOnlyWithInlineCounts(String refcounts) throws IOException {
        try (Launched server = Launched.start(Launched.java(Serve.class.getName(), "--bind", "127.0.0.1:0", "--refcounts",
                refcounts, "--workers", "2", "--data-size", "32m", "--warmup", "2000"), Map.of(), Path.of("."))) {
            var preloaded = server.awaitLine(PRELOADED, Duration.ofMinutes(2));
            long items = Long.parseLong(preloaded.group(1));
            long heapBytes = Long.parseLong(preloaded.group(2)) * 1024;
            int port = Integer.parseInt(server.awaitLine(LISTENING, Duration.ofMinutes(2)).group(1));
            server.awaitLine(Pattern.compile("ready: 2 workers"), Duration.ofMinutes(2));

            Sampler sampler = new Sampler(server.pid(), false, true);
            Sample before = sampler.sample();
            serve(port, items, 3_000);
            Sample after = sampler.sample();
            assertThat(after.withRole(ProcessTree.Role.WORKER)).hasSize(2);
            long copiedKb = 0;
            for (ProcessMemory w : after.withRole(ProcessTree.Role.WORKER)) {
                long was = objectHeapPrivateKb(before.processes().stream().filter(p -> p.pid() == w.pid()).findFirst().orElseThrow(),
                        heapBytes);
                long now = objectHeapPrivateKb(w, heapBytes);
                System.out.printf("inspect: serve --refcounts %s, %s: object heap private %d kB -> %d kB%n", refcounts, w.member(),
                        was, now);
                copiedKb += now - was;
                if (refcounts.equals("immortal")) {
                    assertThat(now).as("%s: immortal objects' pages stay shared", w.member()).isZero();
                }
                assertThat(statsAgree(port, w.pid(), heapBytes)).as("/stats and inspect agree on %s's object heap", w.member())
                        .isTrue();
            }
            if (refcounts.equals("inline")) {
                assertThat(copiedKb).as("object heap kB the workers copied while serving (inline counts written)").isGreaterThan(2048);
            }
        }
    }

    /** Private kB of the one mapping of exactly the object heap's size (a Region: guard pages keep it one mapping). */
    static long objectHeapPrivateKb(ProcessMemory p, long heapBytes) {
        for (int i = 0; i < p.mappings().size(); i++) {
            Smaps.Mapping m = p.mappings().get(i);
            if (m.end() - m.start() == heapBytes) {
                assertThat(p.mappingRegions().get(i)).isEqualTo(Regions.HEAP);
                return ProcessMemory.privateKb(m.fields());
            }
        }
        throw new AssertionError(p.member() + " has no mapping of " + heapBytes + " bytes");
    }

    /**
     * Whether the server's /stats shows the worker {@code pid}'s object heap private kB that inspect
     * reads now (the server refreshes its figures in rounds: asks again, for up to 30 s).
     */
    static boolean statsAgree(int port, int pid, long heapBytes) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() - deadline < 0) {
            StatsJson.Stats stats;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                stats = StatsJson.stats(RawHttp.get(s, "/stats").body());
            }
            for (String name : List.of("worker 1", "worker 2")) {
                StatsJson.Stats.Process process = stats.process(name);
                if (process.pid() == pid) {
                    long theirs = process.region("object_heap").privateKb();
                    long ours = objectHeapPrivateKb(Sampler.read(new ProcessTree.Member(pid, 0, ProcessTree.Role.WORKER), true),
                            heapBytes);
                    if (theirs == ours) {
                        return true;
                    }
                }
            }
            LockSupport.parkNanos(200_000_000L); // the next stats round
        }
        return false;
    }

    /** {@code n} requests for items 0, 7, 14..., one connection each (so both workers get some). */
    static void serve(int port, long items, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                assertThat(RawHttp.get(s, "/item/" + (i * 7L % items)).status()).isEqualTo(200);
            }
        }
    }
}
