// The master's promises, checked from outside: replace the dead, kill the stuck, recycle, obey TERM/TTIN/TTOU, leave nothing behind.
package cowfork.server.master;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.Interrupts;
import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class SupervisionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aWorkerKilledUnderLoadIsReplacedAndTheServerKeepsAnswering() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "2");
             Load load = new Load(server, "/item/5")) {
            load.awaitSuccesses(100);
            int victim = server.workerPids().get(0);
            int mark = server.lineCount();
            ServerProcess.signal(victim, "KILL");
            server.awaitLineAfter(mark, l -> l.contains("(pid " + victim + ") died") && l.contains("SIGKILL")
                    && l.contains("replacing it"), WAIT);
            server.awaitLineAfter(mark, l -> l.contains("booted"), WAIT);
            int before = load.successes();
            load.awaitSuccesses(before + 200);
            List<Integer> workers = server.workerPids();
            assertThat(workers).hasSize(2).doesNotContain(victim);
            for (int pid : workers) {
                assertThat(cowfork.support.Processes.state(pid)).isNotEqualTo('Z'); // the dead one was reaped
            }
        }
    }

    /**
     * TERM while two requests sleep: the master says it stops gracefully before either is
     * answered (the order of events, seen by the test; a 5 s sleep leaves room for a slow
     * machine), each is then answered in full ({"slept_ms":5000}), and every process exits.
     */
    @Test
    void termLetsInFlightRequestsFinishThenEveryProcessExits() throws Exception {
        ServerProcess server = ServerProcess.start("--workers", "2", "--debug-endpoints");
        try (Load load = new Load(server, "/item/9");
             Socket slow1 = server.socket();
             Socket slow2 = server.socket()) {
            load.awaitSuccesses(50);
            slow1.setSoTimeout(30_000);
            slow2.setSoTimeout(30_000);
            RawHttp.send(slow1, "GET /sleep?ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.send(slow2, "GET /sleep?ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n");
            awaitAcceptedByWorkers(server, slow1.getLocalPort(), slow2.getLocalPort());
            Answer a1 = new Answer(slow1);
            Answer a2 = new Answer(slow2);
            int mark = server.lineCount();
            server.signal("TERM");
            server.awaitLineAfter(mark, l -> l.contains("TERM: graceful stop"), WAIT);
            assertThat(a1.arrived() || a2.arrived()).as("a sleeping request answered before TERM was acted on").isFalse();
            RawHttp.Response r1 = a1.await();
            RawHttp.Response r2 = a2.await();
            assertThat(r1.status()).isEqualTo(200);
            assertThat(r2.status()).isEqualTo(200);
            assertThat(r1.body()).isEqualTo("{\"slept_ms\":5000}");
            assertThat(r2.body()).isEqualTo("{\"slept_ms\":5000}");
            // The stop arrived while the handlers slept: the answers went out, then the connections were closed.
            assertThat(RawHttp.isClosedByServer(slow1)).isTrue();
            assertThat(RawHttp.isClosedByServer(slow2)).isTrue();
            assertThat(server.awaitExit(WAIT)).isEqualTo(0);
            server.awaitAllGone(Duration.ofSeconds(5));
            assertThat(server.output()).contains("TERM: graceful stop", "stopped: every worker reaped");
        } finally {
            server.close();
        }
    }

    /** One response, read on a thread of its own: whether it has arrived is an event the test can order others by. */
    private static final class Answer {
        private final java.util.concurrent.CompletableFuture<RawHttp.Response> response = new java.util.concurrent.CompletableFuture<>();

        Answer(Socket s) {
            Thread t = new Thread(() -> {
                try {
                    response.complete(RawHttp.read(s));
                } catch (IOException e) {
                    response.completeExceptionally(e);
                }
            }, "answer-" + s.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        boolean arrived() {
            return response.isDone();
        }

        RawHttp.Response await() throws Exception {
            return response.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void ttinAddsAWorkerAndTtouRemovesOne() {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            assertThat(server.workerPids()).hasSize(1);
            int mark = server.lineCount();
            server.signal("TTIN");
            server.awaitLineAfter(mark, l -> l.contains("worker 2 (pid") && l.contains("booted"), WAIT);
            server.signal("TTIN");
            server.awaitLineAfter(mark, l -> l.contains("worker 3 (pid") && l.contains("booted"), WAIT);
            assertThat(server.workerPids()).hasSize(3);
            // The master's report lists the three processes it forked (not only its target).
            List<Integer> listed = StatsJson.stats(server.get("/stats").body()).processes().stream()
                    .map(StatsJson.Stats.Process::pid).toList();
            assertThat(listed).containsAll(server.workerPids());
            mark = server.lineCount();
            server.signal("TTOU");
            server.awaitLineAfter(mark, l -> l.startsWith("[master] worker 3") && l.contains("exited after"), WAIT);
            awaitTrue(() -> server.workerPids().size() == 2, "two workers after TTOU");
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aWorkerThatMissesItsHeartbeatIsKilledAndReplaced() {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--timeout", "1")) {
            int stuck = server.workerPids().get(0);
            int mark = server.lineCount();
            ServerProcess.signal(stuck, "STOP"); // a worker stuck as if in an endless loop
            server.awaitLineAfter(mark, l -> l.contains("(pid " + stuck + "): no heartbeat") && l.contains("killing it"), WAIT);
            server.awaitLineAfter(mark, l -> l.contains("booted"), WAIT);
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            assertThat(server.workerPids()).hasSize(1).doesNotContain(stuck);
        }
    }

    @Test
    void workersRetireAfterMaxRequestsWithoutFailingARequest() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--max-requests", "100",
                "--max-requests-jitter", "20")) {
            java.util.Map<String, Integer> served = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 400; i++) {
                HttpResponse<String> r = server.client().send(HttpRequest.newBuilder(server.uri("/item/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                served.merge(r.headers().firstValue("x-worker").orElseThrow(), 1, Integer::sum);
            }
            // 400 requests at 100..120 per worker: at least 4 workers served them, one after another,
            // and each but the last (still serving) answered between 100 and 120 of them.
            assertThat(served).hasSizeGreaterThanOrEqualTo(4);
            List<Integer> counts = List.copyOf(served.values());
            assertThat(counts.subList(0, counts.size() - 1)).allSatisfy(n -> assertThat(n).isBetween(100, 120));
            assertThat(server.output()).contains("retires after", "max-requests reached");
            StatsJson.Stats.Process worker = StatsJson.stats(server.get("/stats").body()).process("worker 1");
            assertThat(worker.slot()).isEqualTo(1);
            assertThat(worker.state()).isEqualTo("running");
            assertThat(worker.restarts()).as("restarts of slot 1").isBetween(3, 9);
        }
    }

    @Test
    void aWorkerRetiresBeforeItsJavaHeapBudgetRunsOut() {
        // A reserve larger than any eden: every worker is "nearly out of heap" after its first request.
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--heap-reserve", "1g")) {
            HttpResponse<String> first = server.get("/health");
            assertThat(first.statusCode()).isEqualTo(200);
            server.awaitLine(l -> l.contains("retires after 1 requests (Java heap budget nearly spent"), WAIT);
            server.awaitLine(l -> l.contains("worker 1 (pid") && l.contains("booted")
                    && !l.contains("pid " + first.headers().firstValue("x-worker").orElseThrow() + ")"), WAIT);
            HttpResponse<String> second = server.get("/health");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValue("x-worker")).as("served by the replacement")
                    .isNotEqualTo(first.headers().firstValue("x-worker"));
        }
    }

    @Test
    void workersExitWhenTheMasterDies() {
        ServerProcess server = ServerProcess.start("--workers", "2");
        List<Integer> workers = server.workerPids();
        server.process().destroyForcibly(); // SIGKILL: the master cannot even say goodbye
        server.awaitExit(WAIT);
        server.awaitAllGone(WAIT); // PR_SET_PDEATHSIG killed them
        assertThat(workers).allMatch(pid -> {
            char s = cowfork.support.Processes.state(pid);
            return s == '?' || s == 'Z';
        });
        server.close();
    }

    /** Waits until the workers hold client sockets for both local ports (the requests are in flight). */
    private static void awaitAcceptedByWorkers(ServerProcess server, int... clientPorts) {
        awaitTrue(() -> {
            Set<String> listening = ServerProcess.sockets(server.masterPid());
            int accepted = 0;
            for (int pid : server.workerPids()) {
                Set<String> s = ServerProcess.sockets(pid);
                s.removeAll(listening);
                accepted += s.size();
            }
            return accepted >= clientPorts.length;
        }, "the slow requests accepted by workers");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(10_000_000); // polling /proc, bounded by the deadline
        }
    }

    /** A client thread sending requests in a loop until closed, counting what succeeded. */
    static final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger ok = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final Thread thread;

        Load(ServerProcess server, String path) {
            thread = new Thread(() -> {
                HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(5)).build();
                while (running.get()) {
                    try {
                        HttpResponse<String> r = server.client().send(request, HttpResponse.BodyHandlers.ofString());
                        (r.statusCode() == 200 ? ok : failed).incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet(); // the connection was on the worker that died
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "load");
            thread.setDaemon(true);
            thread.start();
        }

        int successes() {
            return ok.get();
        }

        void awaitSuccesses(int n) {
            awaitTrue(() -> ok.get() >= n, n + " successful requests (" + ok.get() + " so far, " + failed.get() + " failed)");
        }

        /** {@link #stop}, keeping an interrupt ({@link Interrupts}). */
        @Override
        public void close() {
            Interrupts.keep("stopping the load", this::stop);
        }

        private void stop() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
