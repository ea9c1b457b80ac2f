// Response framing on its own: which statuses and methods carry a body, and the headers every answer has.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.app.Endpoints;
import cowfork.server.http.Bytes;
import cowfork.server.http.RequestBody;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseWriterTest {
    private final ResponseWriter writer = new ResponseWriter(Sockets.lib(), 4242);
    private final byte[] body = Bytes.ascii("0123456789");

    private String frame(int status, boolean head, boolean close) {
        Connection c = new Connection(0, 64, 1024, new RequestBody(0, 0));
        c.headOnly = head;
        writer.frame(c, status, Endpoints.TEXT, body, 0, body.length, close);
        return new String(c.out, 0, c.outEnd, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource({
        "200, false, true,  true",
        "404, false, true,  true",
        "500, false, true,  true",
        "200, true,  false, true",
        "404, true,  false, true",
        "400, true,  false, true",
        "204, false, false, false",
        "304, false, false, true",
        "304, true,  false, true",
    })
    void aBodyOnlyWhereTheRfcAllowsOne(int status, boolean head, boolean hasBody, boolean hasLength) {
        String r = frame(status, head, false);
        assertThat(r).startsWith("HTTP/1.1 " + status + " ");
        assertThat(r.endsWith("\r\n\r\n0123456789")).as("body present").isEqualTo(hasBody);
        assertThat(r.endsWith("\r\n\r\n")).as("nothing after the head").isEqualTo(!hasBody);
        assertThat(r.contains("\r\nContent-Length: 10\r\n")).as("Content-Length").isEqualTo(hasLength);
        assertThat(r).contains("X-Worker: 4242\r\n", "Connection: keep-alive\r\n");
    }

    @ParameterizedTest
    @CsvSource({"405", "501", "505", "408"})
    void errorsNameThemselvesAndCanClose(int status) {
        String r = frame(status, false, true);
        assertThat(r).startsWith("HTTP/1.1 " + status + " ").doesNotStartWith("HTTP/1.1 " + status + " Internal");
        assertThat(r).contains("Connection: close\r\n");
        assertThat(r.contains("Allow: GET, HEAD\r\n")).isEqualTo(status == 405);
    }
}
