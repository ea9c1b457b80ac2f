// The request-head parser on its own: what it accepts, what it refuses with which status, and that it never throws.
package cowfork.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpParserTest {
    private final HttpParser parser = new HttpParser(new HttpParser.Limits(64, 4, 256, 100));
    private final RequestHead head = new RequestHead();

    /** Parses {@code text} as a new head (the parser goes on from where a head left off, unless it is reset). */
    private int parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        head.reset();
        return parser.parse(b, 0, b.length, head);
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }

    @Test
    void aCompleteGetIsParsedInPlace() {
        String text = "GET /item/42?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nNEXT";
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(parser.parse(b, 0, b.length, head)).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.method()).isEqualTo(RequestHead.GET);
        assertThat(new String(b, head.targetStart, head.pathEnd - head.targetStart, StandardCharsets.US_ASCII))
                .isEqualTo("/item/42");
        assertThat(new String(b, head.pathEnd, head.targetEnd - head.pathEnd, StandardCharsets.US_ASCII)).isEqualTo("?x=1");
        assertThat(head.keepAlive()).isFalse();
        assertThat(head.contentLength()).isEqualTo(-1);
        assertThat(head.headEnd()).isEqualTo(text.indexOf("NEXT"));
    }

    @Test
    void http10ClosesUnlessItAsksToKeepAlive() {
        assertThat(parse("HEAD / HTTP/1.0\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.method()).isEqualTo(RequestHead.HEAD);
        assertThat(head.keepAlive()).isFalse(); // HTTP/1.0 closes by default
        assertThat(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.keepAlive()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\nHost: h\\r\\n|incomplete: no blank line yet",
        "GET / HTTP/1.1|incomplete: no line end yet",
        "GE|incomplete: a method is arriving",
    })
    void anUnfinishedHeadIsIncomplete(String text, String why) {
        assertThat(parse(text.replace("\\r", "\r").replace("\\n", "\n"))).as(why).isEqualTo(HttpParser.INCOMPLETE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "400|GET / HTTP/1.1\\r\\n\\r\\n",
        "505|GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n",
        "400|GET / HTTP/1\\r\\nHost: h\\r\\n\\r\\n",
        "400|GET /\\r\\n",
        "400|GET / HTTP/1.1\\rHost: h\\r",
        "400|GET / HTTP/1.1\\r\\nHost: h\\rX",
        "400|GET nopath HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n",
        "400|G(T / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost : h\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\n folded\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nHost: i\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: -1\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n",
        "400|\\u0016\\u0003 hello",
        "405|DELETE / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n",
        "501|GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n",
        "413|GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 101\\r\\n\\r\\n",
        "414|GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\\r\\n",
        "414|GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "431|GET / HTTP/1.1\\r\\nHost: h\\r\\nA: 1\\r\\nB: 2\\r\\nC: 3\\r\\nD: 4\\r\\n\\r\\n",
    })
    void aMalformedHeadGetsItsStatus(int status, String text) {
        String raw = text.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0016", "\u0016").replace("\\u0003", "\u0003");
        assertThat(parse(raw)).as(text).isEqualTo(status);
        assertThat(new String(parser.errorReason(), StandardCharsets.US_ASCII)).endsWith("\n").hasSizeGreaterThan(10);
    }

    @Test
    void absoluteFormTargetsGiveTheirPathAndLaterMinorVersionsAre11() {
        String text = "GET http://example.org:80/item/42?x=1 HTTP/1.3\r\nHost: example.org\r\n\r\n";
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(parser.parse(b, 0, b.length, head)).isEqualTo(HttpParser.COMPLETE);
        assertThat(new String(b, head.targetStart, head.pathEnd - head.targetStart, StandardCharsets.US_ASCII))
                .isEqualTo("/item/42");
        assertThat(head.versionMinor).isEqualTo(1);
        assertThat(head.keepAlive()).isTrue();
    }

    @Test
    void chunkedIsAFramingNotAnError() {
        assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.chunked()).isTrue();
        assertThat(head.contentLength()).isEqualTo(-1);
    }

    @Test
    void emptyLinesBeforeTheRequestLineAreIgnored() {
        assertThat(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
    }

    @Test
    void theRequestLineLimitCountsTheLineWithoutItsCrLf() {
        // The limit is 64: "GET /" + 50 a's + " HTTP/1.1" is exactly 64 bytes before its CR LF.
        String atLimit = "GET /" + "a".repeat(50) + " HTTP/1.1";
        assertThat(atLimit).hasSize(64);
        assertThat(parse(atLimit + "\r\nHost: h\r\n\r\n")).as("a whole head").isEqualTo(HttpParser.COMPLETE);
        assertThat(parse(atLimit + "\r")).as("arrived up to the CR").isEqualTo(HttpParser.INCOMPLETE);
        String overLimit = "GET /" + "a".repeat(51) + " HTTP/1.1";
        assertThat(parse(overLimit + "\r\nHost: h\r\n\r\n")).isEqualTo(414);
        assertThat(parse(overLimit + "\r")).isEqualTo(414);
    }

    @Test
    void aHeadLargerThanTheLimitIsRefusedBeforeItEnds() {
        String big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(300);
        assertThat(parse(big)).isEqualTo(431); // no blank line yet, but already over 256 bytes
    }

    @Property(tries = 500)
    void anyBytesGiveCompleteIncompleteOrA4xx(@ForAll @Size(max = 300) byte[] bytes) {
        int status = parser.parse(bytes, 0, bytes.length, head);
        assertThat(status == HttpParser.COMPLETE || status == HttpParser.INCOMPLETE || (status >= 400 && status < 500)
                || status == 501 || status == 505).as("status %d", status).isTrue();
    }

    /** Valid heads of many shapes: every proper prefix of one must be INCOMPLETE, never refused early. */
    @Provide
    Arbitrary<String> validHeads() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD");
        Arbitrary<String> target = Arbitraries.of("/", "/item/42", "/query?from=1&count=2", "http://h/item/1", "HTTP://h:8/x?y");
        Arbitrary<String> version = Arbitraries.of("HTTP/1.1", "HTTP/1.0", "HTTP/1.2");
        Arbitrary<String> eol = Arbitraries.of("\r\n");
        Arbitrary<String> field = Arbitraries.of("Accept: */*", "X-Long: " + "v".repeat(40), "Connection: close",
                "Transfer-Encoding: chunked", "Content-Length: 3", "Empty:", "Tab:\tvalue\t");
        return Combinators.combine(method, target, version, eol, field.list().ofMaxSize(2).uniqueElements())
                .as((m, t, v, e, fs) -> {
                    if (fs.contains("Transfer-Encoding: chunked") && (v.equals("HTTP/1.0") || fs.size() > 1)) {
                        fs = List.of("Accept: */*"); // chunked is refused with Content-Length or in HTTP/1.0
                    }
                    StringBuilder sb = new StringBuilder(m + " " + t + " " + v + e + "Host: h" + e);
                    for (String f : fs) {
                        sb.append(f).append(e);
                    }
                    return sb.append(e).toString();
                });
    }

    @Property(tries = 300)
    void everyPrefixOfAValidHeadIsIncomplete(@ForAll("validHeads") String text) {
        HttpParser roomy = new HttpParser(new HttpParser.Limits(256, 20, 1024, 100));
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        head.reset(); // a new head: the last try left this one half-parsed
        assertThat(roomy.parse(b, 0, b.length, head)).as(text).isEqualTo(HttpParser.COMPLETE);
        for (int end = 0; end < b.length; end++) { // the same head, parsed on as the bytes arrive
            assertThat(roomy.parse(b, 0, end, head)).as("prefix of %d bytes of %s", end, text)
                    .isEqualTo(HttpParser.INCOMPLETE);
        }
    }

    // ---- methods, targets and fields RFC 9110 and 9112 have rules for ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "501|CONNECT example.org:443 HTTP/1.1\\r\\nHost: example.org:443\\r\\n\\r\\n|a tunnel, which this origin server does not make",
        "400|CONNECT example.org HTTP/1.1\\r\\nHost: example.org\\r\\n\\r\\n|CONNECT without a port",
        "400|CONNECT example.org: HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|CONNECT with an empty port",
        "400|CONNECT example.org:99999 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|a port over 65535",
        "400|CONNECT / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|CONNECT takes host:port, not a path",
        "501|BREW /pot HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|a method this server does not know",
        "501|get / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|method names are case-sensitive",
        "405|POST / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|a method it knows and does not allow",
        "405|TRACE / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|TRACE is known, and not allowed",
        "501|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|a method longer than any implemented",
        "400|GET * HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|the asterisk form is for OPTIONS only",
        "400|GET example.org:80 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|the authority form is for CONNECT only",
        "421|GET https://example.org/ HTTP/1.1\\r\\nHost: example.org\\r\\n\\r\\n|an https resource asked over plain TCP",
        "400|GET http://:80/ HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|an http URI with an empty host",
        "400|GET http://a%zz/ HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|a broken percent escape in the host",
        "400|GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n|a space in Host",
        "400|GET / HTTP/1.1\\r\\nHost: h/x\\r\\n\\r\\n|a path in Host",
        "400|GET / HTTP/1.1\\r\\nHost: user@h\\r\\n\\r\\n|userinfo in Host",
        "400|GET / HTTP/1.1\\r\\nHost: h:8o\\r\\n\\r\\n|a port that is not digits",
        "400|GET / HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n|an unclosed IP literal",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\n|Content-Length twice, even equal",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3, 3\\r\\n\\r\\n|a Content-Length list",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked;q=1\\r\\n\\r\\n|parameters on chunked",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked x\\r\\n\\r\\n|something after chunked",
        "400|GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|two spaces",
        "400|GET\\t/ HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|a tab for a space",
        "400|GET / HTTP/1.1 \\r\\nHost: h\\r\\n\\r\\n|a space after the version",
        "400|GET / HTTP/1.1\\nHost: h\\r\\n\\r\\n|a bare LF after the request line",
        "400|GET / HTTP/1.1\\r\\nHost: h\\nX: y\\r\\n\\r\\n|a bare LF after a field",
        "400|GET / HTTP/1.1\\r\\nHost: h\\r\\n\\n|a bare LF as the blank line",
        "400|\\nGET / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|a bare LF before the request line",
    })
    void whatTheRfcsRefuseIsRefusedWithTheirStatus(int status, String text, String why) {
        assertThat(parse(unescape(text))).as(why).isEqualTo(status);
        assertThat(new String(parser.errorReason(), StandardCharsets.US_ASCII)).endsWith("\n").hasSizeGreaterThan(10);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "OPTIONS * HTTP/1.1|the server as a whole (RFC 9110 section 9.3.7)",
        "OPTIONS /item/1 HTTP/1.1|one resource",
        "GET http://example.org:8080/item/1 HTTP/1.1|the absolute form with a port",
        "GET http://[::1]:80/ HTTP/1.1|an IPv6 literal",
    })
    void optionsAndEveryTargetFormTheServerTakesAreParsed(String line, String why) {
        assertThat(parse(line + "\r\nHost: h\r\n\r\n")).as(why).isEqualTo(HttpParser.COMPLETE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "example.org:8080", "[::1]:80", "127.0.0.1", "\"\"", "xn--bcher-kva.example", "a%20b", "h:",
    })
    void aHostOfTheUriGrammarIsAccepted(String host) {
        assertThat(parse("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(host).isEqualTo(HttpParser.COMPLETE);
    }

    @Test
    void aCloseInAnyConnectionLineWins() {
        // RFC 9112 section 9.6: a server that receives close MUST close; a later keep-alive cannot take it back.
        assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n"))
                .isEqualTo(HttpParser.COMPLETE);
        assertThat(head.keepAlive()).isFalse();
        assertThat(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"))
                .isEqualTo(HttpParser.COMPLETE);
        assertThat(head.keepAlive()).isFalse();
    }

    @Test
    void whitespaceAroundAValueAndEmptyListElementsAreNotPartOfIt() {
        // RFC 9110 section 5.5: leading and trailing whitespace is excluded; 5.6.1.2: empty list elements are ignored.
        assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: \t5 \t\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.contentLength()).isEqualTo(5);
        assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , chunked ,\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.chunked()).isTrue();
        assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: ,, close ,\r\n\r\n")).isEqualTo(HttpParser.COMPLETE);
        assertThat(head.keepAlive()).isFalse();
    }
}
