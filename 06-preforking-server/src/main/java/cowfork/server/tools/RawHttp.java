// A minimal blocking HTTP/1.1 client over a plain socket: one connection pinned to one worker, pipelining, malformed requests.
package cowfork.server.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends bytes as they are and reads responses the way a strict client would, so the demo
 * and the tests see exactly what went over the wire. Used outside the server only (the
 * demo's and the tests' JVMs, which never fork), so java.net is fine here.
 */
public final class RawHttp {
    private RawHttp() {}

    /** GET {@code path} on a kept-alive connection and read the answer. */
    public static Response get(Socket s, String path) throws IOException {
        send(s, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Response r = read(s);
        if (r == null) {
            throw new IOException("the server closed the connection instead of answering GET " + path);
        }
        return r;
    }

    /** One response: status, headers (names in lower case) and body. */
    public record Response(int status, Map<String, String> headers, String body) {
        /** A header's value by name in any case, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes {@code request} (ISO-8859-1, so any byte value can be sent) and flushes. */
    public static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /**
     * Reads one response; null if the server closed the connection (or reset it) before the
     * first byte of one. {@code headOnly}: the request was HEAD, so no body follows.
     */
    public static Response read(InputStream in, boolean headOnly) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b;
            try {
                b = in.read();
            } catch (SocketException reset) {
                b = -1;
            }
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("the connection closed in the middle of a response head: " + head);
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : b == '\r' ? 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (!statusLine[0].equals("HTTP/1.1")) {
            throw new IOException("not an HTTP/1.1 status line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = headOnly ? new byte[0] : in.readNBytes(length);
        if (body.length != length && !headOnly) {
            throw new IOException("body shorter than Content-Length: " + body.length + " of " + length);
        }
        return new Response(Integer.parseInt(statusLine[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads one response to a request that was not HEAD; null if the server closed the connection first. */
    public static Response read(Socket s) throws IOException {
        return read(s.getInputStream(), false);
    }

    /**
     * Whether the server has closed the connection: a read sees end of stream (or a reset)
     * within the socket's read timeout.
     */
    public static boolean isClosedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }
}
