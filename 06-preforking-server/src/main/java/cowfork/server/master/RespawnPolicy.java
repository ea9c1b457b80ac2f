// When the master forks a worker's replacement, as a seam: the master's own backoff, or one registered in its place (chapter 06's lab).
package cowfork.server.master;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * What the master asks each time a worker dies or a fork fails: how long to wait before the
 * next fork. The rule, a table of waits, is in chapter 06's lab handout ({@code LAB.md}); the
 * master follows it with {@code RespawnBackoff}, the lab's answer. Like chapter 03's {@code RefCounts}, the policy is found, not named: a class
 * registered in {@code META-INF/services/cowfork.server.master.RespawnPolicy} takes the
 * master's place. Nothing in the course registers one; chapter 06's lab grader does, for the
 * server it starts, so the real master runs a student's policy. Not thread-safe: the master's
 * one thread owns it.
 */
public interface RespawnPolicy {

    /**
     * Records that a worker died; returns the nanoseconds to wait before forking its replacement.
     *
     * @param booted   whether it had sent its first heartbeat
     * @param requests requests it had served
     */
    long onDeath(boolean booted, long requests);

    /** Records that fork itself failed; returns the nanoseconds to wait before trying again. */
    long onForkFailure();

    /** Workers in a row that died before booting (or forks that failed): the master's log line says it. */
    int quickDeaths();

    /** The master's own policy, a new one. */
    static RespawnPolicy standard() {
        return new RespawnBackoff();
    }

    /**
     * The policy a master uses: the one registered as a service, or {@link #standard()} when
     * none is.
     *
     * @throws IllegalStateException if more than one is registered (the message names them)
     */
    static RespawnPolicy forMaster() {
        List<RespawnPolicy> found = new ArrayList<>();
        ServiceLoader.load(RespawnPolicy.class).forEach(found::add);
        if (found.size() > 1) {
            throw new IllegalStateException("more than one respawn policy is registered (META-INF/services/"
                    + RespawnPolicy.class.getName() + "): " + found.stream().map(p -> p.getClass().getName()).toList()
                    + "; register one at most");
        }
        return found.isEmpty() ? standard() : found.get(0);
    }
}
