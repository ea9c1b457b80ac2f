// The settings one worker runs with, fixed by the master before it forks that worker.
package cowfork.server.worker;

import cowfork.server.app.Endpoints;
import cowfork.server.http.HttpParser;

/**
 * What a {@link Worker} needs to know; built by the master from the command line.
 *
 * @param limits              request line, header and body limits
 * @param keepAliveNanos      how long an idle kept-alive connection stays open
 * @param clientTimeoutNanos  how long a client may take to send a whole request (or read a response)
 * @param maxConnections      connections served at once; the pool is allocated up front
 * @param outBufferBytes      per-connection response buffer; a larger response is sent in two parts
 * @param heartbeatNanos      how often the worker tells the master it is alive
 * @param retireAfterRequests the worker retires after this many requests (max-requests plus jitter)
 * @param heapReserveBytes    the worker retires when less Java heap than this is left to allocate
 * @param routes              which routes beyond the application's are served (/sleep, /stats and the dashboard)
 */
public record WorkerConfig(HttpParser.Limits limits, long keepAliveNanos, long clientTimeoutNanos, int maxConnections,
                           int outBufferBytes, long heartbeatNanos, long retireAfterRequests, long heapReserveBytes,
                           Endpoints.Routes routes) {

    /**
     * The Java heap the worker's connection pool takes: an input and an output buffer per
     * connection. The worker allocates it when it starts, after fork, from the eden it
     * inherited (a forked JVM cannot collect garbage), so it must fit there with room to spare.
     */
    public long poolBytes() {
        return (long) maxConnections * (inBufferBytes() + outBufferBytes);
    }

    /**
     * How long a connection may take to send a request head (nginx's client_header_timeout):
     * the client timeout, but at most {@link #HEADER_TIMEOUT_CAP_NANOS}. A slot held by a
     * head that trickles in is a slot no one else can use; the body and the answer still
     * get the whole client timeout.
     */
    long headerTimeoutNanos() {
        return Math.min(clientTimeoutNanos, HEADER_TIMEOUT_CAP_NANOS);
    }

    /** The longest header timeout (with the default 10 s client timeout: the header timeout). */
    static final long HEADER_TIMEOUT_CAP_NANOS = 5_000_000_000L;

    /**
     * When every slot is taken and a client is waiting, a connection whose head has been
     * incomplete this long may lose its slot to it (idle kept-alive connections lose theirs first).
     */
    static final long SHED_INCOMPLETE_AFTER_NANOS = 500_000_000L;

    /**
     * Likewise for a new connection that has sent nothing at all this long: a real client
     * sends its request within a round trip of connecting.
     */
    static final long SHED_SILENT_AFTER_NANOS = 100_000_000L;

    /** The input buffer must hold a whole request head. */
    public int inBufferBytes() {
        return limits.maxHeadBytes() + 1;
    }

    /** The same settings with another retirement point (each worker gets its own jitter). */
    public WorkerConfig withRetireAfter(long requests) {
        return new WorkerConfig(limits, keepAliveNanos, clientTimeoutNanos, maxConnections, outBufferBytes,
                heartbeatNanos, requests, heapReserveBytes, routes);
    }

    /** The same settings with other timeouts (warm-up uses tiny ones to run the timeout paths). */
    public WorkerConfig withTimeouts(long keepAlive, long clientTimeout, long heartbeat) {
        return new WorkerConfig(limits, keepAlive, clientTimeout, maxConnections, outBufferBytes, heartbeat,
                retireAfterRequests, heapReserveBytes, routes);
    }
}
