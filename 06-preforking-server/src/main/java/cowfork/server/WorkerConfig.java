// The settings one worker runs with, fixed by the master before it forks that worker.
package cowfork.server;

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
 */
public record WorkerConfig(HttpParser.Limits limits, long keepAliveNanos, long clientTimeoutNanos, int maxConnections,
                           int outBufferBytes, long heartbeatNanos, long retireAfterRequests, long heapReserveBytes) {

    /** The input buffer must hold a whole request head. */
    int inBufferBytes() {
        return limits.maxHeadBytes() + 1;
    }

    /** The same settings with another retirement point (each worker gets its own jitter). */
    public WorkerConfig withRetireAfter(long requests) {
        return new WorkerConfig(limits, keepAliveNanos, clientTimeoutNanos, maxConnections, outBufferBytes,
                heartbeatNanos, requests, heapReserveBytes);
    }

    /** The same settings with other timeouts (warm-up uses tiny ones to run the timeout paths). */
    public WorkerConfig withTimeouts(long keepAlive, long clientTimeout, long heartbeat) {
        return new WorkerConfig(limits, keepAlive, clientTimeout, maxConnections, outBufferBytes, heartbeat,
                retireAfterRequests, heapReserveBytes);
    }
}
