// A test helper's close() that waits: an interrupt is kept, never swallowed, and ends the test.
package cowfork.server;

/**
 * For a test helper whose {@code close()} joins threads: {@code AutoCloseable.close()} should
 * not throw {@link InterruptedException} (javac's lint says why: try-with-resources could
 * suppress it), so the waiting runs here, and an interrupt sets the thread's flag again and
 * ends the test with an error that says what was being waited for.
 */
public final class Interrupts {
    private Interrupts() {
    }

    /** Something that waits, and may be interrupted while it does. */
    @FunctionalInterface
    public interface Waiting {
        void run() throws InterruptedException;
    }

    /**
     * Runs {@code waiting}.
     *
     * @throws IllegalStateException "interrupted while WHAT" if the thread is interrupted
     *         while it waits (the interrupt flag is set again)
     */
    public static void keep(String what, Waiting waiting) {
        try {
            waiting.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }
}
