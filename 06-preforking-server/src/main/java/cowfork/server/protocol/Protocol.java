// What master and workers say to each other over the pipes 01's Forker gives every child.
package cowfork.server.protocol;


/**
 * Messages between master and worker, one per frame of the child's
 * {@link cowfork.fork.FrameChannel}. The first byte says what the message is.
 *
 * <pre>
 *   worker -> master                                    master -> worker
 *   'H' heartbeat  | counters (28 B)                    'G' stop gracefully
 *   'R' retiring   | counters | reason (1 B)
 *   'S' stats?     | counters | token (4 B) | format (1 B)     'S' stats reply | token | format | body
 *
 *   counters = requests (8 B) | Java heap allocated (8 B) | heap left (8 B) | connections (4 B)
 * </pre>
 *
 * Big-endian numbers. A worker encodes into one reused array; the master decodes with
 * ordinary allocation (it can collect garbage).
 */
public final class Protocol {
    private Protocol() {}

    public static final byte HEARTBEAT = 'H';
    public static final byte RETIRING = 'R';
    public static final byte STATS = 'S';
    public static final byte STOP = 'G';

    /** Why a worker retires. */
    public static final byte RETIRE_MAX_REQUESTS = 1;
    public static final byte RETIRE_HEAP_BUDGET = 2;

    /** Stats formats. */
    public static final byte FORMAT_JSON = 'j';
    public static final byte FORMAT_TEXT = 't';
    /** /dashboard/data: the stats plus each process's object-heap page states ({@code DashboardData}). */
    public static final byte FORMAT_DASHBOARD = 'd';

    public static final int COUNTERS = 28;

    /** The counters a worker reports with every message. */
    public record Counters(long requests, long heapAllocated, long heapLeft, int connections) {}

    /** Writes type and counters into {@code msg}; returns the position after them. */
    public static int encodeCounters(byte[] msg, byte type, long requests, long allocated, long left, int connections) {
        msg[0] = type;
        putLong(msg, 1, requests);
        putLong(msg, 9, allocated);
        putLong(msg, 17, left);
        putInt(msg, 25, connections);
        return 1 + COUNTERS;
    }

    /** The counters of a worker message. */
    public static Counters counters(byte[] msg) {
        return new Counters(getLong(msg, 1), getLong(msg, 9), getLong(msg, 17), getInt(msg, 25));
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    public static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    public static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** The master's answer to a stats request: 'S', the worker's token, the format, the body. */
    public static byte[] statsReply(int token, byte format, byte[] body) {
        byte[] msg = new byte[6 + body.length];
        msg[0] = STATS;
        putInt(msg, 1, token);
        msg[5] = format;
        System.arraycopy(body, 0, msg, 6, body.length);
        return msg;
    }
}
