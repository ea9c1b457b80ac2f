// The warm-up's HTTP client: non-blocking sockets to the master's own loopback listener, on the thread that also runs the worker.
package cowfork.server.warmup;

import cowfork.fork.ForkException;
import cowfork.server.http.Bytes;
import cowfork.server.http.HttpParser;
import cowfork.server.worker.SocketLib;
import cowfork.server.worker.Sockets;
import cowfork.server.worker.Worker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A client that shares its thread with the server it talks to: it never blocks, and
 * while it waits for an answer it calls {@code step}, which runs one non-blocking pass of
 * the {@link Worker} under warm-up. It reads just enough HTTP to know when a response is
 * whole (the head, then {@code Content-Length} bytes unless the request was HEAD).
 *
 * <p>It allocates nothing per request (requests are copied into one buffer wrapped once),
 * so what the warm-up measures per request is the worker's allocation alone.
 */
final class LoopbackClient {
    private static final int MSG_DONTWAIT = 0x40;
    /** Worker steps to wait for an answer before calling the worker broken. */
    static final int MAX_STEPS = 10_000;
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("Content-Length: ");
    private static final byte[] HEAD = Bytes.ascii("HEAD ");
    private static final byte[] HTTP11 = Bytes.ascii("HTTP/1.1 ");

    private final SocketLib net = Sockets.lib();
    private final int port;
    private final Runnable step;
    private final byte[] response = new byte[256 * 1024];
    private final ByteBuffer responseBuffer = ByteBuffer.wrap(response);
    private final byte[] request = new byte[64 * 1024];
    private final ByteBuffer requestBuffer = ByteBuffer.wrap(request);
    /** The request in flight is HEAD: its answer has a Content-Length but no body. */
    private boolean expectHeadOnly;

    /** A client of 127.0.0.1:{@code port}; {@code step} runs the server one pass. */
    LoopbackClient(int port, Runnable step) {
        this.port = port;
        this.step = step;
    }

    /**
     * A new connection (the listener's backlog takes it; the worker accepts it in a step).
     *
     * @throws ForkException if the master cannot reach its own listener
     */
    int connect() {
        int fd = net.socket(SocketLib.AF_INET, SocketLib.SOCK_STREAM, 0);
        byte[] addr = Sockets.sockaddrIn("127.0.0.1", port);
        if (fd < 0 || net.connect(fd, addr, addr.length) < 0) {
            throw new ForkException("warm-up connect(127.0.0.1:" + port + ")", Sockets.errno(),
                    "the master could not reach its own warm-up listener");
        }
        return fd;
    }

    void close(int client) {
        net.close(client);
    }

    /**
     * Sends a request and steps the worker until its whole answer (or the closing of the
     * connection) arrived.
     *
     * @throws IllegalStateException if a kept-alive request gets no HTTP/1.1 answer, or none in {@link #MAX_STEPS} steps
     */
    void exchange(int client, byte[] request, boolean keepAlive) {
        expectHeadOnly = Bytes.startsWith(request, 0, request.length, HEAD);
        send(client, request, 0, request.length);
        awaitResponses(client, 1);
        if (keepAlive && !Bytes.startsWith(response, 0, response.length, HTTP11)) {
            throw new IllegalStateException("warm-up: no HTTP answer to "
                    + new String(request, StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""));
        }
    }

    /** Sends the rest of a request whose first {@code from} bytes went earlier, and awaits its answer. */
    void exchangeRest(int client, byte[] request, int from) {
        send(client, request, from, request.length - from);
        awaitResponses(client, 1);
    }

    /** The next answers are to GET requests (they have bodies). */
    void expectBodies() {
        expectHeadOnly = false;
    }

    /**
     * Sends {@code length} bytes of {@code data} from {@code from}.
     *
     * @throws IllegalStateException if the socket does not take them all at once
     */
    void send(int client, byte[] data, int from, int length) {
        System.arraycopy(data, from, request, 0, length);
        requestBuffer.limit(length);
        requestBuffer.position(0);
        long n = net.send(client, requestBuffer, length, SocketLib.MSG_NOSIGNAL);
        if (n != length) {
            throw new IllegalStateException("warm-up: the client could not send its request (" + n + " of " + length + ")");
        }
    }

    /**
     * Steps the worker until {@code count} whole responses (or end of stream) have arrived on {@code client}.
     *
     * @throws IllegalStateException if they have not after {@link #MAX_STEPS} steps
     */
    void awaitResponses(int client, int count) {
        int have = 0;
        int done = 0;
        for (int i = 0; i < MAX_STEPS; i++) {
            step.run();
            int n = readAvailable(client, have);
            if (n < 0) {
                return; // the worker closed the connection
            }
            have += n;
            int p = 0;
            done = 0;
            int len;
            while ((len = completeResponse(p, have)) > 0) {
                p += len;
                done++;
            }
            if (done >= count) {
                return;
            }
        }
        throw new IllegalStateException("warm-up: no complete answer after " + MAX_STEPS + " steps (" + done + " of "
                + count + ", " + have + " bytes)");
    }

    /** Reads what is there without blocking, from the start of the buffer; 0 if nothing, -1 at end of stream. */
    int readAvailable(int client) {
        return readAvailable(client, 0);
    }

    private int readAvailable(int client, int at) {
        ByteBuffer b = responseBuffer;
        b.limit(response.length);
        b.position(at);
        long n = net.recv(client, b, response.length - at, MSG_DONTWAIT);
        if (n == 0) {
            return -1;
        }
        return n < 0 ? 0 : (int) n;
    }

    /** Whether the last bytes read start with {@code prefix}. */
    boolean responseStartsWith(String prefix) {
        return Bytes.startsWith(response, 0, response.length, Bytes.ascii(prefix));
    }

    private static final byte[] NO_CONTENT = Bytes.ascii("204 ");
    private static final byte[] NOT_MODIFIED = Bytes.ascii("304 ");

    /** The length of the complete response at {@code response[from..have)}, or 0 if it is not all there. */
    private int completeResponse(int from, int have) {
        int headEnd = HttpParser.findHeadEnd(response, from, have);
        if (headEnd < 0) {
            return 0;
        }
        int cl = indexOf(response, from, headEnd, CONTENT_LENGTH);
        long length = 0;
        if (cl >= 0) {
            int s = cl + CONTENT_LENGTH.length;
            int e = Bytes.indexOf(response, s, headEnd, (byte) '\r');
            length = Bytes.parseDecimal(response, s, e);
        }
        // RFC 9112 section 6.3: an answer to HEAD, a 1xx, 204 or 304 ends at its blank line, whatever its Content-Length.
        byte code = headEnd - from > HTTP11.length ? response[from + HTTP11.length] : 0;
        boolean bodiless = expectHeadOnly || code == '1' || Bytes.startsWith(response, from + HTTP11.length, headEnd, NO_CONTENT)
                || Bytes.startsWith(response, from + HTTP11.length, headEnd, NOT_MODIFIED);
        long total = headEnd - from + (bodiless ? 0 : length);
        return have - from >= total ? (int) total : 0;
    }

    private static int indexOf(byte[] buf, int from, int to, byte[] word) {
        for (int i = from; i + word.length <= to; i++) {
            if (Bytes.equals(buf, i, i + word.length, word)) {
                return i;
            }
        }
        return -1;
    }
}
