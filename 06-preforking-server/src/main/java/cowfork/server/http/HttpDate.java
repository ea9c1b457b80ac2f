// The Date header's value, an IMF-fixdate, formatted into bytes at most once a second and shared by every answer.
package cowfork.server.http;

/**
 * The current time as RFC 9110 section 5.6.7 wants it in a {@code Date} field, always
 * 29 bytes, always GMT:
 * <pre>
 *   Sun, 06 Nov 1994 08:49:37 GMT
 * </pre>
 * A worker answers thousands of requests a second and must allocate nothing while it does
 * (a forked JVM cannot collect garbage), so the text lives in one array, rewritten in place
 * when the second changes: at most once a second, however many answers read it.
 */
public final class HttpDate {
    /** The length of an IMF-fixdate. */
    public static final int LENGTH = 29;

    private final byte[] text = new byte[LENGTH];
    private long second = Long.MIN_VALUE;
    /** How many times the text was formatted (for tests). */
    long formats;

    public HttpDate() {
        now(System.currentTimeMillis()); // formatted once here, so the code has run before any fork
    }

    /** The date for {@code epochMillis}: the shared array, valid until the next call. */
    public byte[] now(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            format(s, text, 0);
            second = s;
            formats++;
        }
        return text;
    }

    /** Writes the IMF-fixdate of {@code epochSecond} (years 0 to 9999) into {@code out} at {@code at}. */
    static void format(long epochSecond, byte[] out, int at) {
        long days = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = Math.floorMod(epochSecond, 86_400);
        // The civil date from the day number (Howard Hinnant's days-to-civil algorithm).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int dayOfEra = (int) (z - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int mp = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        int weekday = Math.floorMod(days + 4, 7); // 1970-01-01 was a Thursday; 0 is Sunday
        System.arraycopy(DAYS, 3 * weekday, out, at, 3);
        out[at + 3] = ',';
        out[at + 4] = ' ';
        two(out, at + 5, day);
        out[at + 7] = ' ';
        System.arraycopy(MONTHS, 3 * (month - 1), out, at + 8, 3);
        out[at + 11] = ' ';
        two(out, at + 12, (int) (year / 100));
        two(out, at + 14, (int) (year % 100));
        out[at + 16] = ' ';
        two(out, at + 17, secondOfDay / 3600);
        out[at + 19] = ':';
        two(out, at + 20, secondOfDay / 60 % 60);
        out[at + 22] = ':';
        two(out, at + 23, secondOfDay % 60);
        System.arraycopy(GMT, 0, out, at + 25, 4);
    }

    private static void two(byte[] out, int at, int n) {
        out[at] = (byte) ('0' + n / 10);
        out[at + 1] = (byte) ('0' + n % 10);
    }

    private static final byte[] DAYS = Bytes.ascii("SunMonTueWedThuFriSat");
    private static final byte[] MONTHS = Bytes.ascii("JanFebMarAprMayJunJulAugSepOctNovDec");
    private static final byte[] GMT = Bytes.ascii(" GMT");
}
