// A quiet pre-forked tree in a JVM of its own, for inspect to read from the outside: ForkedTree, then wait for stdin to close.
package cowfork.inspect;

import java.io.IOException;

/**
 * {@code QuietTree PAGES WORKERS PAGES_PER_WORKER}: maps and fills PAGES pages, forks WORKERS
 * children that each write PAGES_PER_WORKER pages of their own ({@link ForkedTree}), prints
 * {@code ready region=ADDRESS_HEX}, and then does nothing until its stdin closes. Nothing in the
 * tree writes memory while it is inspected, so two readings of it agree to the kernel's rounding.
 */
public final class QuietTree {
    private QuietTree() {}

    public static void main(String[] args) throws IOException {
        try (ForkedTree tree = ForkedTree.start(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), 1)) {
            System.out.println("ready region=" + Long.toHexString(tree.region.address()));
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for EOF: the test closed our stdin, or killed us
            }
        }
    }
}
