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
 */
public final class RequestHead {
    /** Methods the server serves; anything else is {@link #OTHER} and answered 405. */
    public static final int GET = 1;
    public static final int HEAD = 2;
    public static final int OTHER = 3;

    public int method;
    public int targetStart;
    public int targetEnd;
    /** Where the path ends: the '?' or {@link #targetEnd}. */
    public int pathEnd;
    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and for HTTP/1.2 ..., served as 1.1). */
    int versionMinor;
    public boolean keepAlive;
    boolean hasHost;
    /** The declared body length, or -1 when the request has no Content-Length. */
    public long contentLength;
    boolean transferEncoding;
    /** Transfer-Encoding ends in chunked: the body arrives in chunks ({@link RequestBody}). */
    public boolean chunked;
    /** Transfer-Encoding names a coding other than chunked (answered 501). */
    boolean unknownCoding;
    /** Transfer-Encoding is malformed: empty, or chunked not last or twice (answered 400). */
    boolean badCoding;
    int headerCount;
    /** Index just after the blank line that ends the head. */
    public int headEnd;

    public void reset() {
        method = 0;
        targetStart = targetEnd = pathEnd = 0;
        versionMinor = 1;
        keepAlive = true;
        hasHost = false;
        contentLength = -1;
        transferEncoding = false;
        chunked = unknownCoding = badCoding = false;
        headerCount = 0;
        headEnd = 0;
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
}
