// The worker's HTTP/1.1 framing against RFC 9110/9112, on a real socket: one response per request, bodies only where allowed, errors as soon as they are certain.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        "GET https://example.org/health HTTP/1.1|421",
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

    // ---- what RFC 9110 asks of every answer, and of OPTIONS, CONNECT, Expect and preconditions ----

    /** Whether nothing arrives on {@code s} within its read timeout (the server neither answers nor closes). */
    private static boolean nothingArrives(Socket s) throws IOException {
        try {
            s.getInputStream().read();
            return false; // a byte, or the end of the stream
        } catch (SocketTimeoutException quiet) {
            return true;
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /item/1 HTTP/1.1|200", "GET /nothing HTTP/1.1|404", "GET /query?count=0 HTTP/1.1|400", "POST / HTTP/1.1|405",
        "BREW / HTTP/1.1|501",
    })
    void everyAnswerCarriesADate(String line, int status) throws IOException {
        RawHttp.Response r = harness.exchange(line + "\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("date")).as("RFC 9110 section 6.6.1").isNotNull().hasSize(29).endsWith(" GMT");
        assertThat(ZonedDateTime.parse(r.header("date"), DateTimeFormatter.RFC_1123_DATE_TIME)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "/", "/item/1", "/no/such/path"})
    void optionsIsAnsweredWithAllowAndKeepsTheConnection(String target) throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "OPTIONS " + target + " HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("allow")).isEqualTo("GET, HEAD, OPTIONS");
            assertThat(r.header("content-length")).isEqualTo("0");
            assertThat(RawHttp.read(s).body()).as("the next answer, on the same connection").startsWith("{\"status\":\"ok\"");
        }
    }

    @Test
    void connectIsATunnelThisOriginServerDoesNotImplement() throws IOException {
        RawHttp.Response r = harness.exchange("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(501);
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(harness.exchange("CONNECT example.org:x HTTP/1.1\r\nHost: example.org\r\n\r\n", false).status())
                .as("an invalid port (RFC 9110 section 9.3.6)").isEqualTo(400);
    }

    @Test
    void expect100ContinueIsAnsweredBeforeTheBodyIsSent() throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "GET /item/11 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = RawHttp.read(s); // no byte of the body sent yet: the server must not wait for it
            assertThat(interim).isNotNull();
            assertThat(interim.status()).isEqualTo(100);
            RawHttp.send(s, "hello");
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("item-11");
        }
    }

    @Test
    void anHttp10ClientGetsNo100Continue() throws IOException {
        try (Socket s = harness.connect(300)) {
            RawHttp.send(s, "GET /item/12 HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(nothingArrives(s)).as("no 1xx to HTTP/1.0 (RFC 9110 section 15.2), no answer before the body").isTrue();
            RawHttp.send(s, "hello");
            s.setSoTimeout(2_000);
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("item-12");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "If-None-Match: *|304|the item exists, so * matches it",
        "If-None-Match: \"abc\"|200|no answer here has an entity tag, so none matches",
        "If-None-Match: W/\"abc\", \"def\"|200|a list: none matches",
        "If-Match: *|200|the item exists",
        "If-Match: \"abc\"|412|no entity tag can match",
        "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT|200|no answer has a modification date: ignored",
        "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT|200|ignored likewise",
        "Range: bytes=0-3|200|ranges are not supported: the whole answer",
        "If-Range: \"abc\"|200|no Range: ignored",
        "Upgrade: h2c|200|an upgrade this server does not make: ignored",
    })
    void preconditionsRangesAndUpgradesAreHandledAsTheRfcSays(String field, int status, String why) throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "GET /item/13 HTTP/1.1\r\nHost: t\r\n" + field + "\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(s.getInputStream(), status == 304);
            assertThat(r.status()).as(why).isEqualTo(status);
            if (status == 200) {
                assertThat(r.body()).contains("item-13");
            }
            assertThat(RawHttp.read(s).body()).as("the next answer follows, nothing in between")
                    .startsWith("{\"status\":\"ok\"");
        }
    }

    @Test
    void aPreconditionNeverTurnsAnErrorIntoA304() throws IOException {
        // RFC 9110 section 13.2.1: preconditions are ignored when the answer would not be 2xx or 412.
        RawHttp.Response r = harness.exchange("GET /no/such/path HTTP/1.1\r\nHost: t\r\nIf-None-Match: *\r\n"
                + "Connection: close\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(404);
    }

    @Test
    void nothingAfterARequestThatSaidCloseIsProcessed() throws IOException {
        try (Socket s = harness.connect(2_000)) {
            RawHttp.send(s, "GET /item/14 HTTP/1.1\r\nHost: t\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n"
                    + "GET /item/15 HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.body()).contains("item-14");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(RawHttp.read(s)).as("the request pipelined after close is not answered").isNull();
        }
    }

    @Test
    void theSleepEndpointIsOffUnlessAskedFor() throws IOException {
        RawHttp.Response r = harness.exchange("GET /sleep?ms=0 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("--debug-endpoints");
    }

    /**
     * RFC 9112 section 9.6: a server that closes while the client's bytes are still unread
     * makes its kernel send a reset, which can destroy the answer in the client's buffer
     * before it is read. The server closes in stages instead: it ends its side, reads and
     * drops what still comes, and closes once the client has.
     */
    @Test
    void anErrorAnsweredWhileTheClientIsStillSendingReachesIt() throws IOException {
        byte[] body = new byte[16 << 20]; // more than the kernel buffers on both sides hold: the client is still writing
        java.util.Arrays.fill(body, (byte) 'x');
        try (Socket s = harness.connect(5_000)) {
            s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().write(body); // far over the 512-byte limit: the 413 comes while this is being sent
            s.getOutputStream().flush();
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r).as("the answer, not a reset").isNotNull();
            assertThat(r.status()).isEqualTo(413);
            assertThat(RawHttp.isClosedByServer(s)).isTrue();
        }
    }
}
