// The request body reader on its own: chunked framing decoded however the bytes are cut, limits, and malformed framing refused.
package cowfork.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestBodyTest {
    private static final int LIMIT = 1000;

    /** Encodes chunks of the given sizes (with an extension on odd ones) and a trailer, then "NEXT". */
    private static String chunked(List<Integer> sizes, boolean trailer) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.size(); i++) {
            int n = sizes.get(i);
            sb.append(Integer.toHexString(n)).append(i % 2 == 1 ? ";ext=\"v\"" : "").append("\r\n")
                    .append("d".repeat(n)).append("\r\n");
        }
        sb.append("0\r\n");
        if (trailer) {
            sb.append("Checksum: abc\r\n");
        }
        return sb.append("\r\nNEXT").toString();
    }

    @Property(tries = 300)
    void aChunkedBodyEndsExactlyWhereItsEncodingEndsHoweverItIsCut(
            @ForAll @Size(max = 6) List<@IntRange(min = 1, max = 150) Integer> sizes,
            @ForAll @IntRange(min = 1, max = 64) int cut, @ForAll boolean trailer) {
        String text = chunked(sizes, trailer);
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        int end = text.indexOf("NEXT");
        int total = sizes.stream().mapToInt(Integer::intValue).sum();
        RequestBody body = new RequestBody(LIMIT, 1024);
        body.startChunked();
        int p = 0;
        int status = RequestBody.MORE;
        while (status == RequestBody.MORE && p < b.length) {
            int to = Math.min(b.length, p + cut); // the bytes arrive in pieces of `cut`
            status = body.consume(b, p, to);
            assertThat(body.position).isBetween(p, to);
            p = body.position;
        }
        if (total <= LIMIT) {
            assertThat(status).isEqualTo(RequestBody.DONE);
            assertThat(p).as("the next request starts right after the body").isEqualTo(end);
        } else {
            assertThat(status).isEqualTo(413);
        }
    }

    @Property(tries = 300)
    void anyBytesGiveMoreDoneOrAnErrorNeverAnException(@ForAll @Size(max = 200) byte[] bytes) {
        RequestBody body = new RequestBody(LIMIT, 1024);
        body.startChunked();
        int status = body.consume(bytes, 0, bytes.length);
        assertThat(status == RequestBody.MORE || status == RequestBody.DONE || status == 400 || status == 413
                || status == 431).as("status %d", status).isTrue();
    }

    @Test
    void aContentLengthBodyIsSkippedAcrossCalls() {
        byte[] b = "helloworldNEXT".getBytes(StandardCharsets.US_ASCII);
        RequestBody body = new RequestBody(LIMIT, 1024);
        body.startLength(10);
        assertThat(body.consume(b, 0, 4)).isEqualTo(RequestBody.MORE);
        assertThat(body.consume(b, 4, b.length)).isEqualTo(RequestBody.DONE);
        assertThat(body.position).isEqualTo(10);
        body.startLength(-1);
        assertThat(body.done()).as("no Content-Length: no body").isTrue();
    }

    @Test
    void aChunkSizeThatOverflowsIs400EvenWhenItIsAlsoOverTheLimit() {
        byte[] b = "10000000000000000\r\n".getBytes(StandardCharsets.US_ASCII);
        RequestBody body = new RequestBody(LIMIT, 1024);
        body.startChunked();
        assertThat(body.consume(b, 0, b.length)).isEqualTo(400);
        assertThat(new String(body.errorReason(), StandardCharsets.US_ASCII)).contains("hex digits");
    }

    // ---- strict chunk framing: CRLF everywhere, the extension grammar, field lines for trailers (RFC 9112 section 7.1) ----

    /** Decodes {@code text} in one piece; the status of the first decisive byte, or MORE. */
    private static int decode(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        RequestBody body = new RequestBody(LIMIT, 1024);
        body.startChunked();
        return body.consume(b, 0, b.length);
    }

    @Property(tries = 300)
    void aChunkedBodyWithAnyOneCrLfMadeABareLfIsRefused(
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 40) Integer> sizes,
            @ForAll boolean trailer, @ForAll @IntRange(max = 100) int which) {
        String text = chunked(sizes, trailer);
        List<Integer> crlfs = new ArrayList<>();
        for (int i = text.indexOf("\r\n"); i >= 0; i = text.indexOf("\r\n", i + 2)) {
            crlfs.add(i);
        }
        int at = crlfs.get(which % crlfs.size());
        String broken = text.substring(0, at) + text.substring(at + 1);
        assertThat(decode(broken)).as(broken).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "3;name\\r\\n", "3;name=value\\r\\n", "3;a;b=c;d\\r\\n", "3;q=\"quoted ; \\\\\" value\"\\r\\n",
        "3 ;a\\r\\n", "3\\t; a = b\\r\\n", "3;a=\"\"\\r\\n", "3;a=b ;c\\r\\n", "3;a=\"x\" ;c\\r\\n",
    })
    void chunkExtensionsOfTheRfcsGrammarAreIgnored(String sizeLine) {
        assertThat(decode(unescape(sizeLine) + "abc\r\n0\r\n\r\n")).as(sizeLine).isEqualTo(RequestBody.DONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2 erfrferferf\\r\\n", "2;\\r\\n", "a \\r\\n", "3;a b\\r\\n", "3;=x\\r\\n", "3;a=\\r\\n", "3;a=b \\r\\n",
        "3;a=\"x\"y\\r\\n", "3;a=b=c\\r\\n", "3;a\\u0001\\r\\n", "3;a=\"\\u0001\"\\r\\n", "3,a\\r\\n", "3\\u00a0;a\\r\\n",
    })
    void anythingElseAfterTheChunkSizeIsRefused(String sizeLine) {
        assertThat(decode(unescape(sizeLine) + "abc\r\n0\r\n\r\n")).as(sizeLine).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length", "transfer-encoding", "Host", "Trailer", "Content-Type", "Authorization",
        "Cookie", "If-None-Match", "Range", "Connection", "Expect", "Cache-Control"})
    void fieldsThatMustNotBeTrailersAreRefused(String name) {
        assertThat(decode("3\r\nabc\r\n0\r\n" + name + ": 5\r\n\r\n")).as(name).isEqualTo(400);
        assertThat(decode("3\r\nabc\r\n0\r\nX-" + name + ": 5\r\n\r\n")).as("X-" + name).isEqualTo(RequestBody.DONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NoColon\\r\\n", "Name : v\\r\\n", ": v\\r\\n", "N: a\\u0000b\\r\\n", " Folded: v\\r\\n"})
    void aTrailerLineMustBeAFieldLine(String line) {
        assertThat(decode("0\r\n" + unescape(line) + "\r\n")).as(line).isEqualTo(400);
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\u0001", "\u0001")
                .replace("\\u0000", "\u0000").replace("\\u00a0", "\u00a0").replace("\\\\", "\\");
    }
}
