// A strict HTTP/1.x request-head parser over bytes: every malformed input gets a 4xx status, none an exception.
package cowfork.server;

/**
 * Parses a request head (request line and header fields, RFC 9112) from a byte range
 * into a {@link RequestHead}, allocating nothing. The result is a status:
 * {@link #COMPLETE}, {@link #INCOMPLETE} (wait for more bytes), or the HTTP status code of
 * the error the client made, with {@link #errorReason} saying why.
 *
 * <p>What is accepted: {@code token SP origin-form SP HTTP/1.0|HTTP/1.1}, lines ended by
 * CRLF or a bare LF (RFC 9112 section 2.2 allows a recipient to accept LF), header fields
 * {@code token ":" OWS value OWS}. Everything else is refused, and refused early: a
 * limit is enforced while bytes are still arriving, so a client cannot make the worker
 * buffer more than {@link Limits#maxHeadBytes()}.
 */
public final class HttpParser {
    public static final int COMPLETE = 0;
    public static final int INCOMPLETE = -1;

    /** Why the last parse failed; a constant, so reporting it allocates nothing. */
    private byte[] errorReason = NONE;
    private final Limits limits;

    /** The limits a request head must respect. */
    public record Limits(int maxRequestLine, int maxHeaderFields, int maxHeadBytes, long maxBodyBytes) {
        public Limits {
            if (maxRequestLine < 16 || maxHeadBytes < maxRequestLine || maxHeaderFields < 1 || maxBodyBytes < 0) {
                throw new IllegalArgumentException("request limits must satisfy 16 <= request line <= head bytes,"
                        + " header fields >= 1 and body >= 0; got " + this);
            }
        }
    }

    public HttpParser(Limits limits) {
        this.limits = limits;
    }

    /** The reason (ASCII text ending in a newline) of the last error status returned by {@link #parse}. */
    public byte[] errorReason() {
        return errorReason;
    }

    /** The length of {@code buf[start, end)}, not counting one trailing CR. */
    private static int lengthWithoutCr(byte[] buf, int start, int end) {
        return end > start && buf[end - 1] == '\r' ? end - start - 1 : end - start;
    }

    /**
     * Parses the head in {@code buf[start, end)}.
     *
     * @return {@link #COMPLETE} with {@code head} filled in; {@link #INCOMPLETE} if the head
     *         has not fully arrived and no limit is exceeded yet; or an HTTP error status:
     *         400 malformed, 405 method not served, 411 chunked body, 413 body too large,
     *         414 request line too long, 431 header fields too many or too large.
     */
    public int parse(byte[] buf, int start, int end, RequestHead head) {
        head.reset();
        int lineEnd = indexOf(buf, start, end, (byte) '\n');
        if (lineEnd < 0) {
            // The limit counts the line without its CR LF; what has arrived may end in the CR.
            if (lengthWithoutCr(buf, start, end) > limits.maxRequestLine()) {
                return error(414, E_LINE_TOO_LONG);
            }
            return isPlausiblePrefix(buf, start, end) ? INCOMPLETE : error(400, E_NOT_HTTP);
        }
        if (lengthWithoutCr(buf, start, lineEnd) > limits.maxRequestLine()) {
            return error(414, E_LINE_TOO_LONG);
        }
        // Find the blank line that ends the head before reading fields, so an incomplete head costs one scan.
        int headEnd = findHeadEnd(buf, lineEnd + 1, end);
        if (headEnd < 0) {
            if (end - start > limits.maxHeadBytes()) {
                return error(431, E_HEAD_TOO_LARGE);
            }
            return INCOMPLETE;
        }
        if (headEnd - start > limits.maxHeadBytes()) {
            return error(431, E_HEAD_TOO_LARGE);
        }
        int status = parseRequestLine(buf, start, stripCr(buf, start, lineEnd), head);
        if (status != COMPLETE) {
            return status;
        }
        int p = lineEnd + 1;
        while (true) {
            int le = indexOf(buf, p, end, (byte) '\n');
            int contentEnd = stripCr(buf, p, le);
            if (contentEnd == p) {
                break; // the blank line
            }
            if (++head.headerCount > limits.maxHeaderFields()) {
                return error(431, E_TOO_MANY_FIELDS);
            }
            status = parseField(buf, p, contentEnd, head);
            if (status != COMPLETE) {
                return status;
            }
            p = le + 1;
        }
        head.headEnd = headEnd;
        if (head.versionMinor == 1 && !head.hasHost) {
            return error(400, E_NO_HOST);
        }
        if (head.transferEncoding) {
            return head.contentLength >= 0
                    ? error(400, E_LENGTH_AND_ENCODING)
                    : error(411, E_CHUNKED);
        }
        if (head.contentLength > limits.maxBodyBytes()) {
            return error(413, E_BODY_TOO_LARGE);
        }
        if (head.method == RequestHead.OTHER) {
            return error(405, E_METHOD);
        }
        return COMPLETE;
    }

    private int parseRequestLine(byte[] buf, int start, int end, RequestHead head) {
        int sp1 = indexOf(buf, start, end, (byte) ' ');
        if (sp1 <= start || !isToken(buf, start, sp1)) {
            return error(400, E_NO_METHOD);
        }
        head.method = Bytes.equals(buf, start, sp1, GET_BYTES) ? RequestHead.GET
                : Bytes.equals(buf, start, sp1, HEAD_BYTES) ? RequestHead.HEAD : RequestHead.OTHER;
        int targetStart = sp1 + 1;
        int sp2 = indexOf(buf, targetStart, end, (byte) ' ');
        if (sp2 < 0 || sp2 == targetStart) {
            return error(400, E_LINE_SHAPE);
        }
        if (buf[targetStart] != '/') {
            return error(400, E_TARGET_NOT_PATH);
        }
        int pathEnd = sp2;
        for (int i = targetStart; i < sp2; i++) {
            byte b = buf[i];
            if (b <= 0x20 || b >= 0x7f) {
                return error(400, E_TARGET_BYTE);
            }
            if (b == '?' && pathEnd == sp2) {
                pathEnd = i;
            }
        }
        int v = sp2 + 1;
        if (end - v != 8 || !Bytes.equals(buf, v, v + 7, HTTP1_BYTES) || (buf[v + 7] != '0' && buf[v + 7] != '1')) {
            return error(400, E_VERSION);
        }
        head.targetStart = targetStart;
        head.targetEnd = sp2;
        head.pathEnd = pathEnd;
        head.versionMinor = buf[v + 7] - '0';
        head.keepAlive = head.versionMinor == 1;
        return COMPLETE;
    }

    private int parseField(byte[] buf, int start, int end, RequestHead head) {
        int colon = indexOf(buf, start, end, (byte) ':');
        if (colon <= start || !isToken(buf, start, colon)) {
            return error(400, buf[start] == ' ' || buf[start] == '\t' ? E_FOLDED : E_FIELD);
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            int b = buf[i] & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return error(400, E_VALUE_CONTROL);
            }
        }
        if (equalsIgnoreCase(buf, start, colon, CONTENT_LENGTH)) {
            long n = parseDecimal(buf, vs, ve);
            if (n < 0) {
                return error(400, E_LENGTH_NOT_NUMBER);
            }
            if (head.contentLength >= 0 && head.contentLength != n) {
                return error(400, E_TWO_LENGTHS);
            }
            head.contentLength = n;
        } else if (equalsIgnoreCase(buf, start, colon, HOST)) {
            if (head.hasHost) {
                return error(400, E_TWO_HOSTS);
            }
            head.hasHost = true;
        } else if (equalsIgnoreCase(buf, start, colon, CONNECTION)) {
            if (containsToken(buf, vs, ve, CLOSE)) {
                head.keepAlive = false;
            } else if (containsToken(buf, vs, ve, KEEP_ALIVE)) {
                head.keepAlive = true;
            }
        } else if (equalsIgnoreCase(buf, start, colon, TRANSFER_ENCODING)) {
            head.transferEncoding = true;
        }
        return COMPLETE;
    }

    private int error(int status, byte[] reason) {
        errorReason = reason;
        return status;
    }

    // ---- error reasons, as bytes ready to send ----

    private static final byte[] NONE = new byte[0];
    private static final byte[] E_LINE_TOO_LONG = reason("the request line is longer than the limit");
    private static final byte[] E_NOT_HTTP = reason("this is not an HTTP request line");
    private static final byte[] E_HEAD_TOO_LARGE = reason("the request header fields are larger than the limit");
    private static final byte[] E_TOO_MANY_FIELDS = reason("the request has more header fields than the limit");
    private static final byte[] E_NO_HOST = reason("an HTTP/1.1 request must have a Host header field");
    private static final byte[] E_LENGTH_AND_ENCODING = reason("a request must not have both Content-Length and Transfer-Encoding");
    private static final byte[] E_CHUNKED = reason("request bodies must be sent with a Content-Length, not Transfer-Encoding");
    private static final byte[] E_BODY_TOO_LARGE = reason("the request body is larger than the limit");
    private static final byte[] E_METHOD = reason("this server only serves GET and HEAD");
    private static final byte[] E_NO_METHOD = reason("the request line must start with a method name and one space");
    private static final byte[] E_LINE_SHAPE = reason("the request line must be: METHOD SP /target SP HTTP/1.1");
    private static final byte[] E_TARGET_NOT_PATH = reason("the request target must be a path starting with /");
    private static final byte[] E_TARGET_BYTE = reason("the request target contains a byte that is not visible ASCII");
    private static final byte[] E_VERSION = reason("the request line must end with HTTP/1.0 or HTTP/1.1 (this server speaks only those)");
    private static final byte[] E_VALUE_CONTROL = reason("a header value contains a control character");
    private static final byte[] E_LENGTH_NOT_NUMBER = reason("Content-Length must be a decimal number");
    private static final byte[] E_TWO_LENGTHS = reason("two different Content-Length values");
    private static final byte[] E_TWO_HOSTS = reason("more than one Host header field");
    private static final byte[] E_FOLDED = reason("folded header lines (a line starting with whitespace) are not accepted");
    private static final byte[] E_FIELD = reason("a header field must be: Name: value (a token, a colon, no space before it)");

    private static byte[] reason(String text) {
        return Bytes.ascii(text + "\n");
    }

    // ---- byte helpers (static, allocation-free) ----

    private static final byte[] GET_BYTES = {'G', 'E', 'T'};
    private static final byte[] HEAD_BYTES = {'H', 'E', 'A', 'D'};
    private static final byte[] HTTP1_BYTES = {'H', 'T', 'T', 'P', '/', '1', '.'};
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("content-length");
    private static final byte[] HOST = Bytes.ascii("host");
    private static final byte[] CONNECTION = Bytes.ascii("connection");
    private static final byte[] TRANSFER_ENCODING = Bytes.ascii("transfer-encoding");
    private static final byte[] CLOSE = Bytes.ascii("close");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("keep-alive");

    /** A head can still become valid only if what arrived so far starts like a method token. */
    private static boolean isPlausiblePrefix(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b == ' ') {
                return i > start; // the method is done; the rest is checked when the line is complete
            }
            if (b != '\r' && !isTchar(b)) {
                return false;
            }
        }
        return true;
    }

    /** The index after the blank line (LF LF or LF CR LF) that ends the head, or -1. */
    static int findHeadEnd(byte[] buf, int lineStart, int end) {
        int p = lineStart;
        while (p < end) {
            if (buf[p] == '\n') {
                return p + 1;
            }
            if (buf[p] == '\r' && p + 1 < end && buf[p + 1] == '\n') {
                return p + 2;
            }
            int le = indexOf(buf, p, end, (byte) '\n');
            if (le < 0) {
                return -1;
            }
            p = le + 1;
        }
        return -1;
    }

    private static int stripCr(byte[] buf, int start, int lf) {
        return lf > start && buf[lf - 1] == '\r' ? lf - 1 : lf;
    }

    static int indexOf(byte[] buf, int start, int end, byte b) {
        for (int i = start; i < end; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isToken(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isTchar(buf[i])) {
                return false;
            }
        }
        return end > start;
    }

    /** RFC 9110 tchar: letters, digits and {@code !#$%&'*+-.^_`|~}. */
    private static boolean isTchar(byte b) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
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
    private static boolean containsToken(byte[] buf, int start, int end, byte[] lowerToken) {
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

    /** A non-negative decimal of at most 18 digits, or -1. */
    static long parseDecimal(byte[] buf, int start, int end) {
        if (end <= start || end - start > 18) {
            return -1;
        }
        long n = 0;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }
}
