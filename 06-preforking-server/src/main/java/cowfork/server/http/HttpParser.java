// A strict HTTP/1.x request-head parser over bytes: every malformed input gets a 4xx status, none an exception.
package cowfork.server.http;

import static cowfork.server.http.Bytes.indexOf;
import static cowfork.server.http.Bytes.parseDecimal;

/**
 * Parses a request head (request line and header fields, RFC 9112) from a byte range
 * into a {@link RequestHead}, allocating nothing. The result is a status:
 * {@link #COMPLETE}, {@link #INCOMPLETE} (wait for more bytes), or the HTTP status code of
 * the error the client made, with {@link #errorReason} saying why.
 *
 * <p>What is accepted: {@code token SP origin-form|absolute-form SP HTTP/1.x}, lines ended by
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

    /**
     * Parses the head in {@code buf[start, end)}. Every complete line is checked as soon as
     * it has arrived, and the incomplete last line as far as it goes, so a request is refused
     * as soon as the bytes received prove it invalid, not when the client timeout ends it.
     *
     * @return {@link #COMPLETE} with {@code head} filled in; {@link #INCOMPLETE} if the head
     *         has not fully arrived and nothing so far is wrong; or an HTTP error status:
     *         400 malformed, 405 method not served, 413 body too large, 414 request line too
     *         long, 431 header fields too many or too large, 501 a transfer coding other than
     *         chunked, 505 an HTTP major version other than 1
     */
    public int parse(byte[] buf, int start, int end, RequestHead head) {
        head.reset();
        // RFC 9112 section 2.2: a server SHOULD ignore empty lines received before the request line.
        int s = start;
        while (s < end && (buf[s] == '\n' || (buf[s] == '\r' && s + 1 < end && buf[s + 1] == '\n'))) {
            s += buf[s] == '\r' ? 2 : 1;
        }
        int lineEnd = indexOf(buf, s, end, (byte) '\n');
        if (lineEnd < 0) {
            // The limit counts the line without its CR LF; what has arrived may end in the CR.
            if (HttpSyntax.lengthWithoutCr(buf, s, end) > limits.maxRequestLine()) {
                return error(414, E_LINE_TOO_LONG);
            }
            return end - start > limits.maxHeadBytes() ? error(431, E_HEAD_TOO_LARGE) : checkPartialRequestLine(buf, s, end);
        }
        if (HttpSyntax.lengthWithoutCr(buf, s, lineEnd) > limits.maxRequestLine()) {
            return error(414, E_LINE_TOO_LONG);
        }
        int status = parseRequestLine(buf, s, HttpSyntax.stripCr(buf, s, lineEnd), head);
        if (status != COMPLETE) {
            return status;
        }
        int p = lineEnd + 1;
        while (true) {
            int le = indexOf(buf, p, end, (byte) '\n');
            if ((le < 0 ? end : le + 1) - start > limits.maxHeadBytes()) {
                return error(431, E_HEAD_TOO_LARGE);
            }
            if (le < 0) {
                return p == end ? INCOMPLETE : checkPartialField(buf, p, end);
            }
            int contentEnd = HttpSyntax.stripCr(buf, p, le);
            if (contentEnd == p) {
                head.headEnd = le + 1; // the blank line
                break;
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
        return checkFraming(head);
    }

    /** The rules that need the whole head: Host, how the body is framed, its size, the method. */
    private int checkFraming(RequestHead head) {
        if (head.versionMinor == 1 && !head.hasHost) {
            return error(400, E_NO_HOST);
        }
        if (head.transferEncoding) {
            // RFC 9112 section 6.1 / 6.3: both framings at once is how requests are smuggled;
            // chunked must be the last coding, exactly once; HTTP/1.0 has no transfer codings.
            if (head.contentLength >= 0) {
                return error(400, E_LENGTH_AND_ENCODING);
            }
            if (head.versionMinor == 0) {
                return error(400, E_ENCODING_IN_10);
            }
            if (head.badCoding || (!head.chunked && !head.unknownCoding)) {
                return error(400, E_CODING_SHAPE);
            }
            if (head.unknownCoding) {
                return error(501, E_CODING_UNKNOWN);
            }
            if (!head.chunked) {
                return error(400, E_CODING_SHAPE);
            }
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
        if (sp1 <= start || !HttpSyntax.isToken(buf, start, sp1)) {
            return error(400, HttpSyntax.isTchar(buf[start]) ? E_NO_METHOD : E_NOT_HTTP);
        }
        head.method = Bytes.equals(buf, start, sp1, GET_BYTES) ? RequestHead.GET
                : Bytes.equals(buf, start, sp1, HEAD_BYTES) ? RequestHead.HEAD : RequestHead.OTHER;
        int targetStart = sp1 + 1;
        int sp2 = indexOf(buf, targetStart, end, (byte) ' ');
        if (sp2 < 0 || sp2 == targetStart) {
            return error(400, E_LINE_SHAPE);
        }
        for (int i = targetStart; i < sp2; i++) {
            byte b = buf[i];
            if (b <= 0x20 || b >= 0x7f) {
                return error(400, E_TARGET_BYTE);
            }
        }
        // The version first: "PRI * HTTP/2.0" (an HTTP/2 client) deserves a 505, not a word about its target.
        int v = sp2 + 1;
        if (end - v != 8 || !Bytes.equals(buf, v, v + 5, HTTP_SLASH) || !HttpSyntax.isDigit(buf[v + 5]) || buf[v + 6] != '.'
                || !HttpSyntax.isDigit(buf[v + 7])) {
            return error(400, E_VERSION);
        }
        if (buf[v + 5] != '1') {
            return error(505, E_VERSION_UNSUPPORTED);
        }
        int pathStart = targetStart;
        if (buf[targetStart] != '/') {
            // RFC 9112 section 3.2.2: a server MUST accept the absolute form (what a client
            // sends to a proxy): use its path; the Host header rules apply all the same.
            int scheme = HttpSyntax.startsWithIgnoreCase(buf, targetStart, sp2, HTTP_SCHEME) ? HTTP_SCHEME.length
                    : HttpSyntax.startsWithIgnoreCase(buf, targetStart, sp2, HTTPS_SCHEME) ? HTTPS_SCHEME.length : -1;
            if (scheme < 0) {
                return error(400, E_TARGET_NOT_PATH);
            }
            int authority = targetStart + scheme;
            pathStart = authority;
            while (pathStart < sp2 && buf[pathStart] != '/' && buf[pathStart] != '?') {
                if (buf[pathStart] == '@') {
                    return error(400, E_USERINFO); // RFC 9110 section 4.2.4: userinfo is an error
                }
                pathStart++;
            }
            if (pathStart == authority) {
                return error(400, E_NO_AUTHORITY);
            }
        }
        int pathEnd = indexOf(buf, pathStart, sp2, (byte) '?');
        head.targetStart = pathStart;
        head.targetEnd = sp2;
        head.pathEnd = pathEnd < 0 ? sp2 : pathEnd;
        // RFC 9110 section 2.5: a 1.x request with a higher minor version is served as the highest we speak.
        head.versionMinor = buf[v + 7] == '0' ? 0 : 1;
        head.keepAlive = head.versionMinor == 1;
        return COMPLETE;
    }

    /**
     * Whether a request line that has not ended yet can still become valid:
     * {@code tchar+ SP visible+ SP "HTTP/" DIGIT "." DIGIT [CR]}, each part as far as it has arrived.
     */
    private int checkPartialRequestLine(byte[] buf, int start, int end) {
        int i = start;
        while (i < end && HttpSyntax.isTchar(buf[i])) {
            i++;
        }
        if (i == end) {
            return INCOMPLETE;
        }
        if (buf[i] != ' ' || i == start) {
            return i == start ? (buf[i] == '\r' && i + 1 == end ? INCOMPLETE : error(400, E_NOT_HTTP))
                    : error(400, E_NO_METHOD);
        }
        int t = ++i;
        while (i < end && buf[i] > 0x20 && buf[i] < 0x7f) {
            i++;
        }
        if (i == end) {
            return INCOMPLETE;
        }
        if (buf[i] != ' ' || i == t) {
            return error(400, i == t ? E_LINE_SHAPE : E_TARGET_BYTE);
        }
        int v = ++i;
        for (; i < end; i++) {
            int k = i - v;
            byte b = buf[i];
            boolean fits = k < 5 ? b == HTTP_SLASH[k] : k == 5 || k == 7 ? HttpSyntax.isDigit(b) : k == 6 ? b == '.' : k == 8 && b == '\r';
            if (!fits) {
                return error(400, k == 8 ? E_BARE_CR : E_VERSION);
            }
        }
        return INCOMPLETE;
    }

    /** Whether a header field line that has not ended yet can still become valid. */
    private int checkPartialField(byte[] buf, int start, int end) {
        if (buf[start] == ' ' || buf[start] == '\t') {
            return error(400, E_FOLDED);
        }
        int i = start;
        while (i < end && HttpSyntax.isTchar(buf[i])) {
            i++;
        }
        if (i == end) {
            return INCOMPLETE;
        }
        if (i == start && buf[i] == '\r') {
            return i + 1 == end ? INCOMPLETE : error(400, E_BARE_CR); // the CR of the blank line, or a bare CR
        }
        if (buf[i] != ':' || i == start) {
            return error(400, E_FIELD);
        }
        for (i++; i < end; i++) {
            int b = buf[i] & 0xff;
            if (b == '\r') {
                if (i + 1 < end) {
                    return error(400, E_BARE_CR);
                }
            } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return error(400, E_VALUE_CONTROL);
            }
        }
        return INCOMPLETE;
    }

    private int parseField(byte[] buf, int start, int end, RequestHead head) {
        int colon = indexOf(buf, start, end, (byte) ':');
        if (colon <= start || !HttpSyntax.isToken(buf, start, colon)) {
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
        if (HttpSyntax.equalsIgnoreCase(buf, start, colon, CONTENT_LENGTH)) {
            long n = parseDecimal(buf, vs, ve);
            if (n < 0) {
                return error(400, E_LENGTH_NOT_NUMBER);
            }
            if (head.contentLength >= 0 && head.contentLength != n) {
                return error(400, E_TWO_LENGTHS);
            }
            head.contentLength = n;
        } else if (HttpSyntax.equalsIgnoreCase(buf, start, colon, HOST)) {
            if (head.hasHost) {
                return error(400, E_TWO_HOSTS);
            }
            head.hasHost = true;
        } else if (HttpSyntax.equalsIgnoreCase(buf, start, colon, CONNECTION)) {
            if (HttpSyntax.containsToken(buf, vs, ve, CLOSE)) {
                head.keepAlive = false;
            } else if (HttpSyntax.containsToken(buf, vs, ve, KEEP_ALIVE)) {
                head.keepAlive = true;
            }
        } else if (HttpSyntax.equalsIgnoreCase(buf, start, colon, TRANSFER_ENCODING)) {
            head.transferEncoding = true;
            HttpSyntax.readCodings(buf, vs, ve, head);
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
    private static final byte[] E_ENCODING_IN_10 = reason("an HTTP/1.0 request cannot have a Transfer-Encoding");
    private static final byte[] E_CODING_SHAPE = reason("Transfer-Encoding must list chunked once, as the last coding");
    private static final byte[] E_CODING_UNKNOWN = reason("this server decodes no transfer coding but chunked");
    private static final byte[] E_BODY_TOO_LARGE = reason("the request body is larger than the limit");
    private static final byte[] E_METHOD = reason("this server only serves GET and HEAD");
    private static final byte[] E_NO_METHOD = reason("the request line must start with a method name and one space");
    private static final byte[] E_LINE_SHAPE = reason("the request line must be: METHOD SP /target SP HTTP/1.1");
    private static final byte[] E_TARGET_NOT_PATH = reason("the request target must be a path starting with / or an http:// URL");
    private static final byte[] E_USERINFO = reason("the request target must not contain user information (user@host)");
    private static final byte[] E_NO_AUTHORITY = reason("an absolute request target must name a host: http://host/path");
    private static final byte[] E_BARE_CR = reason("a CR must be followed by LF (a bare CR is not a line end)");
    private static final byte[] E_VERSION_UNSUPPORTED = reason("this server speaks HTTP/1.0 and HTTP/1.1 only");
    private static final byte[] E_TARGET_BYTE = reason("the request target contains a byte that is not visible ASCII");
    private static final byte[] E_VERSION = reason("the request line must end with an HTTP version: HTTP/1.1");
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
    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
    private static final byte[] HTTP_SCHEME = Bytes.ascii("http://");
    private static final byte[] HTTPS_SCHEME = Bytes.ascii("https://");
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("content-length");
    private static final byte[] HOST = Bytes.ascii("host");
    private static final byte[] CONNECTION = Bytes.ascii("connection");
    private static final byte[] TRANSFER_ENCODING = Bytes.ascii("transfer-encoding");
    private static final byte[] CLOSE = Bytes.ascii("close");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("keep-alive");

    /** The index after the blank line (LF LF or LF CR LF) that ends the head, or -1. */
    public static int findHeadEnd(byte[] buf, int lineStart, int end) {
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
}
