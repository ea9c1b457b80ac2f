// Every endpoint's answers, keep-alive, pipelining and concurrent clients, against a server running as its own process.
package cowfork.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.stats.StatsJson;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EndpointsTest {
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start("--workers", "2", "--debug-endpoints"); // /sleep is a debugging endpoint
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthAnswersWithTheWorkersPid() {
        HttpResponse<String> r = server.get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        int pid = Integer.parseInt(r.headers().firstValue("x-worker").orElseThrow());
        assertThat(server.workerPids()).contains(pid);
        assertThat(r.body()).startsWith("{\"status\":\"ok\",\"pid\":" + pid + ",\"requests\":");
    }

    @Test
    void anItemIsServedAsJsonFromTheObjectHeap() {
        for (int key : new int[] {0, 1, 42, 999}) {
            HttpResponse<String> r = server.get("/item/" + key);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("{\"id\":\"item-" + key + "\",").contains("\"price\":").endsWith("}");
        }
    }

    @Test
    void anUnknownItemOrPathIs404() {
        assertThat(server.get("/item/not-a-key").statusCode()).isEqualTo(404);
        assertThat(server.get("/item/99999999").statusCode()).isEqualTo(404);
        assertThat(server.get("/nothing/here").statusCode()).isEqualTo(404);
    }

    @Test
    void theQueryReducesManyItems() {
        HttpResponse<String> r = server.get("/query?from=5&count=40");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"from\":5,\"count\":40,\"total_price\":").contains("\"cheapest\":{\"id\":\"item-");
        // The same query gives the same answer, whichever worker serves it.
        assertThat(server.get("/query?from=5&count=40").body()).isEqualTo(r.body());
        assertThat(server.get("/query?count=0").statusCode()).isEqualTo(400);
        assertThat(server.get("/query?count=10001").statusCode()).isEqualTo(400);
        assertThat(server.get("/query?from=x").statusCode()).isEqualTo(400);
    }

    @Test
    void headAnswersWithTheGetHeadersAndNoBody() throws IOException {
        String body = server.get("/item/7").body();
        try (Socket s = server.socket()) {
            RawHttp.send(s, "HEAD /item/7 HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response head = RawHttp.read(s.getInputStream(), true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(String.valueOf(body.length()));
            // The next bytes are the next response: HEAD sent no body.
            assertThat(RawHttp.read(s).body()).startsWith("{\"status\":\"ok\"");
        }
    }

    @Test
    void theIndexListsTheEndpointsAndOtherMethodsAre405() throws IOException {
        HttpResponse<String> index = server.get("/");
        assertThat(index.body()).contains("/item/KEY", "/query", "/stats", "/health");
        try (Socket s = server.socket()) {
            RawHttp.send(s, "POST /item/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("allow")).isEqualTo("GET, HEAD, OPTIONS");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(RawHttp.isClosedByServer(s)).isTrue();
        }
    }

    @Test
    void statsReportEveryProcessByRegion() {
        HttpResponse<String> json = server.get("/stats");
        assertThat(json.statusCode()).isEqualTo(200);
        StatsJson.Stats stats = StatsJson.stats(json.body());
        assertThat(stats.refcounts()).isEqualTo("inline");
        assertThat(stats.processes()).extracting(StatsJson.Stats.Process::name).contains("master", "worker 1", "worker 2");
        for (StatsJson.Stats.Process p : stats.processes()) {
            assertThat(p.memoryKb()).as(p.name()).containsOnlyKeys("object_heap", "refcount_table", "java_heap", "other", "total");
        }
        assertThat(stats.totalPssKb()).isPositive();
        HttpResponse<String> text = server.get("/stats?format=text");
        assertThat(text.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        assertThat(text.body()).contains("object heap", "Java heap", "master", "worker 1", "worker 2", "PSS");
    }

    @Test
    void aKeptAliveConnectionServesManyRequestsAndPipelines() throws IOException {
        try (Socket s = server.socket()) {
            String worker = null;
            for (int i = 0; i < 20; i++) {
                RawHttp.send(s, "GET /item/" + i + " HTTP/1.1\r\nHost: t\r\n\r\n");
                RawHttp.Response r = RawHttp.read(s);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isEqualTo("keep-alive");
                assertThat(r.body()).contains("\"item-" + i + "\"");
                worker = worker == null ? r.header("x-worker") : worker;
                assertThat(r.header("x-worker")).isEqualTo(worker); // one connection, one worker
            }
            StringBuilder pipelined = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                pipelined.append("GET /item/").append(100 + i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
            }
            RawHttp.send(s, pipelined.toString());
            for (int i = 0; i < 5; i++) {
                assertThat(RawHttp.read(s).body()).contains("\"item-" + (100 + i) + "\"");
            }
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws IOException {
        try (Socket s = server.socket()) {
            RawHttp.send(s, "GET /health HTTP/1.0\r\n\r\n");
            assertThat(RawHttp.read(s).header("connection")).isEqualTo("close");
            assertThat(RawHttp.isClosedByServer(s)).isTrue();
        }
        try (Socket s = server.socket()) {
            RawHttp.send(s, "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(RawHttp.read(s).header("connection")).isEqualTo("keep-alive");
            RawHttp.send(s, "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertThat(RawHttp.read(s).status()).isEqualTo(200);
            assertThat(RawHttp.isClosedByServer(s)).isTrue();
        }
    }

    @Test
    void aRequestBodyIsReadAndDiscarded() throws IOException {
        try (Socket s = server.socket()) {
            RawHttp.send(s, "GET /item/3 HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world"
                    + "GET /item/4 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(RawHttp.read(s).body()).contains("\"item-3\"");
            assertThat(RawHttp.read(s).body()).contains("\"item-4\"");
        }
    }

    @Test
    void theSlowHandlerSleeps() {
        long t0 = System.nanoTime();
        HttpResponse<String> r = server.get("/sleep?ms=120");
        assertThat(r.body()).isEqualTo("{\"slept_ms\":120}");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(120));
        assertThat(server.get("/sleep?ms=60001").statusCode()).isEqualTo(400);
    }

    @Test
    void concurrentClientsAreAllServedCorrectly() throws Exception {
        Set<String> workersSeen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 50; i++) {
                        int key = thread * 500 + i;
                        HttpResponse<String> r = server.client().send(
                                HttpRequest.newBuilder(server.uri("/item/" + key)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && r.body().contains("\"item-" + key + "\"")) {
                            ok++;
                        }
                        r.headers().firstValue("x-worker").ifPresent(workersSeen::add);
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(50);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.workerPids()).hasSize(2);
        assertThat(workersSeen).isNotEmpty().allMatch(w -> server.workerPids().contains(Integer.parseInt(w)));
    }
}
