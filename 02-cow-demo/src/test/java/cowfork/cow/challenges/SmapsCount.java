// Challenge 02 (warm-up), your file: a region's private pages in one process, from smaps alone.
package cowfork.cow.challenges;

import cowfork.cow.Region;

/** The code you write for {@link SmapsOnlyChallenge}. Its reference answer lives in src/solutions/java. */
final class SmapsCount {
    private SmapsCount() {}

    /**
     * YOUR CODE HERE: how many of {@code region}'s pages are private to {@code pid}, from
     * {@code /proc/PID/smaps} only.
     *
     * @throws IllegalStateException if the process is gone or maps nothing at the region's address
     */
    static long privatePages(int pid, Region region) {
        throw new UnsupportedOperationException("challenge 02: read the region's smaps entry of process " + pid);
    }
}
