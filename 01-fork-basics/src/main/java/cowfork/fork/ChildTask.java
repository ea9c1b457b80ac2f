// Child side: the code a forked child runs, on its only thread.
package cowfork.fork;

/**
 * What a forked child runs. It runs on the child's only thread, in a copy of the
 * parent's memory, and must follow the child's rules (see {@link ChildContext}).
 */
@FunctionalInterface
public interface ChildTask {
    /**
     * Does the child's work and returns the bytes the parent receives as the result
     * (an empty array for none). An exception is reported to the parent, which rethrows
     * it as a {@link ChildFailedException} with this stack trace as text.
     */
    byte[] run(ChildContext child) throws Exception;
}
