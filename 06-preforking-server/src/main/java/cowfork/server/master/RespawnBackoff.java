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
 *   the streak, this one included (n-th in a row):  1       2       3       4      ...  8       9+
 *   it died before booting:  next fork after         0       100 ms  200 ms  400 ms ...  6.4 s   10 s (cap)
 *   the fork failed:         next try after          100 ms  200 ms  400 ms  800 ms ...  10 s    10 s
 *   a worker that had booted, or served, dies: next fork at once, and the streak is 0 again
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
