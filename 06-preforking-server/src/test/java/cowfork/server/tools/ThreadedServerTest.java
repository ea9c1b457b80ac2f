// Many threads reading one heap leave every count exactly as it was, under a GIL and under atomic counts; a throwing handler costs one request.
package cowfork.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import cowfork.experiment.Dataset;
import cowfork.heap.Heap;
import cowfork.server.app.HeapStore;
import cowfork.server.master.ServerConfig;
import cowfork.support.Cli;
import cowfork.support.StrictJson;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ThreadedServerTest {
    /** The threaded server's /stats: its one process. */
    record OneProcess(long pid, long pssKb, long rssKb) {}

    private static final long DATA = 256 << 10;
    private static final int CLIENTS = 8;
    private static final int REQUESTS = 250;

    /**
     * 8 clients on keep-alive connections, 4 handler threads, 2000 requests that each incref
     * and decref the same hot objects (the items dict, the ids list) hundreds of times. A lost
     * update (two threads' plain {@code count + 1} interleaved) leaves a count off by one:
     * then {@link Heap#verify(long...)} with the data set's root as the only outside reference
     * fails, and the hot objects' counts differ from before. Both lockings must leave none.
     * (Requests spend most of their time outside the heap, so on 2 cores racy counts often
     * survive this run too; {@code AtomicRefCountsTest} is the test that shows the race.)
     */
    @ParameterizedTest
    @EnumSource(ThreadedServer.Locking.class)
    void concurrentRequestsLeaveEveryCountAsItWas(ThreadedServer.Locking locking) {
        HeapStore store = ThreadedServer.storeFor(locking, "inline", DATA);
        Heap heap = store.heap();
        Dataset data = store.dataset();
        heap.verify(data.root()); // the starting point: every count equals the references to the object
        long itemsCount = heap.refCount(data.items());
        long idsCount = heap.refCount(data.ids());
        try (ThreadedServer server = new ThreadedServer(store, locking, "127.0.0.1", 0, 4, false)) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> hammer(server.port(), store.items()));
        }
        assertThat(heap.refCount(data.items())).as("the items dict's count").isEqualTo(itemsCount);
        assertThat(heap.refCount(data.ids())).as("the ids list's count").isEqualTo(idsCount);
        heap.verify(data.root());
    }

    /** Every client's requests, all answered 200 with a body of the expected shape. */
    private static void hammer(int port, long items) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    int ok = 0;
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(10_000);
                        for (int i = 0; i < REQUESTS; i++) {
                            long k = (client * 7919L + i * 104729L) % items;
                            boolean query = i % 2 == 0;
                            RawHttp.Response r = RawHttp.get(s, query ? "/query?from=" + k + "&count=50" : "/item/" + k);
                            assertThat(r.status()).isEqualTo(200);
                            assertThat(r.body()).startsWith(query ? "{\"from\":" + k + "," : "{\"id\":\"item-" + k + "\"");
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int answered = 0;
            for (Future<Integer> f : done) {
                answered += f.get();
            }
            assertThat(answered).isEqualTo(CLIENTS * REQUESTS);
        } finally {
            clients.shutdownNow();
            clients.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A handler that throws loses its own request only: the JDK's server closes that
     * connection without an answer, and the same process (the same pid) answers the next.
     * (The out-of-memory case is measured by the benchmark, which can give the server a small heap.)
     */
    @Test
    void aThrowingHandlerLosesOneRequestNotTheProcess() {
        HeapStore store = ThreadedServer.storeFor(ThreadedServer.Locking.ATOMIC, null, DATA);
        try (ThreadedServer server = new ThreadedServer(store, ThreadedServer.Locking.ATOMIC, "127.0.0.1", 0, 2, true)) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    assertThat(RawHttp.get(s, "/health").body()).contains("\"pid\":" + ProcessHandle.current().pid());
                    RawHttp.send(s, "GET /fault/exception HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                    assertThat(RawHttp.read(s)).as("the failed request's answer").isNull();
                }
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    RawHttp.Response next = RawHttp.get(s, "/item/1");
                    assertThat(next.status()).isEqualTo(200);
                }
            });
        }
    }

    /** /stats answers this one process's memory; a method other than GET or HEAD gets 405 with Allow. */
    @Test
    void statsIsTheProcessOwnMemoryAndPostIs405() {
        HeapStore store = ThreadedServer.storeFor(ThreadedServer.Locking.GIL, "inline", DATA);
        try (ThreadedServer server = new ThreadedServer(store, ThreadedServer.Locking.GIL, "127.0.0.1", 0, 2, false)) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    RawHttp.Response stats = RawHttp.get(s, "/stats");
                    assertThat(stats.header("content-type")).isEqualTo("application/json");
                    OneProcess own = StrictJson.read(stats.body(), OneProcess.class, "the threaded server's /stats");
                    assertThat(own.pid()).isEqualTo(ProcessHandle.current().pid());
                    assertThat(own.pssKb()).isPositive();
                    assertThat(own.rssKb()).isPositive();
                    RawHttp.send(s, "POST /item/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
                    RawHttp.Response post = RawHttp.read(s);
                    assertThat(post.status()).isEqualTo(405);
                    assertThat(post.header("allow")).isEqualTo("GET, HEAD");
                }
            });
        }
    }

    @Test
    void atomicLockingRefusesCountsThatAreNotAtomic() {
        HeapStore inline = HeapStore.build("inline", DATA);
        assertThatThrownBy(() -> new ThreadedServer(inline, ThreadedServer.Locking.ATOMIC, "127.0.0.1", 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lose count updates");
    }

    @Test
    void badFlagsExitWithTwoAndSayWhy() {
        var err = new java.io.ByteArrayOutputStream();
        int code = ThreadedServer.run(new String[] {"--locking", "free"}, System.out, new java.io.PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("serve-threads: Invalid value for option '--locking': 'free' is neither gil nor atomic",
                "(./cowfork serve-threads --help shows every option)");
    }

    /**
     * The port and the thread count are whole numbers, not byte sizes: "8k" is not 8192, and 0 threads is not "1 B",
     * in either spelling of a flag.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "--bind 127.0.0.1:8k|Invalid value for option '--bind': the port '8k' is not a whole number from 0 to 65535",
        "--bind=127.0.0.1:8k|Invalid value for option '--bind': the port '8k' is not a whole number from 0 to 65535",
        "--bind 127.0.0.1:70000|the port '70000' is not a whole number from 0 to 65535",
        "--threads 0|--threads must be between 1 and 1024, got 0",
        "--threads=0|--threads must be between 1 and 1024, got 0",
        "--threads 2k|Invalid value for option '--threads': '2k' is not a whole number",
    })
    void thePortAndTheThreadCountAreWholeNumbers(String args, String message) {
        var err = new java.io.ByteArrayOutputStream();
        int code = ThreadedServer.run(args.split(" "), System.out, new java.io.PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("serve-threads: ").contains(message).doesNotContain("KiB");
    }

    @Test
    void everyFlagReadsTheSameWithASpaceOrAnEqualsSign() {
        String[] spaced = {"--bind", "127.0.0.2:0", "--threads", "8", "--locking", "gil", "--refcounts", "immortal",
            "--data-size", "1m", "--faults"};
        String[] joined = {"--bind=127.0.0.2:0", "--threads=8", "--locking=gil", "--refcounts=immortal", "--data-size=1m",
            "--faults"};
        for (String[] args : List.of(spaced, joined)) {
            ThreadedServer.Options o = Cli.parse(new ThreadedServer.Options(), args);
            assertThat(o.bind).isEqualTo(new ServerConfig.Bind("127.0.0.2", 0));
            assertThat(o.threads).isEqualTo(8);
            assertThat(o.locking).isEqualTo(ThreadedServer.Locking.GIL);
            assertThat(o.strategy).isEqualTo("immortal");
            assertThat(o.dataBytes).isEqualTo(1L << 20);
            assertThat(o.faults).isTrue();
        }
        ThreadedServer.Options d = Cli.parse(new ThreadedServer.Options(), new String[0]);
        assertThat(List.of(d.bind.toString(), d.threads, d.locking, d.strategy, d.dataBytes))
                .containsExactly("127.0.0.1:8000", 4, ThreadedServer.Locking.ATOMIC, "inline", 32L << 20);
    }
}
