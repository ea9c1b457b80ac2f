// A stats answer never exceeds the worker's limit, carries every token once, and says which bodies it left out.
package cowfork.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The master writes one answer per worker per round ({@link Protocol#writeAnswer}); the
 * worker reads it in place into buffers of {@link Protocol#answerLimit} bytes made before it
 * serves. So the answer must fit the limit whatever the bodies, a body that would not fit is
 * announced with a negative length and not sent (its requests get 503), and each token comes
 * back with the format it asked in.
 */
class StatsAnswerProperties {

    @Property
    void anAnswerFitsTheLimitAndCarriesEveryToken(@ForAll @IntRange(min = 1, max = Protocol.MAX_ASKS_IN_FLIGHT) int n,
                                                  @ForAll @IntRange(min = 1, max = 300_000) int jsonLength,
                                                  @ForAll @IntRange(min = 1, max = 300_000) int dashboardLength,
                                                  @ForAll @IntRange(min = 1_000, max = 200_000) int limit) {
        byte[][] bodies = {new byte[jsonLength], null, new byte[dashboardLength]};
        int[] lengths = {jsonLength, 0, dashboardLength};
        int[] tokens = new int[n];
        byte[] formats = new byte[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = 1000 + i;
            formats[i] = i % 2 == 0 ? Protocol.FORMAT_JSON : Protocol.FORMAT_DASHBOARD;
        }
        boolean[] sent = new boolean[3];
        int length = Protocol.answerLength(n, bodies, lengths, limit, sent);
        byte[] o = new byte[length];
        assertThat(Protocol.writeAnswer(o, 0, n, tokens, formats, bodies, lengths, sent)).isEqualTo(length);

        assertThat(length).as("the whole answer").isLessThanOrEqualTo(Math.max(limit, Protocol.ANSWER_HEAD
                + 2 * Protocol.ANSWER_BODY_ENTRY + n * Protocol.ANSWER_TOKEN_ENTRY));
        assertThat(o[0]).isEqualTo(Protocol.STATS);
        assertThat(Protocol.getShort(o, 1)).isEqualTo(n);
        assertThat(o[3]).as("bodies listed: json and dashboard").isEqualTo((byte) 2);
        int p = Protocol.ANSWER_HEAD;
        int carried = 0;
        for (int k = 0; k < 2; k++, p += Protocol.ANSWER_BODY_ENTRY) {
            int len = Protocol.getInt(o, p + 1);
            int expected = o[p] == Protocol.FORMAT_JSON ? jsonLength : dashboardLength;
            assertThat(Math.abs(len)).isEqualTo(expected);
            assertThat(len > 0).as("sent whole, or announced as too large").isEqualTo(sent[Protocol.bodyIndex(o[p])]);
            carried += Math.max(0, len);
        }
        for (int i = 0; i < n; i++, p += Protocol.ANSWER_TOKEN_ENTRY) {
            assertThat(Protocol.getInt(o, p)).isEqualTo(tokens[i]);
            assertThat(o[p + 4]).isEqualTo(formats[i]);
        }
        assertThat(o.length - p).as("the bodies' bytes").isEqualTo(carried);
    }
}
