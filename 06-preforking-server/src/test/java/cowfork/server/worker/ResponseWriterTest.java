// Response framing on its own: which statuses and methods carry a body, and the headers every answer has.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.server.app.Endpoints;
import cowfork.server.http.Bytes;
import cowfork.server.http.RequestBody;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThat(r.contains("Allow: GET, HEAD, OPTIONS\r\n")).isEqualTo(status == 405);
    }

    /** RFC 9110 section 6.6.1: an origin server with a clock MUST send Date in 2xx, 3xx and 4xx answers (MAY in 5xx). */
    @ParameterizedTest
    @ValueSource(ints = {200, 304, 400, 404, 405, 408, 413, 414, 431, 500, 501, 503, 505})
    void everyAnswerCarriesTheDateAsAnImfFixdate(int status) {
        long before = System.currentTimeMillis() / 1000;
        String r = frame(status, false, false);
        long after = System.currentTimeMillis() / 1000;
        Matcher date = Pattern.compile("\r\nDate: ([^\r]*)\r\n").matcher(r);
        assertThat(date.find()).as(r).isTrue();
        assertThat(date.group(1)).hasSize(29).endsWith(" GMT");
        long second = ZonedDateTime.parse(date.group(1), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        assertThat(second).as("the time the answer was framed").isBetween(before, after);
    }

    /** A status with no reason phrase here would go out as "500 Internal Server Error" under its own number. */
    @ParameterizedTest
    @ValueSource(ints = {0, 99, 102, 299, 418, 600})
    void aStatusWithoutAReasonPhraseIsRefusedLoudlyNotSentAs500(int status) {
        assertThatThrownBy(() -> frame(status, false, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(status));
    }

    /** RFC 9110 section 15.4.5: a 304 carries no representation metadata, and a Content-Length only if it is known. */
    @org.junit.jupiter.api.Test
    void aNotModifiedCarriesNoContentTypeAndNoGuessedLength() {
        assertThat(frame(304, false, false)).doesNotContain("Content-Type").contains("\r\nContent-Length: 10\r\n");
        Connection c = new Connection(0, 64, 1024, new RequestBody(0, 0));
        writer.frame(c, 304, Endpoints.TEXT, body, 0, -1, false); // the 200's length is not known (a /stats answer)
        assertThat(new String(c.out, 0, c.outEnd, StandardCharsets.US_ASCII)).doesNotContain("Content-Length");
    }

    /**
     * Every answer describes a live process (the worker that answered, its counts, its
     * memory): none may be stored by a cache and served again (RFC 9111 section 5.2.2.5;
     * without it a cache may reuse an answer heuristically, section 4.2.2).
     */
    @ParameterizedTest
    @ValueSource(ints = {200, 304, 404, 405, 500})
    void noAnswerIsStoredByACache(int status) {
        assertThat(frame(status, false, false)).contains("\r\nCache-Control: no-store\r\n");
    }
}
