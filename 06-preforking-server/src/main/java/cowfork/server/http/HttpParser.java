// A strict, incremental HTTP/1.x request-head parser over bytes: each byte examined once, every malformed input a 4xx status, never an exception.
package cowfork.server.http;

/**
 * Parses a request head (request line and header fields, RFC 9112) from a byte range
 * into a {@link RequestHead}, allocating nothing. The result is a status:
 * {@link #COMPLETE}, {@link #INCOMPLETE} (wait for more bytes), or the HTTP status code of
 * the error the client made, with {@link #errorReason} saying why.
 *
 * <p>What is accepted, as strictly as llhttp (Node's parser) without its lenient flags:
 * <pre>
 *   *( CRLF )  method SP target SP "HTTP/" DIGIT "." DIGIT CRLF      request line
 *   *( token ":" OWS value OWS CRLF )                                 header fields
 *   CRLF                                                              the end of the head
 * </pre>
 * Lines end in CRLF only: RFC 9112 section 2.2 lets a recipient accept a bare LF, but a
 * front end that does not would see other fields than this server (CONFORMANCE.md says
 * why). Every limit is enforced while bytes are still arriving, so a client cannot make
 * the worker buffer more than {@link Limits#maxHeadBytes()}.
 *
 * <p>The parser is incremental: a head that arrives in pieces is parsed from where the
 * last call stopped, its state kept in the {@link RequestHead}. Each byte is stepped
 * through once, and each complete line is read once more to interpret it, so a head of n
 * bytes costs O(n) however it is cut ({@link #bytesExamined()} counts).
 */
public final class HttpParser {
    public static final int COMPLETE = 0;
    public static final int INCOMPLETE = -1;

    /** Why the last parse failed; a constant, so reporting it allocates nothing. */
    private byte[] errorReason = NONE;
    private final Limits limits;
    /** Bytes stepped through plus bytes of complete lines interpreted, over this parser's life. */
    private long examined;

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

    /** How many bytes this parser has examined so far: a measure of its work, for tests. */
    long bytesExamined() {
        return examined;
    }

    // The states of the byte-by-byte scan (RequestHead.state).
    static final int LEADING = 0;        // empty lines before the request line
    private static final int LEADING_LF = 1;
    private static final int METHOD = 2;
    private static final int TARGET = 3;
    private static final int VERSION = 4;
    private static final int LINE_LF = 5; // the LF after the request line's CR
    private static final int FIELD_START = 6;
    private static final int FIELD_NAME = 7;
    private static final int FIELD_VALUE = 8;
    private static final int FIELD_LF = 9;
    private static final int END_LF = 10;  // the LF of the blank line that ends the head
    private static final int DONE = 11;    // COMPLETE or an error was returned

    /**
     * Parses the head in {@code buf[start, end)}, going on from where the last call on
     * {@code head} stopped (the same bytes from {@code start}, and perhaps more). A head that
     * is done ({@link #COMPLETE} or an error) starts again from scratch; so does one after
     * {@link RequestHead#reset()}. Every byte is checked as soon as it has arrived, so a
     * request is refused as soon as the bytes received prove it invalid, not when the client
     * timeout ends it.
     *
     * @return {@link #COMPLETE} with {@code head} filled in; {@link #INCOMPLETE} if the head
     *         has not fully arrived and nothing so far is wrong; or an HTTP error status:
     *         400 malformed, 405 a method not allowed, 413 body too large, 414 request line too
     *         long, 421 an https target on this unsecured connection, 431 header fields too
     *         many or too large, 501 a method or transfer coding this server does not
     *         implement, 505 an HTTP major version other than 1
     */
    public int parse(byte[] buf, int start, int end, RequestHead head) {
        if (head.state == DONE) {
            head.reset();
        }
        for (int p = start + head.scanned; p < end; p++) {
            examined++;
            byte b = buf[p];
            int at = p - start; // where in the head, from 0
            if (at >= limits.maxHeadBytes() && !lineOverLimit(head, at, b)) {
                return fail(head, 431, E_HEAD_TOO_LARGE); // else the request line's own limit speaks, below
            }
            switch (head.state) {
                case LEADING -> {
                    // RFC 9112 section 2.2: a server SHOULD ignore empty lines received before the request line.
                    if (b == '\r') {
                        head.state = LEADING_LF;
                    } else if (HttpSyntax.isTchar(b)) {
                        head.lineStart = at;
                        head.state = METHOD;
                    } else {
                        return fail(head, 400, b == '\n' ? E_BARE_LF : E_NOT_HTTP);
                    }
                }
                case LEADING_LF -> {
                    if (b != '\n') {
                        return fail(head, 400, E_BARE_CR);
                    }
                    head.state = LEADING;
                }
                case METHOD -> {
                    if (lineOverLimit(head, at, b)) {
                        return lineTooLong(head);
                    }
                    if (b == ' ') {
                        head.mark1 = at;
                        head.state = TARGET;
                    } else if (!HttpSyntax.isTchar(b)) {
                        return fail(head, 400, E_NO_METHOD);
                    }
                }
                case TARGET -> {
                    if (lineOverLimit(head, at, b)) {
                        return lineTooLong(head);
                    }
                    if (b == ' ') {
                        if (at == head.mark1 + 1) {
                            return fail(head, 400, E_LINE_SHAPE); // two spaces: no target
                        }
                        head.mark2 = at;
                        head.state = VERSION;
                    } else if (b <= 0x20 || b >= 0x7f) { // control bytes, DEL and non-ASCII; CR, LF: no version
                        return fail(head, 400, b == '\r' || b == '\n' ? E_LINE_SHAPE : E_TARGET_BYTE);
                    }
                }
                case VERSION -> {
                    if (lineOverLimit(head, at, b)) {
                        return lineTooLong(head);
                    }
                    int k = at - head.mark2 - 1;
                    boolean fits = k < 5 ? b == HTTP_SLASH[k] : k == 5 || k == 7 ? HttpSyntax.isDigit(b) : k == 6 ? b == '.' : b == '\r';
                    if (!fits) {
                        return fail(head, 400, k == 8 && b == '\n' ? E_BARE_LF : E_VERSION);
                    }
                    if (k == 8) {
                        head.state = LINE_LF;
                    }
                }
                case LINE_LF -> {
                    if (b != '\n') {
                        return fail(head, 400, E_BARE_CR);
                    }
                    examined += at - head.lineStart; // interpreting the line reads it again
                    int status = requestLine(buf, start, head, at - 1);
                    if (status != COMPLETE) {
                        return fail(head, status, errorReason);
                    }
                    head.state = FIELD_START;
                }
                case FIELD_START -> {
                    head.lineStart = at;
                    if (b == '\r') {
                        head.state = END_LF;
                    } else if (HttpSyntax.isTchar(b)) {
                        if (++head.headerCount > limits.maxHeaderFields()) {
                            return fail(head, 431, E_TOO_MANY_FIELDS);
                        }
                        head.state = FIELD_NAME;
                    } else {
                        return fail(head, 400, b == ' ' || b == '\t' ? E_FOLDED : b == '\n' ? E_BARE_LF : E_FIELD);
                    }
                }
                case FIELD_NAME -> {
                    if (b == ':') {
                        head.mark1 = at;
                        head.state = FIELD_VALUE;
                    } else if (!HttpSyntax.isTchar(b)) {
                        return fail(head, 400, E_FIELD); // RFC 9112 section 5.1: no whitespace before the colon
                    }
                }
                case FIELD_VALUE -> {
                    if (b == '\r') {
                        head.state = FIELD_LF;
                    } else if (b == '\n') {
                        return fail(head, 400, E_BARE_LF);
                    } else if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) { // bytes >= 0x80 are obs-text, allowed
                        return fail(head, 400, E_VALUE_CONTROL);
                    }
                }
                case FIELD_LF -> {
                    if (b != '\n') {
                        return fail(head, 400, E_BARE_CR);
                    }
                    examined += at - head.lineStart;
                    int status = field(buf, start + head.lineStart, start + head.mark1, p - 1, head);
                    if (status != COMPLETE) {
                        return fail(head, status, errorReason);
                    }
                    head.state = FIELD_START;
                }
                case END_LF -> {
                    if (b != '\n') {
                        return fail(head, 400, E_BARE_CR);
                    }
                    head.state = DONE;
                    head.headEnd = p + 1;
                    head.targetStart += start;
                    head.pathEnd += start;
                    head.targetEnd += start;
                    head.keepAlive = !head.close && (head.versionMinor == 1 || head.keepAliveAsked);
                    return checkHead(head);
                }
                default -> throw new IllegalStateException("parser state " + head.state);
            }
        }
        head.scanned = end - start;
        return INCOMPLETE;
    }

    /**
     * Whether byte {@code b} at {@code at} makes the request line longer than its limit
     * (which counts the line without its CR LF).
     */
    private boolean lineOverLimit(RequestHead head, int at, byte b) {
        return head.state >= METHOD && head.state <= VERSION && at - head.lineStart >= limits.maxRequestLine()
                && !(head.state == VERSION && b == '\r');
    }

    /** RFC 9112 section 3: a method longer than any this server implements is a 501; a long target a 414. */
    private int lineTooLong(RequestHead head) {
        return head.state == METHOD ? fail(head, 501, E_METHOD_TOO_LONG) : fail(head, 414, E_LINE_TOO_LONG);
    }

    private int fail(RequestHead head, int status, byte[] reason) {
        head.state = DONE;
        errorReason = reason;
        return status;
    }

    /** The rules that need the whole head: Host, how the body is framed, its size, the method. */
    private int checkHead(RequestHead head) {
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
        }
        if (head.contentLength > limits.maxBodyBytes()) {
            return error(413, E_BODY_TOO_LARGE);
        }
        return switch (head.method) {
            case RequestHead.GET, RequestHead.HEAD, RequestHead.OPTIONS -> COMPLETE;
            case RequestHead.CONNECT -> error(501, E_CONNECT);
            case RequestHead.KNOWN -> error(405, E_METHOD);
            default -> error(501, E_METHOD_UNKNOWN);
        };
    }

    /** The request line, {@code buf[start + lineStart, start + cr)}, whose shape the scan has checked. */
    private int requestLine(byte[] buf, int start, RequestHead head, int cr) {
        int ls = start + head.lineStart;
        int sp1 = start + head.mark1;
        int sp2 = start + head.mark2;
        int v = sp2 + 1;
        head.method = RequestHead.methodOf(buf, ls, sp1);
        // The version first: "PRI * HTTP/2.0" (an HTTP/2 client) deserves a 505, not a word about its target.
        if (buf[v + 5] != '1') {
            return error(505, E_VERSION_UNSUPPORTED);
        }
        // RFC 9110 section 2.5: a 1.x request with a higher minor version is served as the highest we speak.
        head.versionMinor = buf[v + 7] == '0' ? 0 : 1;
        int t = sp1 + 1;
        int pathStart = t;
        if (head.method == RequestHead.CONNECT) {
            // RFC 9112 section 3.2.3: CONNECT takes host:port and nothing else; RFC 9110 section 9.3.6:
            // an empty or invalid port is a 400. A valid one is answered 501 once the head is in.
            int colon = HttpSyntax.lastIndexOf(buf, t, sp2, (byte) ':');
            if (colon <= t || !HttpSyntax.isAuthority(buf, t, sp2, false) || HttpSyntax.port(buf, colon + 1, sp2) <= 0) {
                return error(400, E_CONNECT_TARGET);
            }
            pathStart = sp2;
        } else if (buf[t] == '*' && sp2 == t + 1) {
            if (head.method != RequestHead.OPTIONS) {
                return error(400, E_ASTERISK); // RFC 9112 section 3.2.4: the asterisk form is for OPTIONS only
            }
            head.asterisk = true;
        } else if (buf[t] != '/') {
            // RFC 9112 section 3.2.2: a server MUST accept the absolute form (what a client
            // sends to a proxy): use its path; the Host header rules apply all the same.
            boolean https = HttpSyntax.startsWithIgnoreCase(buf, t, sp2, HTTPS_SCHEME);
            int scheme = https ? HTTPS_SCHEME.length
                    : HttpSyntax.startsWithIgnoreCase(buf, t, sp2, HTTP_SCHEME) ? HTTP_SCHEME.length : -1;
            if (scheme < 0) {
                return error(400, E_TARGET_NOT_PATH);
            }
            int authority = t + scheme;
            pathStart = authority;
            while (pathStart < sp2 && buf[pathStart] != '/' && buf[pathStart] != '?') {
                if (buf[pathStart] == '@') {
                    return error(400, E_USERINFO); // RFC 9110 section 4.2.4: userinfo is an error
                }
                pathStart++;
            }
            // RFC 9110 section 4.2.1: an http URI with an empty host is invalid.
            if (!HttpSyntax.isAuthority(buf, authority, pathStart, false)) {
                return error(400, E_NO_AUTHORITY);
            }
            if (https) {
                // RFC 9110 section 7.4: an https resource MUST NOT be served over a connection that is not secured.
                return error(421, E_HTTPS);
            }
        }
        int pathEnd = Bytes.indexOf(buf, pathStart, sp2, (byte) '?');
        head.targetStart = pathStart - start;
        head.targetEnd = sp2 - start;
        head.pathEnd = (pathEnd < 0 ? sp2 : pathEnd) - start;
        return COMPLETE;
    }

    /** One header field line, {@code buf[lineStart, cr)} with its colon at {@code colon}. */
    private int field(byte[] buf, int lineStart, int colon, int cr, RequestHead head) {
        int vs = colon + 1;
        int ve = cr;
        while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
            ve--;
        }
        switch (RequestHead.fieldOf(buf, lineStart, colon)) {
            case RequestHead.F_CONTENT_LENGTH -> {
                long n = Bytes.parseDecimal(buf, vs, ve);
                if (n < 0) {
                    return error(400, E_LENGTH_NOT_NUMBER);
                }
                if (head.contentLength >= 0) {
                    // RFC 9110 section 8.6 allows collapsing equal values; llhttp refuses any repeat, and so do we.
                    return error(400, E_TWO_LENGTHS);
                }
                head.contentLength = n;
            }
            case RequestHead.F_HOST -> {
                if (head.hasHost) {
                    return error(400, E_TWO_HOSTS);
                }
                // RFC 9112 section 3.2: a Host with an invalid value is a 400. An empty one is valid.
                if (!HttpSyntax.isAuthority(buf, vs, ve, true)) {
                    return error(400, E_HOST_VALUE);
                }
                head.hasHost = true;
            }
            case RequestHead.F_CONNECTION -> {
                // A close in any Connection line wins (RFC 9112 section 9.6): a later keep-alive cannot undo it.
                if (HttpSyntax.containsToken(buf, vs, ve, CLOSE)) {
                    head.close = true;
                }
                if (HttpSyntax.containsToken(buf, vs, ve, KEEP_ALIVE)) {
                    head.keepAliveAsked = true;
                }
            }
            case RequestHead.F_TRANSFER_ENCODING -> {
                head.transferEncoding = true;
                HttpSyntax.readCodings(buf, vs, ve, head);
            }
            case RequestHead.F_EXPECT -> head.expectContinue |= HttpSyntax.containsToken(buf, vs, ve, CONTINUE);
            case RequestHead.F_IF_MATCH -> head.ifMatch = ve - vs == 1 && buf[vs] == '*' ? RequestHead.ANY : RequestHead.TAGS;
            case RequestHead.F_IF_NONE_MATCH -> head.ifNoneMatch = ve - vs == 1 && buf[vs] == '*' ? RequestHead.ANY : RequestHead.TAGS;
            default -> { } // RFC 9110 section 5.1: other fields are ignored
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
    private static final byte[] E_METHOD_TOO_LONG = reason("the method is longer than any this server implements");
    private static final byte[] E_NOT_HTTP = reason("this is not an HTTP request line");
    private static final byte[] E_HEAD_TOO_LARGE = reason("the request header fields are larger than the limit");
    private static final byte[] E_TOO_MANY_FIELDS = reason("the request has more header fields than the limit");
    private static final byte[] E_NO_HOST = reason("an HTTP/1.1 request must have a Host header field");
    private static final byte[] E_LENGTH_AND_ENCODING = reason("a request must not have both Content-Length and Transfer-Encoding");
    private static final byte[] E_ENCODING_IN_10 = reason("an HTTP/1.0 request cannot have a Transfer-Encoding");
    private static final byte[] E_CODING_SHAPE = reason("Transfer-Encoding must list chunked once, as the last coding, without parameters");
    private static final byte[] E_CODING_UNKNOWN = reason("this server decodes no transfer coding but chunked");
    private static final byte[] E_BODY_TOO_LARGE = reason("the request body is larger than the limit");
    private static final byte[] E_METHOD = reason("no resource here allows this method; they allow GET, HEAD and OPTIONS");
    private static final byte[] E_METHOD_UNKNOWN = reason("this server does not implement this method; it serves GET, HEAD and OPTIONS");
    private static final byte[] E_CONNECT = reason("this origin server makes no tunnels (CONNECT)");
    private static final byte[] E_CONNECT_TARGET = reason("CONNECT takes host:port, with a port from 1 to 65535");
    private static final byte[] E_NO_METHOD = reason("the request line must start with a method name and one space");
    private static final byte[] E_LINE_SHAPE = reason("the request line must be: METHOD SP /target SP HTTP/1.1");
    private static final byte[] E_TARGET_NOT_PATH = reason("the request target must be a path starting with / or an http:// URL");
    private static final byte[] E_ASTERISK = reason("the request target * is for OPTIONS only");
    private static final byte[] E_USERINFO = reason("the request target must not contain user information (user@host)");
    private static final byte[] E_NO_AUTHORITY = reason("an absolute request target must name a valid host: http://host[:port]/path");
    private static final byte[] E_HTTPS = reason("https resources are not served on this connection, which is not secured");
    private static final byte[] E_BARE_CR = reason("a CR must be followed by LF (a bare CR is not a line end)");
    private static final byte[] E_BARE_LF = reason("lines must end with CR LF; a bare LF is refused");
    private static final byte[] E_VERSION_UNSUPPORTED = reason("this server speaks HTTP/1.0 and HTTP/1.1 only");
    private static final byte[] E_TARGET_BYTE = reason("the request target contains a byte that is not visible ASCII");
    private static final byte[] E_VERSION = reason("the request line must end with an HTTP version: HTTP/1.1");
    private static final byte[] E_VALUE_CONTROL = reason("a header value contains a control character");
    private static final byte[] E_LENGTH_NOT_NUMBER = reason("Content-Length must be a decimal number");
    private static final byte[] E_TWO_LENGTHS = reason("more than one Content-Length");
    private static final byte[] E_TWO_HOSTS = reason("more than one Host header field");
    private static final byte[] E_HOST_VALUE = reason("Host must be host[:port], a name or an address");
    private static final byte[] E_FOLDED = reason("folded header lines (a line starting with whitespace) are not accepted");
    private static final byte[] E_FIELD = reason("a header field must be: Name: value (a token, a colon, no space before it)");

    private static byte[] reason(String text) {
        return Bytes.ascii(text + "\n");
    }

    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
    private static final byte[] HTTP_SCHEME = Bytes.ascii("http://");
    private static final byte[] HTTPS_SCHEME = Bytes.ascii("https://");
    private static final byte[] CLOSE = Bytes.ascii("close");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("keep-alive");
    private static final byte[] CONTINUE = Bytes.ascii("100-continue");

    /** The index after the blank line (LF LF or LF CR LF) that ends a head, or -1: for reading responses. */
    public static int findHeadEnd(byte[] buf, int lineStart, int end) {
        int p = lineStart;
        while (p < end) {
            if (buf[p] == '\n') {
                return p + 1;
            }
            if (buf[p] == '\r' && p + 1 < end && buf[p + 1] == '\n') {
                return p + 2;
            }
            int le = Bytes.indexOf(buf, p, end, (byte) '\n');
            if (le < 0) {
                return -1;
            }
            p = le + 1;
        }
        return -1;
    }
}
