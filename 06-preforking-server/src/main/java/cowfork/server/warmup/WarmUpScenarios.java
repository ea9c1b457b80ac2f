// What the warm-up sends: the hot requests, timed, and every request that ends a connection, each run at least once.
package cowfork.server.warmup;

import cowfork.server.app.Store;
import cowfork.server.worker.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The requests of the warm-up. A forked worker can neither load a class nor compile a
 * method, so every branch a worker may take must have run in the master before it forks:
 * the hot path many times (so it is compiled), every error at least once (so its classes
 * are loaded and its code interpreted at least, never first loaded in a child).
 */
final class WarmUpScenarios {
    private WarmUpScenarios() {}

    /**
     * Requests a kept-alive connection answers, in the proportions of a real load: items,
     * queries, and every other route now and then (HEAD, misses, an ignored body, bare LF
     * line ends). The same seed every time: the warm-up is repeatable.
     */
    static List<byte[]> hot(Store store) {
        SplittableRandom random = new SplittableRandom(6);
        long items = Math.max(1, store.items());
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            long k = random.nextLong(items);
            list.add(get("/item/" + k));
            if (i % 4 == 0) {
                list.add(get("/query?from=" + k + "&count=" + (1 + random.nextInt(50))));
            }
            if (i % 16 == 0) {
                list.add(get("/health"));
                list.add(request("HEAD /item/" + k + " HTTP/1.1\r\nHost: w\r\n\r\n"));
                list.add(get("/item/no-such-key"));
                list.add(get("/no/such/path"));
                list.add(get("/"));
                list.add(get("/sleep?ms=0"));
                list.add(get("/dashboard/LICENSE.uPlot")); // the dashboard's routes and file answers (a small file)
                list.add(request("GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: 3\r\n\r\nabc"));
                list.add(request("GET /health HTTP/1.1\r\nHost: w\r\nConnection: keep-alive\r\n\r\n"));
                list.add(request("OPTIONS * HTTP/1.1\r\nHost: w\r\n\r\n"));
                list.add(request("OPTIONS /item/" + k + " HTTP/1.1\r\nHost: w\r\n\r\n"));
                list.add(request("GET /item/" + k + " HTTP/1.1\r\nHost: w\r\nIf-None-Match: *\r\n\r\n")); // 304
                list.add(request("GET /item/" + k + " HTTP/1.1\r\nHost: w\r\nIf-Match: \"x\"\r\n\r\n")); // 412
                list.add(request("GET /stats HTTP/1.1\r\nHost: w\r\nIf-None-Match: *\r\n\r\n")); // 304, no master
                list.add(request("GET http://w:80/health HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"));
                list.add(request("GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3 ; a = \"q\\\"\";b\r\nabc\r\n2;c=d\r\nde\r\n0\r\nX-Checksum: v\r\n\r\n"));
            }
        }
        return list;
    }

    /** Requests that end their connection (every error the parser reports, and HTTP/1.0), each on a connection of its own. */
    static List<byte[]> closing(WorkerConfig config) {
        String[] texts = {
            "BREW /pot HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/2.0\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\n\r\n",
            "GET health HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /he\u0001alth HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\n folded\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nBad Name: x\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nX: a\u0001b\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nHost: v\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: x\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: " + (config.limits().maxBodyBytes() + 1) + "\r\n\r\n",
            "GET /" + "x".repeat(config.limits().maxRequestLine()) + " HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\n" + "X-A: b\r\n".repeat(config.limits().maxHeaderFields() + 1) + "\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nX: " + "y".repeat(config.limits().maxHeadBytes()) + "\r\n\r\n",
            "\u0016\u0003\u0001 TLS hello\r\n\r\n",
            "GET /query?count=0 HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n",
            "GET /sleep?ms=x HTTP/1.0\r\n\r\n",
            "GET /health HTTP/1.0\r\n\r\n",
            "POST /health HTTP/1.1\r\nHost: w\r\nContent-Length: 0\r\n\r\n",
            "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n",
            "CONNECT example.org:x HTTP/1.1\r\nHost: example.org\r\n\r\n",
            "A".repeat(config.limits().maxRequestLine() + 1),
            "GET * HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET https://w/health HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET http://:80/health HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: a b\r\n\r\n",
            "GET /health HTTP/1.1\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\nX: y\r\n\r\n",
            "\nGET /health HTTP/1.1\r\nHost: w\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked;q=1\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n2 x\r\nab\r\n0\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: x\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nNoColon\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: w\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n",
        };
        List<byte[]> list = new ArrayList<>();
        for (String t : texts) {
            list.add(request(t));
        }
        return list;
    }

    /** A request whose client expects 100-continue, its body sent at once: a 100 (Continue), then the answer. */
    static byte[] expectContinue() {
        return request("GET /item/3 HTTP/1.1\r\nHost: w\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
    }

    /** Two requests in one packet: pipelining. */
    static byte[] pipelined() {
        return request("GET /health HTTP/1.1\r\nHost: w\r\n\r\nGET /item/1 HTTP/1.1\r\nHost: w\r\n\r\n");
    }

    static byte[] get(String target) {
        return request("GET " + target + " HTTP/1.1\r\nHost: warm-up\r\n\r\n");
    }

    private static byte[] request(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
