// Measure a forked child from outside while it is paused: fork, let it work, read its /proc files, release it.
package cowfork.cow;

import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import java.time.Duration;
import java.util.function.IntFunction;

/**
 * The protocol for looking at a child's memory while it is alive and quiet: the child
 * does its work, says "ready" and blocks; the parent reads {@code /proc/CHILD/...};
 * then it tells the child "done" and reaps it.
 *
 * <pre>{@code
 * PageMap map = ChildSnapshot.take(forker, () -> region.putByte(0, (byte) 1),
 *                                  pid -> PageMap.of(pid, region));
 * }</pre>
 */
public final class ChildSnapshot {
    /** How long a child may take to do its work and say "ready". */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private ChildSnapshot() {}

    /**
     * Forks a child that runs {@code work} (under the child's rules: one thread, no
     * System.out, little allocation), then calls {@code measure} with the child's pid in
     * the parent while the child waits, then releases and reaps the child.
     *
     * @return what {@code measure} returned
     * @throws cowfork.fork.ChildFailedException if the work threw in the child, or the
     *         child died or missed its deadline (its stack trace is in the message)
     * @throws IllegalStateException if the child stayed silent for {@link #READY_TIMEOUT}
     */
    public static <T> T take(Forker forker, Runnable work, IntFunction<T> measure) {
        try (ChildHandle child = forker.start(c -> {
            work.run();
            c.send("ready");
            c.receive();
            return new byte[0];
        })) {
            awaitReady(child);
            T result = measure.apply(child.pid());
            child.send("done");
            child.await().orThrow();
            return result;
        }
    }

    /**
     * Waits for a child's "ready".
     *
     * @throws cowfork.fork.ChildFailedException if the child ended first
     * @throws IllegalStateException if it sent something else, or nothing within {@link #READY_TIMEOUT}
     */
    public static void awaitReady(ChildHandle child) {
        String message = child.receiveString(READY_TIMEOUT);
        if (!"ready".equals(message)) {
            throw new IllegalStateException("child " + child.pid() + " should have said \"ready\" but said " + message
                    + " (null: nothing in " + READY_TIMEOUT.toSeconds() + " s); it is " + child);
        }
    }
}
