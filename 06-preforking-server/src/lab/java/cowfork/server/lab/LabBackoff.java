// Lab 06, your file: the master's crash-loop brake, which decides how long to wait before forking a dead worker's replacement.
package cowfork.server.lab;

import cowfork.server.master.RespawnPolicy;

/**
 * YOUR RESPAWN POLICY (lab 06; the handout is 06-preforking-server/LAB.md, the grader
 * {@code ./cowfork lab 06}).
 *
 * <p>The master calls {@link #onDeath} each time a worker dies and {@link #onForkFailure} each
 * time {@code fork()} fails, and waits as long as you say before the next fork. The grader
 * starts a real server whose master runs this class instead of its own, kills its workers, and
 * reads what the master does. The handout's table is the behaviour to reach.
 *
 * <p>Keep the class's name, its public no-argument constructor (the master creates it) and the
 * methods; add fields as you need. The master calls it from one thread only.
 */
public final class LabBackoff implements RespawnPolicy {

    @Override
    public long onDeath(boolean booted, long requests) {
        throw new UnsupportedOperationException("lab 06: onDeath is not written: the master does not know how long to wait"
                + " before replacing a dead worker");
    }

    @Override
    public long onForkFailure() {
        throw new UnsupportedOperationException("lab 06: onForkFailure is not written: the master does not know how long to"
                + " wait after a failed fork");
    }

    @Override
    public int quickDeaths() {
        throw new UnsupportedOperationException("lab 06: quickDeaths is not written: the master cannot say how many workers in"
                + " a row died before booting");
    }
}
