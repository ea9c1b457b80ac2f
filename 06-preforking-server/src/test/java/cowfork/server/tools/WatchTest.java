// ./cowfork watch as a user runs it: one URL, both servers' data behind it under the same load, and nothing left after Ctrl-C.
package cowfork.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.fork.ForkRecipe;
import cowfork.server.stats.StatsJson;
import cowfork.support.WatchedProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Starts {@link Watch} in a JVM of its own (as {@code ./cowfork watch} does), reads both
 * servers' dashboard data through the one URL it prints until both have served the
 * built-in load, then sends the watch process SIGINT (what Ctrl-C does) and checks that it
 * exits and that every process it started, servers and workers, is gone.
 */
class WatchTest {
    private static final Pattern URL = Pattern.compile("watch: open http://127\\.0\\.0\\.1:(\\d+)/");

    /** The command line of a watch process started with this JVM, its fork flags and its class path. */
    static List<String> command(String... args) {
        List<String> cmd = ForkRecipe.javaCommand(Watch.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Requests of every worker in a dashboard document, summed. */
    static long workerRequests(String json) {
        return StatsJson.dashboard(json).processes().stream().filter(p -> p.slot() > 0)
                .mapToLong(StatsJson.Dashboard.Process::requests).sum();
    }

    /**
     * Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status, in hex), as a
     * command started in the background by a shell without job control does: its children
     * inherit that, so the watch, and the JVM's Ctrl-C handling in it, never sees the signal.
     */
    static boolean sigintIgnored() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring("SigIgn:".length()).strip(), 16) & (1L << (2 - 1))) != 0;
            }
        }
        return false;
    }

    @Test
    void oneUrlShowsBothServersUnderLoadAndCtrlCLeavesNoProcess() throws Exception {
        assumeThat(sigintIgnored()).as("SIGINT is not ignored here (it is in a background job of a shell without job"
                + " control, and the watch would inherit that): Ctrl-C can reach the watch").isFalse();
        try (WatchedProcess watch = WatchedProcess.start(command("--port", "0", "--workers", "1", "--data-size", "4m",
                "--warmup", "2000", "--rate", "300"), line -> { })) {
            Matcher m = URL.matcher(watch.awaitLine(0, l -> URL.matcher(l).find(), Duration.ofMinutes(1)));
            assertThat(m.find()).isTrue();
            String base = "http://127.0.0.1:" + m.group(1);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            HttpResponse<String> root = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(root.statusCode()).isEqualTo(302);
            assertThat(root.headers().firstValue("Location")).hasValue("/dashboard?servers=/inline,/immortal");
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/dashboard")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).contains("uPlot");

            // the built-in load reaches both servers (the data requests themselves count too, so ask for more than them)
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String inline;
            String immortal;
            do {
                inline = get(http, base + "/inline/dashboard/data");
                immortal = get(http, base + "/immortal/dashboard/data");
                LockSupport.parkNanos(100_000_000L); // polling, bounded by the deadline
            } while ((workerRequests(inline) < 100 || workerRequests(immortal) < 100) && System.nanoTime() < deadline);
            assertThat(StatsJson.dashboard(inline).refcounts()).isEqualTo("inline");
            assertThat(StatsJson.dashboard(immortal).refcounts()).isEqualTo("immortal");
            assertThat(workerRequests(inline)).as(inline).isGreaterThanOrEqualTo(100);
            assertThat(workerRequests(immortal)).as(immortal).isGreaterThanOrEqualTo(100);

            List<ProcessHandle> started = watch.process().descendants().toList();
            assertThat(started).as("two masters and a worker each").hasSizeGreaterThanOrEqualTo(4);
            try {
                ServerLauncher.signal(watch.pid(), "INT");
                // A deadline against a hang, above the watch's own bound on stopping: the page (a proxied
                // request in flight may take its 5 s), then per server 10 s for INT and up to 10 s more
                // for SIGKILL to its tree: 45 s when both masters are too busy to stop.
                assertThat(watch.awaitExit(Duration.ofSeconds(90))).as(watch.output()).isIn(0, 130);
                assertThat(watch.output()).contains("watch: stopped both servers");
                long gone = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (started.stream().anyMatch(WatchTest::running) && System.nanoTime() < gone) {
                    LockSupport.parkNanos(10_000_000L); // polling /proc, bounded by the deadline
                }
                assertThat(started.stream().filter(WatchTest::running).map(p -> cowfork.support.Processes.describe((int) p.pid())))
                        .as("processes of the watch still running after SIGINT").isEmpty();
            } finally {
                started.forEach(ProcessHandle::destroyForcibly); // orphans are no longer the watch's descendants: kill them by pid
            }
        }
    }

    /** Still running: present in /proc and not a zombie (a zombie's parent is dead too here: none is left to reap it). */
    private static boolean running(ProcessHandle p) {
        char state = cowfork.support.Processes.state((int) p.pid());
        return state != '?' && state != 'Z';
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
