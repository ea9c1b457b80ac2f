// The live memory page on 127.0.0.1: the dashboard's files, and one data document per source, for watch and for inspect.
package cowfork.server.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import cowfork.server.stats.DashboardAssets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the dashboard page (02's strips and uPlot charts, {@link DashboardAssets}) for one or
 * more data sources, each under a path prefix:
 * <pre>
 *   GET /                         302 to /dashboard?servers=/a,/b   (the sources, in order)
 *   GET /dashboard[/FILE]         the page and what it loads
 *   GET /a/dashboard/data         source a's document (the shape of DashboardData's, see dashboard.html)
 * </pre>
 * A JDK HTTP server on 127.0.0.1 with threads of its own: only for a process that never forks
 * (watch, inspect), never for a server's master or worker.
 */
public final class DashboardPage {
    private DashboardPage() {}

    /** One answer of a data source. */
    public record Reply(int status, String type, byte[] body) {
        /** 200, application/json. */
        public static Reply json(String document) {
            return new Reply(200, "application/json", document.getBytes(StandardCharsets.UTF_8));
        }

        /** An error the page shows under the source's title. */
        public static Reply error(int status, String message) {
            return new Reply(status, "text/plain", (message + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Where a source's document comes from (a proxy to a server, the latest sample of a tree). */
    @FunctionalInterface
    public interface Source {
        Reply get();
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free one) and routes as in the class comment; call
     * {@code start()} on the result, and {@code getAddress().getPort()} for the port.
     *
     * @param sources by prefix ("inline", "tree": no slashes), in the order the page shows them
     * @throws IllegalStateException if the port cannot be bound (the message says to choose another)
     */
    public static HttpServer bind(int port, Map<String, Source> sources) {
        Map<String, Source> bySource = new LinkedHashMap<>(sources);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); choose another port", e);
        }
        http.createContext("/", x -> {
            String path = x.getRequestURI().getPath();
            if (!x.getRequestMethod().equals("GET")) {
                reply(x, Reply.error(405, "GET only"));
            } else if (path.equals("/")) {
                x.getResponseHeaders().add("Location", "/dashboard?servers=/" + String.join(",/", bySource.keySet()));
                reply(x, new Reply(302, "text/plain", new byte[0]));
            } else if (path.startsWith("/dashboard")) {
                byte[] file = DashboardAssets.file(path.equals("/dashboard") ? "" : path.substring("/dashboard/".length()));
                String type = path.endsWith(".js") ? "text/javascript; charset=utf-8" : path.endsWith(".css")
                        ? "text/css; charset=utf-8" : path.contains("LICENSE") ? "text/plain; charset=utf-8" : "text/html; charset=utf-8";
                reply(x, file == null ? Reply.error(404, "no such file") : new Reply(200, type, file));
            } else {
                Source source = bySource.get(path.split("/", 3)[1]);
                reply(x, source == null || !path.endsWith("/dashboard/data") ? Reply.error(404, "no such path") : source.get());
            }
        });
        return http;
    }

    private static void reply(HttpExchange x, Reply r) throws IOException {
        x.getResponseHeaders().add("Content-Type", r.type());
        x.getResponseHeaders().add("Cache-Control", "no-store");
        x.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(r.body());
        }
    }
}
