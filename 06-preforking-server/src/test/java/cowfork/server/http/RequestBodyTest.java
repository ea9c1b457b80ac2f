// The request body reader on its own: chunked framing decoded however the bytes are cut, limits, and malformed framing refused.
package cowfork.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

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
}
