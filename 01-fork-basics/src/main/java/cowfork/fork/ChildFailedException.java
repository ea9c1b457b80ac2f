// Parent side: a child returned no result (it threw, was killed, or missed its deadline), and why.
package cowfork.fork;

/**
 * A child did not return a result: its task threw, it was killed by a signal, or the
 * watchdog killed it for missing its deadline. The message says which, with the
 * child's own stack trace when there is one.
 */
public class ChildFailedException extends RuntimeException {
    private final ChildResult result;

    public ChildFailedException(ChildResult result) {
        super(message(result));
        this.result = result;
    }

    public ChildResult result() {
        return result;
    }

    private static String message(ChildResult r) {
        StringBuilder sb = new StringBuilder("child ").append(r.pid()).append(' ').append(r.status());
        if (r.failure() != null) {
            sb.append("; its task threw:\n").append(r.failure().stripTrailing());
        } else if (r.status() instanceof ExitStatus.TimedOut) {
            if (r.lastSeen() != null) {
                sb.append(". Just before the kill: ").append(r.lastSeen());
            }
            sb.append(". A forked JVM child that stops making progress is usually blocked on a lock or"
                    + " a GC that no thread in the child can finish: see 01-fork-basics/NOTES.md, 'Why a forked JVM child hangs'");
        } else if (r.payload() == null) {
            sb.append(" before its task returned");
        }
        return sb.toString();
    }
}
