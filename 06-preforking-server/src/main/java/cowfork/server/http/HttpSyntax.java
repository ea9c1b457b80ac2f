// The lexical rules of HTTP (RFC 9110 section 5.6, RFC 3986's authority): tokens, lists, hosts and ports, over bytes, allocating nothing.
package cowfork.server.http;

/** Static helpers the request parser and the body decoder share. */
final class HttpSyntax {
    private HttpSyntax() {}

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

    /** The last index of {@code b} in {@code buf[start, end)}, or -1. */
    static int lastIndexOf(byte[] buf, int start, int end, byte b) {
        for (int i = end - 1; i >= start; i--) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether {@code buf[start, end)} is an authority without userinfo, {@code host [":" port]}
     * (RFC 3986 section 3.2): the value of Host, the authority of an absolute target, the
     * target of CONNECT. The host is an IP literal in brackets, or a reg-name of letters,
     * digits, {@code -._~!$&'()*+,;=} and percent escapes (which covers IPv4 addresses); the
     * port is digits. {@code emptyHost} says whether the host may be empty (a Host field may be).
     */
    static boolean isAuthority(byte[] buf, int start, int end, boolean emptyHost) {
        int hostEnd;
        if (start < end && buf[start] == '[') {
            int close = Bytes.indexOf(buf, start, end, (byte) ']');
            if (close < start + 2) {
                return false;
            }
            for (int i = start + 1; i < close; i++) {
                byte b = buf[i];
                if (!(isUnreserved(b) || isSubDelim(b) || b == ':')) { // IPv6 and IPvFuture
                    return false;
                }
            }
            hostEnd = close + 1;
        } else {
            int colon = Bytes.indexOf(buf, start, end, (byte) ':');
            hostEnd = colon < 0 ? end : colon;
            for (int i = start; i < hostEnd; i++) {
                byte b = buf[i];
                if (b == '%') {
                    if (i + 2 >= hostEnd || hexValue(buf[i + 1]) < 0 || hexValue(buf[i + 2]) < 0) {
                        return false;
                    }
                    i += 2;
                } else if (!isUnreserved(b) && !isSubDelim(b)) {
                    return false;
                }
            }
            if (hostEnd == start && !emptyHost) {
                return false;
            }
        }
        if (hostEnd == end) {
            return true;
        }
        if (buf[hostEnd] != ':') {
            return false;
        }
        for (int i = hostEnd + 1; i < end; i++) {
            if (!isDigit(buf[i])) {
                return false;
            }
        }
        return true;
    }

    /** A TCP port, 1 to 65535, of decimal digits in {@code buf[start, end)}; -1 if empty, not digits or out of range. */
    static int port(byte[] buf, int start, int end) {
        if (end <= start || end - start > 5) {
            return -1;
        }
        long n = Bytes.parseDecimal(buf, start, end);
        return n >= 1 && n <= 65_535 ? (int) n : -1;
    }

    private static boolean isUnreserved(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '.'
                || b == '_' || b == '~';
    }

    private static boolean isSubDelim(byte b) {
        return switch (b) {
            case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=' -> true;
            default -> false;
        };
    }

    /** The value of a hex digit, or -1. */
    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
    }

    private static final byte[] CHUNKED = Bytes.ascii("chunked");

    /**
     * Notes which transfer codings a Transfer-Encoding value lists (several fields add up):
     * {@code 1#( token *( OWS ";" OWS parameter ) )}. chunked takes no parameters (RFC 9112
     * section 7.1: their presence is an error); another coding's parameters are its own
     * business, and the coding is refused 501 anyway.
     */
    static void readCodings(byte[] buf, int start, int end, RequestHead head) {
        int p = start;
        boolean any = false;
        while (p <= end) {
            int e = Bytes.indexOf(buf, p, end, (byte) ',');
            e = e < 0 ? end : e;
            int ns = p;
            while (ns < e && (buf[ns] == ' ' || buf[ns] == '\t')) {
                ns++;
            }
            int ne = ns;
            while (ne < e && isTchar(buf[ne])) {
                ne++;
            }
            int rest = ne;
            while (rest < e && (buf[rest] == ' ' || buf[rest] == '\t')) {
                rest++;
            }
            if (ne > ns) {
                any = true;
                if (head.chunked) {
                    head.badCoding = true; // something after chunked: the body's end cannot be found
                }
                if (equalsIgnoreCase(buf, ns, ne, CHUNKED)) {
                    head.chunked = true;
                    head.badCoding |= rest < e; // parameters on chunked, or anything else after it
                } else {
                    head.unknownCoding = true;
                    head.badCoding |= rest < e && buf[rest] != ';';
                }
            } else if (rest < e) {
                head.badCoding = true; // an element that does not start with a token
            } // else an empty list element: allowed and ignored (RFC 9110 section 5.6.1)
            p = e + 1;
        }
        if (!any) {
            head.badCoding = true;
        }
    }
}
