// The request-head parser over all inputs of a kind: a bare LF anywhere is refused, and a head cut anywhere parses as if whole, in linear work.
package cowfork.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class HttpParserProperties {
    private static final HttpParser.Limits LIMITS = new HttpParser.Limits(256, 20, 1024, 100);

    /** Valid heads of many shapes, every line ended by CRLF. */
    @Provide
    Arbitrary<String> validHeads() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD");
        Arbitrary<String> target = Arbitraries.of("/", "/item/42", "/query?from=1&count=2", "http://h/item/1", "http://h:8/x?y");
        Arbitrary<String> version = Arbitraries.of("HTTP/1.1", "HTTP/1.0", "HTTP/1.2");
        Arbitrary<String> field = Arbitraries.of("Accept: */*", "X-Long: " + "v".repeat(40), "Connection: close",
                "Content-Length: 3", "Empty:", "Tab:\tvalue\t", "Obs-Text: caf\u00e9", "Expect: 100-continue");
        Arbitrary<Integer> leadingEmptyLines = Arbitraries.integers().between(0, 2);
        return Combinators.combine(leadingEmptyLines, method, target, version, field.list().ofMaxSize(3).uniqueElements())
                .as((empty, m, t, v, fs) -> {
                    StringBuilder sb = new StringBuilder("\r\n".repeat(empty) + m + " " + t + " " + v + "\r\nHost: h\r\n");
                    for (String f : fs) {
                        sb.append(f).append("\r\n");
                    }
                    return sb.append("\r\n").toString();
                });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Property(tries = 300)
    void aValidHeadWithAnyOneCrLfMadeABareLfIsRefused(@ForAll("validHeads") String text, @ForAll @IntRange(max = 100) int which) {
        List<Integer> crlfs = new ArrayList<>();
        for (int i = text.indexOf("\r\n"); i >= 0; i = text.indexOf("\r\n", i + 2)) {
            crlfs.add(i);
        }
        int at = crlfs.get(which % crlfs.size());
        String broken = text.substring(0, at) + text.substring(at + 1); // the CR removed: LF alone
        byte[] b = bytes(broken);
        HttpParser parser = new HttpParser(LIMITS);
        int status = parser.parse(b, 0, b.length, new RequestHead());
        assertThat(status).as(broken).isEqualTo(400);
        assertThat(new String(parser.errorReason(), StandardCharsets.US_ASCII)).contains("bare LF");
    }

    /** Cuts {@code b} into pieces of the given sizes (cycling): where the packets of a slow client end. */
    private static List<Integer> cuts(int length, List<Integer> sizes) {
        List<Integer> ends = new ArrayList<>();
        int p = 0;
        for (int i = 0; p < length; i++) {
            p = Math.min(length, p + sizes.get(i % sizes.size()));
            ends.add(p);
        }
        return ends;
    }

    /**
     * Any bytes, cut anywhere: the parser says INCOMPLETE until the first piece that decides,
     * and then exactly what it says of the whole buffer at once, for the same reason.
     */
    @Property(tries = 1000)
    void aHeadCutAnywhereParsesAsIfItArrivedWhole(@ForAll("headsAndNoise") byte[] b,
                                                  @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 40) Integer> sizes) {
        HttpParser whole = new HttpParser(LIMITS);
        RequestHead wholeHead = new RequestHead();
        int expected = whole.parse(b, 0, b.length, wholeHead);
        HttpParser pieces = new HttpParser(LIMITS);
        RequestHead head = new RequestHead();
        int status = HttpParser.INCOMPLETE;
        for (int end : cuts(b.length, sizes)) {
            status = pieces.parse(b, 0, end, head);
            if (status != HttpParser.INCOMPLETE) {
                break;
            }
        }
        assertThat(status).isEqualTo(expected);
        if (status == HttpParser.COMPLETE) {
            assertThat(head.headEnd()).isEqualTo(wholeHead.headEnd());
            assertThat(head.targetStart).isEqualTo(wholeHead.targetStart);
            assertThat(head.pathEnd).isEqualTo(wholeHead.pathEnd);
            assertThat(head.contentLength()).isEqualTo(wholeHead.contentLength());
            assertThat(head.keepAlive()).isEqualTo(wholeHead.keepAlive());
        } else if (status != HttpParser.INCOMPLETE) {
            assertThat(pieces.errorReason()).isSameAs(whole.errorReason());
        }
    }

    /** Valid heads, valid heads with one byte changed, and random bytes. */
    @Provide
    Arbitrary<byte[]> headsAndNoise() {
        Arbitrary<byte[]> valid = validHeads().map(HttpParserProperties::bytes);
        Arbitrary<byte[]> mutated = Combinators.combine(valid, Arbitraries.integers().between(0, 1000),
                Arbitraries.bytes()).as((b, at, x) -> {
                    byte[] c = b.clone();
                    c[at % c.length] = x;
                    return c;
                });
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.oneOf(valid, mutated, noise);
    }

    /**
     * A head trickled in one byte per read costs the parser linear work: each byte is
     * stepped through once, and each complete line read once more to interpret it. Parsing
     * from the first byte on every read (what the parser used to do) costs n^2 / 2.
     */
    @Property(tries = 100)
    void aTrickledHeadIsExaminedALinearNumberOfTimes(@ForAll("validHeads") String text,
                                                     @ForAll @IntRange(min = 0, max = 600) int padding) {
        String padded = text.replace("Host: h\r\n", "Host: h\r\nX-Pad: " + "p".repeat(padding) + "\r\n");
        byte[] b = bytes(padded);
        HttpParser parser = new HttpParser(new HttpParser.Limits(256, 20, 4096, 100));
        RequestHead head = new RequestHead();
        int status = HttpParser.INCOMPLETE;
        for (int end = 1; end <= b.length && status == HttpParser.INCOMPLETE; end++) {
            status = parser.parse(b, 0, end, head);
        }
        assertThat(status).isEqualTo(HttpParser.COMPLETE);
        assertThat(parser.bytesExamined()).as("bytes examined for a head of %d bytes", b.length)
                .isLessThanOrEqualTo(2L * b.length);
    }
}
