// Where a worker keeps the master's stats answers while its clients read them: two buffers made before it serves.
package cowfork.server.worker;

/**
 * A stats answer is larger than a connection's output buffer, so its clients are sent
 * their body straight from where the worker keeps it ({@link Connection#extra}). A forked
 * worker cannot collect garbage, so that place is not a new array per answer but one of
 * two made when the worker starts, each as long as the longest answer the master sends
 * ({@link cowfork.server.protocol.Protocol#answerLimit}).
 *
 * <pre>
 *   answer k     goes into the buffer answer k-1 did not use, if no client still reads from it
 *   answer k+1   into the other one ... and so on, alternating
 *   both in use  the clients still reading answer k-1 are cut off: slower than two rounds of the master
 * </pre>
 */
final class AnswerBuffers {
    private final byte[][] buffers;
    /** The buffer the newest answer went into (-1: none yet). */
    private int newest = -1;
    /** Connections closed because they still read an answer two answers old. */
    long shed;

    AnswerBuffers(int limit) {
        this.buffers = new byte[][] {new byte[limit], new byte[limit]};
    }

    /**
     * A buffer for the next answer: the one the previous answer did not use, unless a client
     * still reads from it and the other is free; if both are read from, the clients of the
     * older answer are closed.
     */
    byte[] next(Slots slots) {
        int older = newest < 0 ? 0 : 1 - newest;
        int pick = older;
        if (inUse(slots, buffers[older]) && newest >= 0 && !inUse(slots, buffers[newest])) {
            pick = newest;
        } else if (inUse(slots, buffers[older])) {
            for (int i = slots.count() - 1; i >= 0; i--) {
                if (i < slots.count() && slots.get(i).extra == buffers[older]) {
                    slots.close(slots.get(i));
                    shed++;
                }
            }
        }
        newest = pick;
        return buffers[pick];
    }

    private static boolean inUse(Slots slots, byte[] buffer) {
        for (int i = 0; i < slots.count(); i++) {
            if (slots.get(i).extra == buffer) {
                return true;
            }
        }
        return false;
    }
}
