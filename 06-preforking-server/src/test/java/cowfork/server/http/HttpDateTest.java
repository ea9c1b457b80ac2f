// The Date header's value: an IMF-fixdate for every second from year 0 to 9999, formatted at most once a second.
package cowfork.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HttpDateTest {
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years an IMF-fixdate's four digits can hold. */
    private static final long FIRST = -62_167_219_200L;
    private static final long LAST = 253_402_300_799L;

    @Property(tries = 2000)
    void everySecondIsA29ByteImfFixdateThatParsesBackToItself(@ForAll @LongRange(min = FIRST, max = LAST) long second) {
        byte[] out = new byte[HttpDate.LENGTH];
        HttpDate.format(second, out, 0);
        String text = new String(out, StandardCharsets.US_ASCII);
        assertThat(text).hasSize(29).endsWith(" GMT");
        assertThat(text).matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                + " \\d{4} \\d\\d:\\d\\d:\\d\\d GMT");
        // java.time's RFC 1123 parser checks the day of the week against the date, too.
        assertThat(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .isEqualTo(Instant.ofEpochSecond(second));
    }

    @Test
    void theRfcsOwnExample() {
        byte[] out = new byte[HttpDate.LENGTH];
        HttpDate.format(784_111_777L, out, 0); // RFC 9110 section 5.6.7
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Property(tries = 200)
    void theTextIsFormattedAtMostOnceASecondHoweverOftenItIsRead(
            @ForAll @LongRange(min = 0, max = LAST) long second, @ForAll @LongRange(min = 1, max = 5000) long reads) {
        HttpDate date = new HttpDate();
        byte[] first = date.now(second * 1000);
        long formats = date.formats;
        String text = new String(first, StandardCharsets.US_ASCII);
        for (long i = 0; i < reads; i++) {
            assertThat(date.now(second * 1000 + i % 1000)).isSameAs(first); // one array, shared by every answer
        }
        assertThat(date.formats).as("formats within one second").isEqualTo(formats);
        assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo(text);
        date.now(second * 1000 + 1000);
        assertThat(date.formats).as("the next second is formatted once").isEqualTo(formats + 1);
    }
}
