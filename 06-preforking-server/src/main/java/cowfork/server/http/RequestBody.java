// Reading past a request body, framed by Content-Length or chunked (RFC 9112 sections 6 and 7.1), byte by byte, allocating nothing.
package cowfork.server.http;

/**
 * Finds where a request body ends, so that the next request starts at the right byte and
 * the answer goes out only once the body is complete. The endpoints read no body, so the
 * bytes are skipped, never stored: the decoder keeps its state between calls and consumes
 * whatever has arrived, however the body was cut into packets.
 *
 * <pre>
 *   chunked-body = *chunk  last-chunk  trailer-section  CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF  chunk-data  CRLF      chunk-size = 1*HEXDIG
 *   last-chunk   = 1*"0" [ chunk-ext ] CRLF                               extensions: ignored
 *   trailer      = *( field-line CRLF )                                   trailers: skipped
 * </pre>
 *
 * A bare LF is accepted where CRLF is due (as the head parser does, RFC 9112 section 2.2);
 * a bare CR is not. One pooled instance per connection.
 */
public final class RequestBody {
    /** {@link #consume} results besides an error status. */
    public static final int DONE = 0;
    public static final int MORE = -1;

    /** Longest chunk-size line (size and extensions) we read through. */
    static final int MAX_CHUNK_LINE = 4096;
    /** More hex digits than this could overflow a long (and exceeds any body limit). */
    private static final int MAX_SIZE_DIGITS = 15;

    private static final int LENGTH = 0;
    private static final int SIZE = 1;
    private static final int EXTENSION = 2;
    private static final int SIZE_LF = 3;
    private static final int DATA = 4;
    private static final int DATA_CR = 5;
    private static final int DATA_LF = 6;
    private static final int TRAILER_START = 7;
    private static final int TRAILER_LINE = 8;
    private static final int TRAILER_LF = 9;
    private static final int LAST_LF = 10;
    private static final int FINISHED = 11;

    private final long maxBody;
    private final int maxTrailer;
    private int state = FINISHED;
    /** Bytes of the current chunk (or of the Content-Length body) still to skip. */
    private long remaining;
    private long decoded;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private byte[] errorReason = NONE;
    /** Where the last {@link #consume} stopped: the first byte it did not take. */
    public int position;

    public RequestBody(long maxBodyBytes, int maxTrailerBytes) {
        this.maxBody = maxBodyBytes;
        this.maxTrailer = maxTrailerBytes;
    }

    /** Expects a body of {@code length} bytes (0 or -1: none). */
    public void startLength(long length) {
        state = length > 0 ? LENGTH : FINISHED;
        remaining = Math.max(0, length);
        decoded = 0;
    }

    /** Expects a chunked body. */
    public void startChunked() {
        state = SIZE;
        remaining = decoded = 0;
        digits = lineBytes = trailerBytes = 0;
    }

    /** Whether the whole body (if any) has been read. */
    public boolean done() {
        return state == FINISHED;
    }

    /** Why the last {@link #consume} failed (ASCII text ending in a newline). */
    public byte[] errorReason() {
        return errorReason;
    }

    /**
     * Consumes body bytes from {@code buf[start, end)}, stopping at the body's end; sets
     * {@link #position} to the first byte not consumed.
     *
     * @return {@link #DONE} once the body is complete; {@link #MORE} if all the bytes were
     *         body and more must come; or an error status, after which the connection must
     *         close (the next request's start is unknown): 400 malformed chunk framing, 413 the
     *         decoded body is over the limit, 431 the trailer is over the head limit
     */
    public int consume(byte[] buf, int start, int end) {
        int p = start;
        while (p < end && state != FINISHED) {
            if (state == LENGTH || state == DATA) {
                int take = (int) Math.min(remaining, end - p);
                p += take;
                remaining -= take;
                if (remaining == 0) {
                    state = state == LENGTH ? FINISHED : DATA_CR;
                }
                continue;
            }
            byte b = buf[p++];
            int status = step(b);
            if (status != MORE) {
                position = p;
                return status;
            }
        }
        position = p;
        return state == FINISHED ? DONE : MORE;
    }

    /** One byte of chunk framing; MORE, or an error status. */
    private int step(byte b) {
        switch (state) {
            case SIZE -> {
                int hex = hexValue(b);
                if (hex >= 0) {
                    if (++digits > MAX_SIZE_DIGITS) {
                        return error(400, E_SIZE_OVERFLOW);
                    }
                    remaining = remaining * 16 + hex;
                } else if (digits == 0) {
                    return error(400, E_SIZE_HEX);
                } else if (decoded + remaining > maxBody) {
                    return error(413, E_TOO_LARGE); // judged once the size is whole: an overflow is a 400 first
                } else if (b == ';' || b == ' ' || b == '\t') {
                    state = EXTENSION;
                } else if (b == '\r') {
                    state = SIZE_LF;
                } else if (b == '\n') {
                    endOfSizeLine();
                } else {
                    return error(400, E_SIZE_HEX);
                }
                return lineByte();
            }
            case EXTENSION -> {
                if (b == '\r') {
                    state = SIZE_LF;
                } else if (b == '\n') {
                    endOfSizeLine();
                } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return error(400, E_EXTENSION);
                }
                return lineByte();
            }
            case SIZE_LF, DATA_LF, TRAILER_LF, LAST_LF -> {
                if (b != '\n') {
                    return error(400, state == DATA_LF ? E_DATA_END : E_BARE_CR);
                }
                if (state == SIZE_LF) {
                    endOfSizeLine();
                } else if (state == DATA_LF) {
                    nextChunk();
                } else {
                    state = state == TRAILER_LF ? TRAILER_START : FINISHED;
                }
                return MORE;
            }
            case DATA_CR -> {
                if (b == '\r') {
                    state = DATA_LF;
                } else if (b == '\n') {
                    nextChunk();
                } else {
                    return error(400, E_DATA_END);
                }
                return MORE;
            }
            case TRAILER_START -> {
                if (b == '\r') {
                    state = LAST_LF;
                } else if (b == '\n') {
                    state = FINISHED;
                } else if (b == ' ' || b == '\t' || !HttpSyntax.isTchar(b)) {
                    return error(400, E_TRAILER);
                } else {
                    state = TRAILER_LINE;
                }
                return trailerByte();
            }
            case TRAILER_LINE -> {
                if (b == '\r') {
                    state = TRAILER_LF;
                } else if (b == '\n') {
                    state = TRAILER_START;
                } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return error(400, E_TRAILER);
                }
                return trailerByte();
            }
            default -> throw new IllegalStateException("chunk decoder in state " + state);
        }
    }

    private void endOfSizeLine() {
        if (remaining == 0) {
            state = TRAILER_START; // the last chunk
        } else {
            decoded += remaining;
            state = DATA;
        }
    }

    private void nextChunk() {
        state = SIZE;
        remaining = 0;
        digits = lineBytes = 0;
    }

    private int lineByte() {
        return ++lineBytes > MAX_CHUNK_LINE ? error(400, E_LINE_TOO_LONG) : MORE;
    }

    private int trailerByte() {
        return ++trailerBytes > maxTrailer ? error(431, E_TRAILER_TOO_LARGE) : MORE;
    }

    private int error(int status, byte[] reason) {
        errorReason = reason;
        state = FINISHED;
        return status;
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
    }

    private static final byte[] NONE = new byte[0];
    private static final byte[] E_SIZE_HEX = Bytes.ascii("a chunk must start with its size in hexadecimal\n");
    private static final byte[] E_SIZE_OVERFLOW = Bytes.ascii("a chunk size has more hex digits than any body could need\n");
    private static final byte[] E_TOO_LARGE = Bytes.ascii("the request body is larger than the limit\n");
    private static final byte[] E_EXTENSION = Bytes.ascii("a chunk extension contains a control character\n");
    private static final byte[] E_LINE_TOO_LONG = Bytes.ascii("a chunk-size line is longer than 4096 bytes\n");
    private static final byte[] E_DATA_END = Bytes.ascii("chunk data must be followed by CRLF\n");
    private static final byte[] E_BARE_CR = Bytes.ascii("a CR must be followed by LF (a bare CR is not a line end)\n");
    private static final byte[] E_TRAILER = Bytes.ascii("a trailer field must be: Name: value\n");
    private static final byte[] E_TRAILER_TOO_LARGE = Bytes.ascii("the trailer fields are larger than the head limit\n");
}
