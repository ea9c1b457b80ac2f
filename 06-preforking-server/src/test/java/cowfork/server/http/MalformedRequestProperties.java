// Generated bad requests against a running server: every one gets its 4xx (or 501/505) or a closed connection, and the server stays healthy.
package cowfork.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

class MalformedRequestProperties {
    private static final int LINE_LIMIT = 256;
    private static final int HEAD_LIMIT = 1024;
    private static final int FIELDS_LIMIT = 20;
    private static final int BODY_LIMIT = 512;
    private static ServerProcess server;

    @BeforeContainer
    static void start() {
        server = ServerProcess.start("--workers", "2", "--client-timeout", "0.5",
                "--limit-request-line", String.valueOf(LINE_LIMIT), "--limit-request-head", String.valueOf(HEAD_LIMIT),
                "--limit-request-fields", String.valueOf(FIELDS_LIMIT), "--limit-request-body", String.valueOf(BODY_LIMIT));
    }

    @AfterContainer
    static void stop() {
        try {
            assertThat(server.output()).as("no worker died while being fed bad requests").doesNotContain(" died ");
        } finally {
            server.close();
        }
    }

    /** A request broken in one known way, with a readable name for jqwik's reports. */
    record Malformed(String what, String bytes, java.util.List<Integer> statuses) {
        Malformed(String what, String bytes) {
            this(what, bytes, java.util.stream.IntStream.range(400, 500).boxed().toList());
        }

        @Override
        public String toString() {
            return what + ": " + bytes.replace("\r", "\\r").replace("\n", "\\n");
        }
    }

    @Property(tries = 100)
    void aMalformedRequestGetsA4xxOrAClosedConnection(@ForAll("malformed") Malformed request) throws IOException {
        try (Socket s = server.socket()) {
            RawHttp.send(s, request.bytes());
            RawHttp.Response r = RawHttp.read(s);
            if (r != null) {
                assertThat(r.status()).as(request.toString()).isIn(request.statuses());
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(r.body()).as("a reason for the client").isNotBlank();
                assertThat(RawHttp.isClosedByServer(s)).isTrue();
            }
        }
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Property(tries = 30)
    void theRequestLineLimitIsExactlyWhereItSays(@ForAll @IntRange(min = 200, max = 300) int targetLength)
            throws IOException {
        String target = "/" + "a".repeat(targetLength - 1);
        String line = "GET " + target + " HTTP/1.1";
        try (Socket s = server.socket()) {
            RawHttp.send(s, line + "\r\nHost: t\r\n\r\n");
            assertThat(RawHttp.read(s).status()).isEqualTo(line.length() <= LINE_LIMIT ? 404 : 414);
        }
    }

    @Property(tries = 30)
    void theBodyLimitIsExactlyWhereItSays(@ForAll @IntRange(min = 0, max = 2 * BODY_LIMIT) int bodyLength)
            throws IOException {
        try (Socket s = server.socket()) {
            RawHttp.send(s, "GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: " + bodyLength + "\r\n\r\n" + "b".repeat(bodyLength));
            assertThat(RawHttp.read(s).status()).isEqualTo(bodyLength <= BODY_LIMIT ? 200 : 413);
        }
    }

    @Property(tries = 5)
    void aClientThatStopsMidRequestGets408(@ForAll @IntRange(min = 1, max = 30) int sentBytes) throws IOException {
        String request = "GET /item/12 HTTP/1.1\r\nHost: t\r\n\r\n";
        try (Socket s = server.socket()) {
            long t0 = System.nanoTime();
            RawHttp.send(s, request.substring(0, Math.min(sentBytes, request.length() - 1)));
            RawHttp.Response r = RawHttp.read(s);
            assertThat(r.status()).isEqualTo(408);
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(400_000_000L); // --client-timeout 0.5
            assertThat(RawHttp.isClosedByServer(s)).isTrue();
        }
    }

    @Property(tries = 5)
    void aSlowButTimelySenderIsServed(@ForAll @IntRange(min = 2, max = 6) int parts) throws Exception {
        byte[] request = "GET /item/12 HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = server.socket()) {
            int step = (request.length + parts - 1) / parts;
            for (int off = 0; off < request.length; off += step) {
                s.getOutputStream().write(request, off, Math.min(step, request.length - off));
                s.getOutputStream().flush();
                awaitReadByServer(s); // so that each part reaches the worker in a read of its own
            }
            assertThat(RawHttp.read(s).body()).contains("\"item-12\"");
        }
    }

    /**
     * Waits until the worker has read every byte sent on {@code s}. On loopback a write()
     * returns with its bytes already in the receiving socket's queue, and the kernel lists
     * that queue in /proc/net/tcp (tcp6 for a Java socket on a v4-mapped address): the
     * server's end has nothing unread once the worker has read it. If that end is gone (the
     * worker closed the connection), the response says why.
     */
    private static void awaitReadByServer(Socket s) throws IOException {
        int client = s.getLocalPort();
        int port = s.getPort();
        long deadline = System.nanoTime() + 10_000_000_000L;
        long unread;
        while ((unread = unreadByServer(port, client)) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the worker left " + unread + " bytes unread for 10 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling the kernel's queue, bounded by the deadline
        }
    }

    /**
     * The rx_queue of the established socket from port {@code local} to port {@code remote}, or
     * -1 if there is none. A line reads "sl: LOCAL_ADDRESS:PORT REMOTE_ADDRESS:PORT st
     * tx_queue:rx_queue ...", ports in hex, 01 for ESTABLISHED; the files can hold thousands of
     * lines on a busy machine, so each is matched with plain string searches.
     */
    private static long unreadByServer(int local, int remote) throws IOException {
        String ours = String.format(":%04X ", local);
        String theirs = String.format("%04X 01 ", remote);
        for (String file : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file))) {
                String line;
                while ((line = r.readLine()) != null) {
                    int l = line.indexOf(ours);
                    int colon = l < 0 ? -1 : line.indexOf(':', l + ours.length());
                    if (colon > 0 && line.startsWith(theirs, colon + 1)) {
                        int queues = colon + 1 + theirs.length();
                        int sep = line.indexOf(':', queues);
                        return Long.parseLong(line.substring(sep + 1, line.indexOf(' ', sep)), 16);
                    }
                }
            }
        }
        return -1;
    }

    @Provide
    Arbitrary<Malformed> malformed() {
        Arbitrary<String> nonTchar = Arbitraries.of("(", ")", ",", "/", ":", ";", "<", "=", ">", "?", "@", "[", "]",
                "{", "}", "\"", "\u0001", "\u007f");
        Arbitrary<String> ctl = Arbitraries.chars().range('\u0000', '\u001f').filter(c -> c != '\t' && c != '\n'
                && c != '\r').map(String::valueOf);
        Arbitrary<String> word = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8);
        return Arbitraries.oneOf(
                Combinators.combine(word, nonTchar).as((w, bad) -> new Malformed("bad method",
                        w + bad + " /health HTTP/1.1\r\nHost: t\r\n\r\n")),
                Arbitraries.of("item/1", "ftp://x/item/1", "*", "?a=b", "http://", "http://u@x/").map(t -> new Malformed("target not a path",
                        "GET " + t + " HTTP/1.1\r\nHost: t\r\n\r\n")),
                Combinators.combine(word, ctl).as((w, c) -> new Malformed("control byte in target",
                        "GET /" + w + c + " HTTP/1.1\r\nHost: t\r\n\r\n")),
                Arbitraries.of("HTTX/1.1", "http/1.1", "HTTP/1.1 ", "", "HTTP/1", "HTTP/1.10").map(v ->
                        new Malformed("bad version", "GET /health " + v + "\r\nHost: t\r\n\r\n")),
                Arbitraries.of("HTTP/2.0", "HTTP/0.9", "HTTP/3.0").map(v -> new Malformed("unsupported version",
                        "GET /health " + v + "\r\nHost: t\r\n\r\n", java.util.List.of(505))),
                Arbitraries.just(new Malformed("no Host", "GET /health HTTP/1.1\r\nAccept: */*\r\n\r\n")),
                Combinators.combine(word, Arbitraries.of(" ", "\t", "(", "@")).as((w, sp) -> new Malformed("bad field name",
                        "GET /health HTTP/1.1\r\nHost: t\r\n" + w + sp + ": v\r\n\r\n")),
                word.map(w -> new Malformed("folded field", "GET /health HTTP/1.1\r\nHost: t\r\nX: a\r\n " + w + "\r\n\r\n")),
                Combinators.combine(word, ctl).as((w, c) -> new Malformed("control byte in value",
                        "GET /health HTTP/1.1\r\nHost: t\r\nX: " + w + c + "\r\n\r\n")),
                Arbitraries.integers().between(LINE_LIMIT, 4 * LINE_LIMIT).map(n -> new Malformed("long request line",
                        "GET /" + "x".repeat(n) + " HTTP/1.1\r\nHost: t\r\n\r\n")),
                Arbitraries.integers().between(FIELDS_LIMIT + 1, 3 * FIELDS_LIMIT).map(n -> new Malformed("many fields",
                        "GET /health HTTP/1.1\r\nHost: t\r\n" + "X-F: v\r\n".repeat(n) + "\r\n")),
                Arbitraries.integers().between(HEAD_LIMIT, 3 * HEAD_LIMIT).map(n -> new Malformed("large head",
                        "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + "v".repeat(n) + "\r\n\r\n")),
                Arbitraries.of("-1", "x", "1.5", "0x10", "99999999999999999999", "1, 2").map(v -> new Malformed(
                        "bad Content-Length", "GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: " + v + "\r\n\r\n")),
                Arbitraries.integers().between(BODY_LIMIT + 1, 100 * BODY_LIMIT).map(n -> new Malformed("large body",
                        "GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: " + n + "\r\n\r\n")),
                Arbitraries.of("chunked, gzip", "chunked, chunked", ",").map(te -> new Malformed("bad Transfer-Encoding",
                        "GET /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " + te + "\r\n\r\n")),
                Arbitraries.of("gzip, chunked", "deflate", "x-custom").map(te -> new Malformed("unknown transfer coding",
                        "GET /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " + te + "\r\n\r\n", java.util.List.of(501))),
                Arbitraries.of("zz\r\n", "5\r\nhelloX", "1000\r\n", "3\rabc").map(b -> new Malformed("bad chunked body",
                        "GET /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + b)),
                Arbitraries.of("POST", "PUT", "DELETE", "PATCH", "TRACE").map(m -> new Malformed("method not allowed",
                        m + " /health HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", java.util.List.of(405))),
                Arbitraries.of("get", "BREW", "CONNECT").map(m -> new Malformed("method not implemented",
                        m + (m.equals("CONNECT") ? " example.org:80" : " /") + " HTTP/1.1\r\nHost: t\r\n\r\n",
                        java.util.List.of(501))),
                word.flatMap(w -> Arbitraries.of("GET /health HTTP/1.1\nHost: t\r\nX: " + w + "\r\n\r\n",
                        "GET /health HTTP/1.1\r\nHost: t\nX: " + w + "\r\n\r\n",
                        "GET /health HTTP/1.1\r\nHost: t\r\nX: " + w + "\n\r\n",
                        "GET /health HTTP/1.1\r\nHost: t\r\nX: " + w + "\r\n\n")).map(r -> new Malformed("bare LF", r,
                        java.util.List.of(400))),
                Arbitraries.of("3\nabc\r\n0\r\n\r\n", "3\r\nabc\n0\r\n\r\n", "3;x\nabc\r\n0\r\n\r\n",
                        "0\r\nT: v\n\r\n", "2 x\r\nab\r\n0\r\n\r\n", "0\r\nHost: x\r\n\r\n").map(b -> new Malformed(
                        "strict chunk framing", "GET /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + b,
                        java.util.List.of(400))),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMinLength(1).ofMaxLength(64)
                        .filter(g -> !g.isEmpty() && "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"
                                .indexOf(g.charAt(0)) < 0)
                        .map(g -> new Malformed("garbage", g + "\r\n\r\n")));
    }
}
