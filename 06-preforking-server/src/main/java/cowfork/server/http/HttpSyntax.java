// The lexical rules of HTTP (RFC 9110 section 5.6): tokens, lists, decimals and line ends, over bytes, allocating nothing.
package cowfork.server.http;

/** Static helpers the request parser and the body decoder share. */
final class HttpSyntax {
    private HttpSyntax() {}

    /** The length of {@code buf[start, end)}, not counting one trailing CR. */
    static int lengthWithoutCr(byte[] buf, int start, int end) {
        return end > start && buf[end - 1] == '\r' ? end - start - 1 : end - start;
    }

    static int stripCr(byte[] buf, int start, int lf) {
        return lf > start && buf[lf - 1] == '\r' ? lf - 1 : lf;
    }

    static boolean isToken(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isTchar(buf[i])) {
                return false;
            }
        }
        return end > start;
    }

    /** RFC 9110 tchar: letters, digits and {@code !#$%&'*+-.^_`|~}. */
    static boolean isTchar(byte b) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean startsWithIgnoreCase(byte[] buf, int start, int end, byte[] lowerWord) {
        return end - start >= lowerWord.length && equalsIgnoreCase(buf, start, start + lowerWord.length, lowerWord);
    }

    /** Case-insensitive comparison with a lower-case ASCII word. */
    static boolean equalsIgnoreCase(byte[] buf, int start, int end, byte[] lowerWord) {
        if (end - start != lowerWord.length) {
            return false;
        }
        for (int i = 0; i < lowerWord.length; i++) {
            byte b = buf[start + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerWord[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list in {@code buf[start, end)} has {@code lowerToken} (any case). */
    static boolean containsToken(byte[] buf, int start, int end, byte[] lowerToken) {
        int p = start;
        while (p < end) {
            while (p < end && (buf[p] == ' ' || buf[p] == '\t' || buf[p] == ',')) {
                p++;
            }
            int e = p;
            while (e < end && buf[e] != ',' && buf[e] != ' ' && buf[e] != '\t') {
                e++;
            }
            if (e > p && equalsIgnoreCase(buf, p, e, lowerToken)) {
                return true;
            }
            p = e;
        }
        return false;
    }

    private static final byte[] CHUNKED = Bytes.ascii("chunked");

    /**
     * Notes which transfer codings a Transfer-Encoding value lists (several fields add up).
     * A coding may carry parameters ({@code ;name=value}): only its name matters here.
     */
    static void readCodings(byte[] buf, int start, int end, RequestHead head) {
        int p = start;
        boolean any = false;
        while (p < end) {
            int e = Bytes.indexOf(buf, p, end, (byte) ',');
            e = e < 0 ? end : e;
            int ns = p;
            while (ns < e && (buf[ns] == ' ' || buf[ns] == '\t')) {
                ns++;
            }
            int ne = ns;
            while (ne < e && buf[ne] != ';' && buf[ne] != ' ' && buf[ne] != '\t') {
                ne++;
            }
            if (ne > ns) { // an empty list element is allowed and ignored (RFC 9110 section 5.6.1)
                any = true;
                if (head.chunked) {
                    head.badCoding = true; // something after chunked: the body's end cannot be found
                }
                if (HttpSyntax.equalsIgnoreCase(buf, ns, ne, CHUNKED)) {
                    head.chunked = true;
                } else if (HttpSyntax.isToken(buf, ns, ne)) {
                    head.unknownCoding = true;
                } else {
                    head.badCoding = true;
                }
            }
            p = e + 1;
        }
        if (!any) {
            head.badCoding = true;
        }
    }
}
