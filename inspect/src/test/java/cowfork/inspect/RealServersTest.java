// inspect against the servers it is for: gunicorn --preload (CPython), unicorn and Puma (Ruby), each skipped, saying so, where not installed.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cowfork.cow.Smaps;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Starts each real server on 127.0.0.1 with a preloaded catalogue of {@link #ITEMS} items
 * (06's bench/app.py for gunicorn, src/test/ruby/catalogue.ru for unicorn and Puma), two
 * workers, and checks what an operator relies on:
 * <pre>
 *   the tree     a master and its two workers, found by pid or by --name
 *   the figures  every process's regions add up to smaps_rollup (read independently) within 1%
 *   the heap     the language's heap is the workers' largest region, and right after the fork mostly shared
 *   the decay    (CPython) serving items makes the workers' heap go private: reference counts are written
 * </pre>
 */
class RealServersTest {
    static final int ITEMS = 20_000;
    static final int REQUESTS = 3_000;
    static final Duration BOOT = Duration.ofMinutes(2);
    static final Path BENCH = Path.of("..", "06-preforking-server", "bench");
    static final Path RUBY_APP = Path.of("src", "test", "ruby");

    @Test
    void gunicornPreloadDecaysInTheHeap() {
        assumeTrue(Executables.find("gunicorn") != null, "gunicorn is not installed (Debian: apt-get install gunicorn)");
        assumeTrue(Files.isRegularFile(BENCH.resolve("app.py")), "06's bench/app.py is not at " + BENCH.toAbsolutePath());
        try (Launched server = Launched.start(List.of("gunicorn", "--preload", "-w", "2", "-b", "127.0.0.1:0", "app:app"),
                Map.of("ITEMS", Integer.toString(ITEMS)), BENCH)) {
            int port = Integer.parseInt(server.awaitLine(Pattern.compile("Listening at: http://127\\.0\\.0\\.1:(\\d+)"), BOOT).group(1));
            server.awaitChildren(2, BOOT);
            Sampler sampler = new Sampler(server.pid(), false, true);
            Sample before = checkTree(sampler, 2, true);
            get(port, REQUESTS);
            Sample after = checkTree(sampler, 2, false);
            Growth growth = new Growth();
            growth.update(before);
            Growth.Update u = growth.update(after);
            long grewKb = 0;
            for (ProcessMemory w : after.withRole(ProcessTree.Role.WORKER)) {
                ProcessMemory was = before.processes().stream().filter(p -> p.pid() == w.pid()).findFirst().orElseThrow();
                grewKb += privateKb(w, Regions.HEAP) - privateKb(was, Regions.HEAP);
            }
            System.out.printf("inspect: gunicorn, %d items served by 2 workers: their heap went %d kB more private; fastest: %s%n",
                    REQUESTS, grewKb, u.fastest().get(0));
            assertThat(grewKb).as("kB of the workers' heap copied by serving %d items (reference counts written)", REQUESTS)
                    .isGreaterThan(1024);
            assertThat(u.fastest().get(0).description()).as("the mapping going private fastest").startsWith(Regions.HEAP + " ");
        }
    }

    @Test
    void unicornUnderAWrapperIsFoundByName() throws IOException {
        assumeTrue(Executables.find("unicorn") != null, "unicorn is not installed (Debian: apt-get install unicorn)");
        assumeTrue(Executables.find("timeout") != null, "timeout (coreutils) is missing");
        Path conf = Files.createTempFile("cowfork-inspect-unicorn-", ".rb");
        try {
            Files.writeString(conf, "worker_processes 2\npreload_app true\nlisten \"127.0.0.1:0\"\n");
            // timeout is a wrapper whose command line matches too: --name must pass over it to unicorn's master
            try (Launched wrapper = Launched.start(List.of("timeout", "600", "unicorn", "-E", "none", "-c", conf.toString(),
                    "catalogue.ru"), Map.of("ITEMS", Integer.toString(ITEMS)), RUBY_APP)) {
                int port = Integer.parseInt(wrapper.awaitLine(Pattern.compile("listening on addr=127\\.0\\.0\\.1:(\\d+)"), BOOT).group(1));
                wrapper.awaitLine(Pattern.compile("master process ready"), BOOT);
                int master = ProcessTree.findMaster(Pattern.compile(Pattern.quote(conf.toString())));
                assertThat(cowfork.support.Processes.parentOf(master)).as("the master is the wrapper's child").isEqualTo(wrapper.pid());
                Sampler sampler = new Sampler(master, false, true);
                checkTree(sampler, 2, true);
                get(port, REQUESTS);
                Sample after = checkTree(sampler, 2, false);
                report("unicorn", after);
            }
        } finally {
            Files.deleteIfExists(conf);
        }
    }

    @Test
    void pumaClusterWithPreload() {
        assumeTrue(Executables.find("puma") != null, "Puma is not installed (Debian: apt-get install puma)");
        try (Launched server = Launched.start(List.of("puma", "-e", "none", "-w", "2", "--preload", "-b", "tcp://127.0.0.1:0",
                "catalogue.ru"), Map.of("ITEMS", Integer.toString(ITEMS)), RUBY_APP)) {
            int port = Integer.parseInt(server.awaitLine(Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)"), BOOT).group(1));
            server.awaitLine(Pattern.compile("Worker 1 \\(PID: \\d+\\) booted"), BOOT);
            Sampler sampler = new Sampler(server.pid(), false, true);
            checkTree(sampler, 2, true);
            get(port, REQUESTS);
            report("Puma", checkTree(sampler, 2, false));
        }
    }

    /**
     * Samples the tree and checks its structure, that every process's regions agree with smaps_rollup
     * (read independently around inspect's own read), and that the heap is each worker's largest
     * region; right after the fork ({@code fresh}), that the heap is still mostly shared. Returns the sample.
     */
    static Sample checkTree(Sampler sampler, int workers, boolean fresh) {
        Sample s = sampler.sample();
        assertThat(s.withRole(ProcessTree.Role.WORKER)).as("workers of %d", s.master().pid()).hasSize(workers);
        assertThat(s.leftOut()).isEmpty();
        for (ProcessMemory p : s.processes()) {
            Agreement.assertAgreesWithRollup(p.member());
        }
        for (ProcessMemory w : s.withRole(ProcessTree.Role.WORKER)) {
            Smaps.Fields heap = w.regions().get(Regions.HEAP);
            for (Map.Entry<String, Smaps.Fields> r : w.regions().entrySet()) {
                assertThat(heap.rssKb()).as("%s: heap against %s", w.member(), r.getKey()).isGreaterThanOrEqualTo(r.getValue().rssKb());
            }
            if (fresh) {
                assertThat(ProcessMemory.sharedKb(heap)).as("%s: heap still shared with the master", w.member())
                        .isGreaterThan(heap.rssKb() / 2);
            }
        }
        return s;
    }

    /** Prints what the workers' heaps look like after the load (Ruby's decay is reported, not asserted). */
    static void report(String server, Sample s) {
        for (ProcessMemory w : s.withRole(ProcessTree.Role.WORKER)) {
            Smaps.Fields heap = w.regions().get(Regions.HEAP);
            System.out.printf("inspect: %s %s after %d requests: heap Rss %d kB, private %d kB%n", server, w.member(), REQUESTS,
                    heap.rssKb(), ProcessMemory.privateKb(heap));
        }
    }

    static long privateKb(ProcessMemory p, String region) {
        return ProcessMemory.privateKb(p.regions().getOrDefault(region, Smaps.Fields.ZERO));
    }

    /** {@code n} requests for items 0, 7, 14... (all different), one connection each, on 127.0.0.1. */
    static void get(int port, int n) {
        byte[] buf = new byte[8192];
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("GET /item/" + (i * 7L % ITEMS) + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                int first = in.read(buf);
                String head = first > 0 ? new String(buf, 0, Math.min(first, 12), StandardCharsets.US_ASCII) : "";
                assertThat(head).as("answer to request %d", i).startsWith("HTTP/1.");
                while (in.read(buf) >= 0) {
                    // read to the end: HTTP/1.0, the server closes
                }
            } catch (IOException e) {
                throw new IllegalStateException("request " + i + " to 127.0.0.1:" + port + " failed: " + e, e);
            }
        }
    }
}
