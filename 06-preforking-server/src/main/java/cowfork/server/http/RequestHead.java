// An HTTP/1.x request line and headers, parsed in place: offsets into the connection's buffer, never a String.
package cowfork.server.http;

/**
 * The parsed head of one request, reused for every request of a connection so that
 * parsing allocates nothing. The method, target, path and query are ranges of the
 * connection's input buffer, valid until the next request is parsed into it.
 *
 * <pre>
 *   GET /item/42?fields=all HTTP/1.1\r\n      targetStart .. pathEnd .. targetEnd
 *   GET http://h/item/42 HTTP/1.1\r\n        absolute form: targetStart is where the path starts
 *   Host: 127.0.0.1\r\n
 *   \r\n                                      headEnd (first byte after the empty line)
 * </pre>
 *
 * It also holds where {@link HttpParser} stopped in a head that has not fully arrived, so
 * that each connection's head is parsed on from there when more bytes come.
 */
public final class RequestHead {
    /** Methods this server serves. */
    public static final int GET = 1;
    public static final int HEAD = 2;
    public static final int OPTIONS = 3;
    /** A tunnel: not implemented by this origin server (501). */
    public static final int CONNECT = 4;
    /** A method RFC 9110 (or PATCH's RFC 5789) defines that no resource here allows (405). */
    public static final int KNOWN = 5;
    /** Any other method (501). */
    public static final int OTHER = 6;

    /** {@link #ifMatch} and {@link #ifNoneMatch}: the field is absent, is "*", or lists entity tags. */
    public static final int ABSENT = 0;
    public static final int ANY = 1;
    public static final int TAGS = 2;

    public int method;
    public int targetStart;
    public int targetEnd;
    /** Where the path ends: the '?' or {@link #targetEnd}. */
    public int pathEnd;
    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and for HTTP/1.2 ..., served as 1.1). */
    public int versionMinor;
    public boolean keepAlive;
    boolean hasHost;
    /** A Connection field listed close (it wins over any keep-alive). */
    boolean close;
    /** A Connection field listed keep-alive (what keeps an HTTP/1.0 connection open). */
    boolean keepAliveAsked;
    /** The declared body length, or -1 when the request has no Content-Length. */
    public long contentLength;
    boolean transferEncoding;
    /** Transfer-Encoding ends in chunked: the body arrives in chunks ({@link RequestBody}). */
    public boolean chunked;
    /** Transfer-Encoding names a coding other than chunked (answered 501). */
    boolean unknownCoding;
    /** Transfer-Encoding is malformed: empty, chunked not last, twice, or with parameters (answered 400). */
    boolean badCoding;
    /** The target is "*" (OPTIONS for the server as a whole). */
    public boolean asterisk;
    /** Expect lists 100-continue. */
    public boolean expectContinue;
    /** The If-Match and If-None-Match fields: {@link #ABSENT}, {@link #ANY} or {@link #TAGS}. */
    public int ifMatch;
    public int ifNoneMatch;
    int headerCount;
    /** Index just after the blank line that ends the head. */
    public int headEnd;

    // Where the parser is in a head still arriving, as offsets from the head's first byte.
    int state;
    /** Bytes already examined. */
    int scanned;
    int lineStart;
    /** The request line's first space, or a field line's colon. */
    int mark1;
    /** The request line's second space. */
    int mark2;

    /** Forgets everything: the next {@link HttpParser#parse} starts a new head. */
    public void reset() {
        method = 0;
        targetStart = targetEnd = pathEnd = 0;
        versionMinor = 1;
        keepAlive = true;
        hasHost = close = keepAliveAsked = false;
        contentLength = -1;
        transferEncoding = false;
        chunked = unknownCoding = badCoding = false;
        asterisk = expectContinue = false;
        ifMatch = ifNoneMatch = ABSENT;
        headerCount = 0;
        headEnd = 0;
        state = HttpParser.LEADING;
        scanned = lineStart = mark1 = mark2 = 0;
    }

    public RequestHead() {
        reset();
    }

    public int method() {
        return method;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public long contentLength() {
        return contentLength;
    }

    public boolean chunked() {
        return chunked;
    }

    public int headEnd() {
        return headEnd;
    }

    /** Which method {@code buf[start, end)} names (case-sensitive, RFC 9110 section 9.1). */
    static int methodOf(byte[] buf, int start, int end) {
        for (int i = 0; i < METHODS.length; i++) {
            if (Bytes.equals(buf, start, end, METHODS[i])) {
                return METHOD_CODES[i];
            }
        }
        return OTHER;
    }

    private static final byte[][] METHODS = {Bytes.ascii("GET"), Bytes.ascii("HEAD"), Bytes.ascii("OPTIONS"),
        Bytes.ascii("CONNECT"), Bytes.ascii("POST"), Bytes.ascii("PUT"), Bytes.ascii("DELETE"), Bytes.ascii("TRACE"),
        Bytes.ascii("PATCH")};
    private static final int[] METHOD_CODES = {GET, HEAD, OPTIONS, CONNECT, KNOWN, KNOWN, KNOWN, KNOWN, KNOWN};

    // The header fields the parser acts on; every other field is ignored (RFC 9110 section 5.1).
    static final int F_OTHER = 0;
    static final int F_CONTENT_LENGTH = 1;
    static final int F_HOST = 2;
    static final int F_CONNECTION = 3;
    static final int F_TRANSFER_ENCODING = 4;
    static final int F_EXPECT = 5;
    static final int F_IF_MATCH = 6;
    static final int F_IF_NONE_MATCH = 7;

    private static final byte[][] FIELDS = {Bytes.ascii("content-length"), Bytes.ascii("host"), Bytes.ascii("connection"),
        Bytes.ascii("transfer-encoding"), Bytes.ascii("expect"), Bytes.ascii("if-match"), Bytes.ascii("if-none-match")};

    /** Which of the fields the parser acts on {@code buf[start, end)} names (any case), or {@link #F_OTHER}. */
    static int fieldOf(byte[] buf, int start, int end) {
        for (int i = 0; i < FIELDS.length; i++) {
            if (FIELDS[i].length == end - start && HttpSyntax.equalsIgnoreCase(buf, start, end, FIELDS[i])) {
                return i + 1;
            }
        }
        return F_OTHER;
    }
}
