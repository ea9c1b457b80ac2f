// The threaded comparison serves the same bytes as a pre-forked worker: same status, content type and body for any request.
package cowfork.server.tools;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.app.Endpoints;
import cowfork.server.app.HeapStore;
import cowfork.server.worker.Worker;
import cowfork.server.worker.WorkerHarness;
import java.io.IOException;
import java.net.Socket;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A real {@link Worker} ({@link WorkerHarness}, on a thread of this JVM) and the two
 * threaded servers ({@link ThreadedServer.Locking#ATOMIC ATOMIC} over atomic counts,
 * {@link ThreadedServer.Locking#GIL GIL} over inline counts), each over its own heap built
 * from the same data size and seed, are asked the same requests. The threaded server must
 * be the same application, not a look-alike: every answer's status, content type and body
 * are equal. (/health and /stats are left out: they name the answering process.)
 */
class ThreadedServerProperties {
    private static final long DATA = 256 << 10;
    private static WorkerHarness worker;
    private static ThreadedServer atomic;
    private static ThreadedServer gil;
    private static long items;

    @BeforeContainer
    static void start() {
        HeapStore forWorker = HeapStore.build("inline", DATA);
        items = forWorker.items();
        worker = new WorkerHarness(4, forWorker);
        atomic = new ThreadedServer(ThreadedServer.storeFor(ThreadedServer.Locking.ATOMIC, null, DATA),
                ThreadedServer.Locking.ATOMIC, "127.0.0.1", 0, 2, false);
        gil = new ThreadedServer(ThreadedServer.storeFor(ThreadedServer.Locking.GIL, "inline", DATA),
                ThreadedServer.Locking.GIL, "127.0.0.1", 0, 2, false);
    }

    @AfterContainer
    static void stop() throws InterruptedException {
        atomic.close();
        gil.close();
        worker.close();
        assertThat(worker.crash()).isNull();
    }

    @Property(tries = 200)
    void theThreadedServerAnswersWhatAWorkerAnswers(@ForAll("targets") String target, @ForAll boolean head)
            throws IOException {
        String request = (head ? "HEAD " : "GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        RawHttp.Response expected = worker.exchange(request, head);
        assertThat(expected).as("the worker's answer to " + target).isNotNull();
        for (ThreadedServer server : new ThreadedServer[] {atomic, gil}) {
            RawHttp.Response actual = exchange(server.port(), request, head);
            String who = server.store().strategy() + " threads, " + target;
            assertThat(actual).as(who).isNotNull();
            assertThat(actual.status()).as(who).isEqualTo(expected.status());
            assertThat(actual.header("content-type")).as(who).isEqualTo(expected.header("content-type"));
            assertThat(actual.body()).as(who).isEqualTo(expected.body());
        }
    }

    /** Item keys in and out of range (and not numbers), queries with valid and invalid parameters, unknown paths. */
    @Provide
    Arbitrary<String> targets() {
        Arbitrary<String> item = Arbitraries.oneOf(
                Arbitraries.longs().between(-3, items + 3).map(String::valueOf),
                Arbitraries.strings().withChars("abcxyz0123456789-_.~").ofMinLength(0).ofMaxLength(12))
                .map(k -> "/item/" + k);
        Arbitrary<String> query = Combinators.combine(
                Arbitraries.longs().between(-2, 3 * items),
                Arbitraries.integers().between(-1, Endpoints.MAX_QUERY_COUNT + 2),
                Arbitraries.of("?from=%d&count=%d", "?count=%2$d&from=%1$d", "?from=%d", "", "?count=%2$d"))
                .as((from, count, format) -> "/query" + String.format(format, from, count));
        Arbitrary<String> other = Arbitraries.of("/", "/nope", "/item", "/query/", "/sleep?ms=0", "/sleep?ms=-1");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, item), net.jqwik.api.Tuple.of(4, query), net.jqwik.api.Tuple.of(1, other));
    }

    private static RawHttp.Response exchange(int port, String request, boolean head) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            RawHttp.send(s, request);
            return RawHttp.read(s.getInputStream(), head);
        }
    }
}
