// What master and workers say to each other over the pipes 01's Forker gives every child.
package cowfork.server.protocol;


/**
 * Messages between master and worker, one per frame of the child's
 * {@link cowfork.fork.FrameChannel}. The first byte says what the message is.
 *
 * <pre>
 *   worker -> master (each kind has one length)         master -> worker
 *   'H' heartbeat  | counters (28 B)                    'G' stop gracefully
 *   'R' retiring   | counters | reason (1 B)            'S' stats answer (below)
 *   'S' stats?     | counters | token (4 B) | format (1 B)
 *
 *   counters = requests (8 B) | Java heap allocated (8 B) | heap left (8 B) | connections (4 B)
 *
 *   stats answer = 'S' | n (2 B) | m (1 B) | m x [format (1 B) | length (4 B)] | n x [token (4 B) | format (1 B)]
 *                  | the m bodies, in the order of their entries
 * </pre>
 *
 * One stats answer per worker per round of the master's measuring carries every token the
 * worker asked with since the last, and each body they need once, found by its format. A
 * whole answer is at most {@link #answerLimit} bytes: a body that would make it longer is
 * not sent, its length is written negative, and the worker answers its requests 503. A worker has at most
 * {@link #MAX_ASKS_IN_FLIGHT} requests waiting for answers.
 *
 * <p>Big-endian numbers. A worker encodes into arrays made once and decodes in place; so
 * does the master when it answers (every page of its heap it writes after a fork is one
 * page less shared with its workers).
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

    /**
     * Stats requests one worker may have waiting for the master at once; a worker answers
     * further /stats requests 503 itself. The master's work per worker is bounded by it,
     * and so is what a worker's requests can hold of its pipe (never enough to fill it).
     */
    public static final int MAX_ASKS_IN_FLIGHT = 32;

    /** A stats answer's fixed part: 'S', n, m. */
    public static final int ANSWER_HEAD = 4;
    /** Bytes per body entry and per token entry of a stats answer. */
    public static final int ANSWER_BODY_ENTRY = 5;
    public static final int ANSWER_TOKEN_ENTRY = 5;

    /**
     * The length a whole worker message of kind {@code type} has; -1 for a kind the master
     * does not know. A message of another length is a broken worker, never a reason to fail.
     */
    public static int workerMessageLength(byte type) {
        return switch (type) {
            case HEARTBEAT -> 1 + COUNTERS;
            case RETIRING -> 1 + COUNTERS + 1;
            case STATS -> 1 + COUNTERS + 5;
            default -> -1;
        };
    }

    /**
     * The longest message the master sends a worker (a whole stats answer), for an object
     * heap of {@code heapPages} pages: room for /dashboard/data with the page maps of nine
     * processes (the master and eight workers) and the tables beside it, and never more than
     * {@link #MAX_ANSWER_LIMIT}. Both sides compute it from the same data set; a worker
     * allocates three buffers of it before it serves (its receive buffer and two answer
     * buffers): 0.6 MiB for the default 32 MiB data set.
     */
    public static int answerLimit(long heapPages) {
        return (int) Math.min(MAX_ANSWER_LIMIT, (64L << 10) + 9 * (heapPages + 1024));
    }

    /**
     * The limit's cap: three buffers of it (24 MiB) still leave a worker most of its Java heap
     * budget. A data set whose dashboard document is larger (an object heap of more than about
     * 3.5 GiB, 900,000 pages) gets 503 for /dashboard/data, and the master's log says why.
     */
    public static final int MAX_ANSWER_LIMIT = 8 << 20;

    /**
     * The counters a worker reports with every message, as the master keeps them: read in
     * place from each message ({@link #read}), one instance per worker for its whole life.
     */
    public static final class Counters {
        private long requests;
        private long heapAllocated;
        private long heapLeft;
        private int connections;

        /** Takes the counters of the worker message at {@code msg[at]} (type first, then the counters). */
        public void read(byte[] msg, int at) {
            requests = getLong(msg, at + 1);
            heapAllocated = getLong(msg, at + 9);
            heapLeft = getLong(msg, at + 17);
            connections = getInt(msg, at + 25);
        }

        public long requests() {
            return requests;
        }

        public long heapAllocated() {
            return heapAllocated;
        }

        public long heapLeft() {
            return heapLeft;
        }

        public int connections() {
            return connections;
        }
    }

    /** Writes type and counters into {@code msg}; returns the position after them. */
    public static int encodeCounters(byte[] msg, byte type, long requests, long allocated, long left, int connections) {
        msg[0] = type;
        putLong(msg, 1, requests);
        putLong(msg, 9, allocated);
        putLong(msg, 17, left);
        putInt(msg, 25, connections);
        return 1 + COUNTERS;
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

    /** The formats a stats answer's bodies can have, in the order they are written. */
    private static final byte[] FORMATS = {FORMAT_JSON, FORMAT_TEXT, FORMAT_DASHBOARD};

    /** The place of {@code format} in an answer's bodies (json 0, text 1, dashboard 2): index into the {@code bodies} below. */
    public static int bodyIndex(byte format) {
        return format == FORMAT_TEXT ? 1 : format == FORMAT_DASHBOARD ? 2 : 0;
    }

    /**
     * The length of a stats answer to {@code n} tokens with {@code bodies} (by
     * {@link #bodyIndex}; null: not asked for; body k is {@code bodies[k][0, lengths[k])}), and
     * which bodies it carries whole: each in order while the answer stays within
     * {@code limit}; {@code sent[k]} says.
     */
    public static int answerLength(int n, byte[][] bodies, int[] lengths, int limit, boolean[] sent) {
        int length = ANSWER_HEAD + n * ANSWER_TOKEN_ENTRY;
        for (byte[] b : bodies) {
            length += b == null ? 0 : ANSWER_BODY_ENTRY;
        }
        for (int k = 0; k < FORMATS.length; k++) {
            sent[k] = bodies[k] != null && length + lengths[k] <= limit;
            length += sent[k] ? lengths[k] : 0;
        }
        return length;
    }

    /**
     * Writes a stats answer at {@code o[at]}: tokens {@code tokens[0..n)}, each asked in
     * {@code formats[i]}, and {@code bodies} as {@link #answerLength} chose them. Returns the
     * position after it.
     */
    public static int writeAnswer(byte[] o, int at, int n, int[] tokens, byte[] formats, byte[][] bodies, int[] lengths,
                                  boolean[] sent) {
        int m = 0;
        for (byte[] b : bodies) {
            m += b == null ? 0 : 1;
        }
        o[at] = STATS;
        putShort(o, at + 1, n);
        o[at + 3] = (byte) m;
        int p = at + ANSWER_HEAD;
        for (int k = 0; k < FORMATS.length; k++) {
            if (bodies[k] != null) {
                o[p] = FORMATS[k];
                putInt(o, p + 1, sent[k] ? lengths[k] : -lengths[k]);
                p += ANSWER_BODY_ENTRY;
            }
        }
        for (int i = 0; i < n; i++) {
            putInt(o, p, tokens[i]);
            o[p + 4] = formats[i];
            p += ANSWER_TOKEN_ENTRY;
        }
        for (int k = 0; k < FORMATS.length; k++) {
            if (sent[k]) {
                System.arraycopy(bodies[k], 0, o, p, lengths[k]);
                p += lengths[k];
            }
        }
        return p;
    }

    /** A stats answer to one token (allocates: for the warm-up and tests, which play the master). */
    public static byte[] answer(int token, byte format, byte[] body, int limit) {
        byte[][] bodies = new byte[3][];
        int[] lengths = new int[3];
        bodies[bodyIndex(format)] = body;
        lengths[bodyIndex(format)] = body.length;
        boolean[] sent = new boolean[3];
        byte[] o = new byte[answerLength(1, bodies, lengths, limit, sent)];
        writeAnswer(o, 0, 1, new int[] {token}, new byte[] {format}, bodies, lengths, sent);
        return o;
    }

    public static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    public static int getShort(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
