// Reading past a request body, framed by Content-Length or chunked (RFC 9112 sections 6 and 7.1), byte by byte, allocating nothing.
package cowfork.server.http;

import java.util.Arrays;

/**
 * Finds where a request body ends, so that the next request starts at the right byte and
 * the answer goes out only once the body is complete. The endpoints read no body, so the
 * bytes are skipped, never stored: the decoder keeps its state between calls and consumes
 * whatever has arrived, however the body was cut into packets.
 *
 * <pre>
 *   chunked-body = *chunk  last-chunk  trailer-section  CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF  chunk-data  CRLF      chunk-size = 1*HEXDIG
 *   last-chunk   = 1*"0" [ chunk-ext ] CRLF                               extensions: checked, ignored
 *   chunk-ext    = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
 *   trailer      = *( field-line CRLF )                                   trailers: checked, skipped
 * </pre>
 *
 * As strict as the grammar: every line ends in CRLF (RFC 9112 section 7.1 leaves no room
 * for a bare LF here), nothing but an extension may follow the size, and a trailer is a
 * field line whose name is not one of the fields a sender MUST NOT send as a trailer
 * (RFC 9110 section 6.5.1: framing, routing, request modifiers, authentication, content
 * format). A front end that reads chunks more loosely than this could see other request
 * boundaries than the server, so anything else is refused. One pooled instance per connection.
 */
public final class RequestBody {
    /** {@link #consume} results besides an error status. */
    public static final int DONE = 0;
    public static final int MORE = -1;

    /** Longest chunk-size line (size and extensions) we read through. */
    static final int MAX_CHUNK_LINE = 4096;
    /** More hex digits than this could overflow a long (and exceeds any body limit). */
    private static final int MAX_SIZE_DIGITS = 15;

    // The states of chunk framing, one byte at a time.
    private static final int LENGTH = 0;           // a Content-Length body
    private static final int SIZE = 1;             // the first hex digit of a chunk size
    private static final int SIZE_MORE = 2;        // more hex digits, or what follows them
    private static final int EXT_BWS = 3;          // whitespace after the size or a value: ";" must follow
    private static final int EXT_NAME_START = 4;   // after ";": BWS, then a token
    private static final int EXT_NAME = 5;
    private static final int EXT_AFTER_NAME = 6;   // whitespace after a name: "=" or ";" must follow
    private static final int EXT_VALUE_START = 7;  // after "=": BWS, then a token or a quoted string
    private static final int EXT_TOKEN = 8;
    private static final int EXT_QUOTED = 9;
    private static final int EXT_QUOTED_PAIR = 10;
    private static final int EXT_VALUE_END = 11;   // after the closing quote
    private static final int SIZE_LF = 12;
    private static final int DATA = 13;
    private static final int DATA_CR = 14;
    private static final int DATA_LF = 15;
    private static final int TRAILER_START = 16;
    private static final int TRAILER_NAME = 17;
    private static final int TRAILER_VALUE = 18;
    private static final int TRAILER_LF = 19;
    private static final int LAST_LF = 20;
    private static final int FINISHED = 21;

    private final long maxBody;
    private final int maxTrailer;
    private int state = FINISHED;
    /** Bytes of the current chunk (or of the Content-Length body) still to skip. */
    private long remaining;
    private long decoded;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    /** The first bytes of the trailer field name being read, lower-cased, and its full length. */
    private final byte[] name = new byte[20];
    private int nameLength;
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
            case SIZE, SIZE_MORE -> {
                int hex = HttpSyntax.hexValue(b);
                if (hex >= 0) {
                    if (++digits > MAX_SIZE_DIGITS) {
                        return error(400, E_SIZE_OVERFLOW);
                    }
                    remaining = remaining * 16 + hex;
                    state = SIZE_MORE;
                    return lineByte();
                }
                if (state == SIZE) {
                    return error(400, E_SIZE_HEX);
                }
                if (decoded + remaining > maxBody) {
                    return error(413, E_TOO_LARGE); // judged once the size is whole: an overflow is a 400 first
                }
                return sizeLine(b, b == ' ' || b == '\t' ? EXT_BWS : -1, E_SIZE_HEX);
            }
            case EXT_BWS -> {
                // BWS belongs to the next extension: only ";" may follow it, never the line's end.
                if (b == ' ' || b == '\t') {
                    return lineByte();
                }
                return b == ';' ? to(EXT_NAME_START) : error(400, b == '\n' ? E_BARE_LF : E_EXTENSION);
            }
            case EXT_NAME_START -> {
                return b == ' ' || b == '\t' ? lineByte() : HttpSyntax.isTchar(b) ? to(EXT_NAME) : error(400, E_EXTENSION);
            }
            case EXT_NAME -> {
                if (HttpSyntax.isTchar(b)) {
                    return lineByte();
                }
                if (b == '=') {
                    return to(EXT_VALUE_START);
                }
                return sizeLine(b, b == ' ' || b == '\t' ? EXT_AFTER_NAME : -1, E_EXTENSION);
            }
            case EXT_AFTER_NAME -> {
                if (b == ' ' || b == '\t') {
                    return lineByte();
                }
                return b == '=' ? to(EXT_VALUE_START) : b == ';' ? to(EXT_NAME_START) : error(400, E_EXTENSION);
            }
            case EXT_VALUE_START -> {
                if (b == ' ' || b == '\t') {
                    return lineByte();
                }
                return b == '"' ? to(EXT_QUOTED) : HttpSyntax.isTchar(b) ? to(EXT_TOKEN) : error(400, E_EXTENSION);
            }
            case EXT_TOKEN -> {
                return HttpSyntax.isTchar(b) ? lineByte() : sizeLine(b, b == ' ' || b == '\t' ? EXT_BWS : -1, E_EXTENSION);
            }
            case EXT_QUOTED -> {
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 section 5.6.4)
                if (b == '"') {
                    return to(EXT_VALUE_END);
                }
                if (b == '\\') {
                    return to(EXT_QUOTED_PAIR);
                }
                return b == '\t' || b == ' ' || (b >= 0x21 && b != 0x7f) || b < 0 ? lineByte() : error(400, E_EXTENSION);
            }
            case EXT_QUOTED_PAIR -> {
                return b == '\t' || b == ' ' || (b >= 0x21 && b != 0x7f) || b < 0 ? to(EXT_QUOTED) : error(400, E_EXTENSION);
            }
            case EXT_VALUE_END -> {
                return sizeLine(b, b == ' ' || b == '\t' ? EXT_BWS : -1, E_EXTENSION);
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
                    return MORE;
                }
                return error(400, b == '\n' ? E_BARE_LF : E_DATA_END);
            }
            case TRAILER_START -> {
                if (b == '\r') {
                    state = LAST_LF;
                } else if (HttpSyntax.isTchar(b)) {
                    nameLength = 0;
                    name(b);
                    state = TRAILER_NAME;
                } else {
                    return error(400, b == '\n' ? E_BARE_LF : E_TRAILER);
                }
                return trailerByte();
            }
            case TRAILER_NAME -> {
                if (b == ':') {
                    if (forbiddenInTrailer()) {
                        return error(400, E_TRAILER_FORBIDDEN);
                    }
                    state = TRAILER_VALUE;
                } else if (HttpSyntax.isTchar(b)) {
                    name(b);
                } else {
                    return error(400, E_TRAILER); // whitespace before the colon, or no colon
                }
                return trailerByte();
            }
            case TRAILER_VALUE -> {
                if (b == '\r') {
                    state = TRAILER_LF;
                } else if (b == '\n') {
                    return error(400, E_BARE_LF);
                } else if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                    return error(400, E_TRAILER);
                }
                return trailerByte();
            }
            default -> throw new IllegalStateException("chunk decoder in state " + state);
        }
    }

    /**
     * A byte of the chunk-size line where it may end or an extension may begin: ";" starts
     * an extension, CR ends the line, a bare LF is refused (RFC 9112 section 7.1 writes CRLF);
     * {@code orElse} is the state for any other acceptable byte (-1: none is).
     */
    private int sizeLine(byte b, int orElse, byte[] reason) {
        if (b == ';') {
            return to(EXT_NAME_START);
        }
        if (b == '\r') {
            return to(SIZE_LF);
        }
        if (b == '\n') {
            return error(400, E_BARE_LF);
        }
        return orElse >= 0 ? to(orElse) : error(400, reason);
    }

    private int to(int next) {
        state = next;
        return lineByte();
    }

    /** Keeps the first bytes of a trailer field's name, lower-cased, to compare with the forbidden names. */
    private void name(byte b) {
        if (nameLength < name.length) {
            name[nameLength] = b >= 'A' && b <= 'Z' ? (byte) (b + 'a' - 'A') : b;
        }
        nameLength++;
    }

    private boolean forbiddenInTrailer() {
        for (byte[] f : FORBIDDEN_IN_TRAILER) {
            if (f.length == nameLength && Arrays.equals(f, 0, f.length, name, 0, f.length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fields a sender MUST NOT put in a trailer (RFC 9110 section 6.5.1): framing, routing,
     * connection control, request modifiers (controls and conditionals), authentication, and
     * how the content is to be processed.
     */
    private static final byte[][] FORBIDDEN_IN_TRAILER = names("content-length", "transfer-encoding", "trailer", "host",
            "connection", "keep-alive", "upgrade", "te", "expect", "max-forwards", "cache-control", "pragma", "range",
            "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range", "authorization",
            "proxy-authorization", "cookie", "content-type", "content-encoding", "content-range");

    private static byte[][] names(String... names) {
        byte[][] b = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            b[i] = Bytes.ascii(names[i]);
        }
        return b;
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

    private static final byte[] NONE = new byte[0];
    private static final byte[] E_SIZE_HEX = Bytes.ascii("a chunk must start with its size in hexadecimal\n");
    private static final byte[] E_SIZE_OVERFLOW = Bytes.ascii("a chunk size has more hex digits than any body could need\n");
    private static final byte[] E_TOO_LARGE = Bytes.ascii("the request body is larger than the limit\n");
    private static final byte[] E_EXTENSION = Bytes.ascii("after a chunk size only extensions may follow: ;name or ;name=value\n");
    private static final byte[] E_BARE_LF = Bytes.ascii("chunk framing lines must end with CR LF; a bare LF is refused\n");
    private static final byte[] E_TRAILER_FORBIDDEN = Bytes.ascii("this field must not be sent as a trailer (RFC 9110 section 6.5.1)\n");
    private static final byte[] E_LINE_TOO_LONG = Bytes.ascii("a chunk-size line is longer than 4096 bytes\n");
    private static final byte[] E_DATA_END = Bytes.ascii("chunk data must be followed by CRLF\n");
    private static final byte[] E_BARE_CR = Bytes.ascii("a CR must be followed by LF (a bare CR is not a line end)\n");
    private static final byte[] E_TRAILER = Bytes.ascii("a trailer field must be: Name: value (a token, a colon, no control bytes)\n");
    private static final byte[] E_TRAILER_TOO_LARGE = Bytes.ascii("the trailer fields are larger than the head limit\n");
}
