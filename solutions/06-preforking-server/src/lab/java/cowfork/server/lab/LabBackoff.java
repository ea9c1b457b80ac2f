// Lab 06, reference answer: the master's own RespawnBackoff is the answer; this class hands every call to it.
package cowfork.server.lab;

import cowfork.server.master.RespawnPolicy;

/**
 * Reference answer for lab 06 (graded by {@code Lab06Grader}): chapter 06's
 * {@code cowfork.server.master.RespawnBackoff}, read it for the code. One counter, the deaths
 * before booting in a row: a worker that had booted or served resets it and is replaced at once;
 * a death before booting increments it and waits 0 the first time, then 100 ms doubled for each
 * further one, at most 10 s; a failed fork increments it and waits as the table's next step.
 */
public final class LabBackoff implements RespawnPolicy {
    private final RespawnPolicy answer = RespawnPolicy.standard();

    @Override
    public long onDeath(boolean booted, long requests) {
        return answer.onDeath(booted, requests);
    }

    @Override
    public long onForkFailure() {
        return answer.onForkFailure();
    }

    @Override
    public int quickDeaths() {
        return answer.quickDeaths();
    }
}
