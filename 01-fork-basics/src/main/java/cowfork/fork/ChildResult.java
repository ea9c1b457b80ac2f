// Parent side: everything the parent learns about a child that has ended and been reaped.
package cowfork.fork;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Everything the parent learns about a child that has ended and been reaped.
 *
 * @param pid      the child's process id (gone now, unless {@code status} says not reaped)
 * @param status   how it ended
 * @param payload  what its task returned, or null if it never returned
 * @param failure  the stack trace of the exception its task threw, or null
 * @param elapsed  from fork to reaping
 * @param lastSeen for a child the watchdog killed: where it was stuck, read from /proc just
 *                 before the kill (state, wait channel, system call); null otherwise
 */
public record ChildResult(int pid, ExitStatus status, byte[] payload, String failure, Duration elapsed, String lastSeen) {

    /** The payload as UTF-8 text. */
    public String payloadAsString() {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    /** True if the task returned and the child exited with code 0. */
    public boolean succeeded() {
        return payload != null && status.isSuccess();
    }

    /**
     * The payload if the task returned and the child exited normally (any exit code it chose);
     * otherwise throws a {@link ChildFailedException} that says what happened.
     */
    public byte[] orThrow() {
        if (payload != null && status instanceof ExitStatus.Exited) {
            return payload;
        }
        throw new ChildFailedException(this);
    }

    @Override
    public String toString() {
        return "child " + pid + " " + status + " after " + elapsed.toMillis() + " ms"
                + (payload != null ? ", returned " + payload.length + " bytes" : "")
                + (failure != null ? ", threw " + failure.lines().findFirst().orElse("") : "")
                + (lastSeen != null && !lastSeen.isEmpty() ? "; when the watchdog killed it: " + lastSeen : "");
    }
}
