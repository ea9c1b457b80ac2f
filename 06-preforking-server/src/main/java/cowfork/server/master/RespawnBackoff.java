// When the master forks a replacement: at once for a worker that had booted, later and later for workers that die while booting.
package cowfork.server.master;

/**
 * The master's crash-loop brake. A worker that dies before it has booted (sent its first
 * heartbeat) is a sign that every new worker will die the same way (a bad setting, a
 * missing resource), and forking them as fast as they die would burn the machine. A worker
 * that had booted and is killed from outside (an operator's {@code kill -9}, the OOM
 * killer) or crashes in a request says nothing about the next one: it is replaced at once,
 * however often that happens.
 *
 * <pre>
 *   died before booting, n-th time in a row:  1      2       3       4    ...  9+
 *   next fork after:                          0      100 ms  200 ms  400 ms  ...  10 s (cap)
 *   a worker that had booted dies:            0, and the count starts again
 * </pre>
 */
final class RespawnBackoff implements RespawnPolicy {
    static final long FIRST_DELAY_NANOS = 100_000_000L;
    static final long MAX_DELAY_NANOS = 10_000_000_000L;

    private int quickDeaths;

    @Override
    public long onDeath(boolean booted, long requests) {
        if (booted || requests > 0) {
            quickDeaths = 0;
            return 0;
        }
        quickDeaths++;
        return quickDeaths <= 1 ? 0 : delay(quickDeaths - 1);
    }

    @Override
    public long onForkFailure() {
        quickDeaths++;
        return delay(quickDeaths);
    }

    @Override
    public int quickDeaths() {
        return quickDeaths;
    }

    /** 100 ms doubled {@code n - 1} times, at most 10 s. */
    private static long delay(int n) {
        return Math.min(MAX_DELAY_NANOS, FIRST_DELAY_NANOS << Math.min(20, n - 1));
    }
}
