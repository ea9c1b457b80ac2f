// The worker's HTTP/1.1 framing against RFC 9110/9112, on a real socket: one response per request, bodies only where allowed, errors as soon as they are certain.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerHttpTest {
    private static WorkerHarness harness;

    @BeforeAll
    static void start() {
        // keep-alive 5 s, client timeout 10 s (the server's default): a test that waited for
        // a timeout would take 5 to 10 s and fail its 2 s read deadline.
        harness = new WorkerHarness(16, 5_000, 10_000, 1_000, new WorkerHarness.FakeStore(), true);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        assertThat(harness.crash()).isNull();
        harness.close();
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HEAD /no/such/path|404",
        "HEAD /item/not-a-key|404",
        "HEAD /query?count=0|400",
        "HEAD /item/7|200",
        "HEAD /|200",
    })
    void aResponseToHeadHasNoBodyWhateverItsStatus(String requestLine, int status) throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, requestLine + " HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response head = RawHttp.read(s.getInputStream(), true);
            assertThat(head.status()).isEqualTo(status);
            assertThat(Integer.parseInt(head.header("content-length"))).as("the length a GET would get").isPositive();
            // The very next bytes are the next response: the HEAD answer carried no body.
            RawHttp.Response next = RawHttp.read(s);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).startsWith("{\"status\":\"ok\"");
        }
    }

    @Test
    void anErrorAnswerToHeadHasNoBodyEither() throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "HEAD / HTTP/1.1\r\n\r\n"); // no Host: 400, and the connection closes
            RawHttp.Response r = RawHttp.read(s.getInputStream(), true);
            assertThat(r.status()).isEqualTo(400);
            assertThat(s.getInputStream().read()).as("nothing after the head").isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /\\r\\n|no version: the line ended without one",
        "GET / HTTP/1.1\\rHost: t\\r\\r|a bare CR ends the request line",
        "GET / HTTP/1.1\\r\\nHost: t\\rX: y|a bare CR ends a field line",
        "GET / HTTP/1.1\\r\\n Folded: x|a folded line, before its end",
        "GET / HTTP/1.1\\r\\nBad Name|a space in a field name",
        "GET / HTTP/1.1\\r\\nHost: t\\r\\nHost: u\\r\\n|a second Host, before the blank line",
        "GET / HTTX/|a version that cannot become HTTP/",
        "GET /a\\u0001|a control byte in the target",
        "GET / HTTP/1.1x|a byte after the version",
        "G(T /|a method that is not a token",
    })
    void aHeadThatIsAlreadyInvalidIsRefusedAtOnce(String bytes, String why) throws IOException {
        try (Socket s = harness.connect(2_000)) { // far below the 10 s client timeout
            RawHttp.send(s, unescape(bytes).replace("\\u0001", "\u0001"));
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r).as(why).isNotNull();
            assertThat(r.status()).as(why).isEqualTo(400);
            assertThat(r.header("connection")).isEqualTo("close");
        }
    }

    @Test
    void aValidPrefixStillWaitsForTheRest() throws IOException {
        try (Socket s = harness.connect(300)) {
            RawHttp.send(s, "GET /item/3 HTTP/1.1\r\nHost: t\r");
            assertThat(RawHttp.isClosedByServer(s)).as("no answer, no close: the head may still come").isFalse();
            RawHttp.send(s, "\n\r\n");
            s.setSoTimeout(2_000);
            assertThat(RawHttp.read(s).body()).contains("item-3");
        }
    }

    @Test
    void theAnswerWaitsForTheWholeBodyAndComesOnce() throws IOException {
        try (Socket s = harness.connect(300)) {
            RawHttp.send(s, "GET /item/4 HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello");
            assertThat(RawHttp.isClosedByServer(s)).as("nothing is sent before the body is complete").isFalse();
            RawHttp.send(s, "world" + "GET /item/5 HTTP/1.1\r\nHost: t\r\n\r\n");
            s.setSoTimeout(2_000);
            assertThat(RawHttp.read(s).body()).contains("item-4");
            assertThat(RawHttp.read(s).body()).as("the body was skipped exactly").contains("item-5");
        }
    }

    @Test
    void aBodyThatNeverCompletesGetsOne408AndNothingElse() throws Exception {
        try (WorkerHarness quick = new WorkerHarness(4, 5_000, 300, 1_000, new WorkerHarness.FakeStore(), true);
             Socket s = quick.connect(3_000)) {
            RawHttp.send(s, "GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhel");
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.status()).as("the first and only response").isEqualTo(408);
            assertThat(RawHttp.isClosedByServer(s)).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET http://example.org/item/6 HTTP/1.1|200|item-6",
        "GET HTTP://example.org:8080/item/6?x=1 HTTP/1.1|200|item-6",
        "GET http://example.org HTTP/1.1|200|GET /health",
        "GET /item/6 HTTP/1.2|200|item-6",
        "GET /item/6 HTTP/1.9|200|item-6",
    })
    void absoluteTargetsAndLaterMinorVersionsAreServed(String line, int status, String bodyPart) throws IOException {
        RawHttp.Response r = harness.exchange(line + "\r\nHost: t\r\nConnection: close\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.body()).contains(bodyPart);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /health HTTP/2.0|505",
        "GET /health HTTP/0.9|505",
        "PRI * HTTP/2.0|505",
        "GET /health HTTP/1|400",
        "GET /health HTTP/1.10|400",
        "GET /health http/1.1|400",
        "GET ftp://example.org/health HTTP/1.1|400",
        "GET http:///health HTTP/1.1|400",
        "GET http://user@example.org/health HTTP/1.1|400",
        "GET http://example.org/health HTTP/1.1\\r\\nX: y|400",
    })
    void otherVersionsAndTargetsAreRefused(String line, int status) throws IOException {
        String request = unescape(line);
        RawHttp.Response r = harness.exchange(request + (request.contains("X: y") ? "\r\n\r\n" : "\r\nHost: t\r\n\r\n"),
                false);
        assertThat(r.status()).as(line).isEqualTo(status);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "5\\r\\nhello\\r\\n0\\r\\n\\r\\n|one chunk",
        "3\\r\\nabc\\r\\nA\\r\\n0123456789\\r\\n0\\r\\n\\r\\n|two chunks, hex size",
        "3;name=value;flag\\r\\nabc\\r\\n000\\r\\n\\r\\n|extensions are ignored, 000 is the last chunk",
        "3 ;x=\"q\"\\r\\nabc\\r\\n0\\r\\nTrailer-A: 1\\r\\nTrailer-B: 2\\r\\n\\r\\n|trailers are skipped",
        "3\\nabc\\n0\\n\\n|bare LF line ends",
        "0\\r\\n\\r\\n|an empty body",
    })
    void aChunkedBodyIsDecodedAndTheNextRequestFollows(String body, String why) throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "GET /item/8 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + unescape(body)
                    + "GET /item/9 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(RawHttp.read(s).body()).as(why).contains("item-8");
            assertThat(RawHttp.read(s).body()).as(why + ": the body ended exactly there").contains("item-9");
        }
    }

    @Test
    void aChunkedBodyArrivingByteByByteIsDecoded() throws IOException {
        String body = "4;e=1\r\nabcd\r\n2\r\nef\r\n0\r\nT: v\r\n\r\n";
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "GET /item/10 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (char ch : body.toCharArray()) {
                RawHttp.send(s, String.valueOf(ch)); // each byte its own packet (TCP_NODELAY on the client side)
            }
            assertThat(RawHttp.read(s).body()).contains("item-10");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Transfer-Encoding: chunked|201\\r\\n|413|a chunk declared over the 512-byte limit",
        "Transfer-Encoding: chunked|TWO_FULL_CHUNKS_AND_ONE_BYTE|413|the decoded total goes one byte over the limit",
        "Transfer-Encoding: chunked|zz\\r\\n|400|bad hex",
        "Transfer-Encoding: chunked|\\r\\n|400|no size at all",
        "Transfer-Encoding: chunked|10000000000000000\\r\\n|400|chunk size overflow",
        "Transfer-Encoding: chunked|3\\r\\nabcX\\r\\n|400|no CRLF after the chunk data",
        "Transfer-Encoding: chunked|3\\rabc|400|a bare CR after the size",
        "Transfer-Encoding: chunked|3\\r\\nabc\\r\\n0\\r\\n Folded: t\\r\\n\\r\\n|400|a folded trailer",
        "Transfer-Encoding: gzip, chunked|0\\r\\n\\r\\n|501|a coding this server does not decode",
        "Transfer-Encoding: gzip|0\\r\\n\\r\\n|501|only a coding this server does not decode",
        "Transfer-Encoding: chunked, gzip|0\\r\\n\\r\\n|400|chunked not last",
        "Transfer-Encoding: chunked, chunked|0\\r\\n\\r\\n|400|chunked twice",
        "Transfer-Encoding: chunked\\r\\nContent-Length: 5|0\\r\\n\\r\\n|400|both framings: a smuggling attempt",
        "Transfer-Encoding: ,|0\\r\\n\\r\\n|400|an empty coding list",
    })
    void aBadChunkedBodyOrCodingIsRefused(String fields, String body, int status, String why) throws IOException {
        String b = body.equals("TWO_FULL_CHUNKS_AND_ONE_BYTE") ? "100\r\n" + "x".repeat(256) + "\r\n100\r\n" + "y".repeat(256) + "\r\n1\r\n"
                : unescape(body);
        RawHttp.Response r = harness.exchange("GET /health HTTP/1.1\r\nHost: t\r\n" + unescape(fields) + "\r\n\r\n" + b,
                false);
        assertThat(r).as(why).isNotNull();
        assertThat(r.status()).as(why).isEqualTo(status);
        assertThat(r.header("connection")).isEqualTo("close");
    }

    @Test
    void chunkedInHttp10IsRefused() throws IOException {
        RawHttp.Response r = harness.exchange("GET /health HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    void aRequestThatThrowsGets500AndTheOthersGoOn() throws Exception {
        try (Socket bystander = harness.connect(2_000); Socket victim = harness.connect(2_000)) {
            assertThat(RawHttp.get(bystander, "/item/1").status()).isEqualTo(200);
            RawHttp.send(victim, "GET /item/boom HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(victim);
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(RawHttp.isClosedByServer(victim)).isTrue();
            // The connection that was open before the failure is still served.
            assertThat(RawHttp.get(bystander, "/item/2").body()).contains("item-2");
        }
        assertThat(harness.workerRunning()).isTrue();
        assertThat(harness.crash()).isNull();
    }
}
