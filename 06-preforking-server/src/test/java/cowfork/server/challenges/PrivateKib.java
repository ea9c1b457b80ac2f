// Challenge 06, your file: a process's private KiB in an address range, from its smaps.
package cowfork.server.challenges;

/** The code you write for {@link PrivateRegionChallenge}. Its reference answer lives in src/solutions/java. */
final class PrivateKib {
    private PrivateKib() {}

    /**
     * YOUR CODE HERE: the KiB of the mappings in {@code [start, end)} of process {@code pid}
     * that are private to it (present, and mapped by no other process), as /stats counts them.
     * A range with no mapping gives 0.
     */
    static long ofRegion(int pid, long start, long end) {
        throw new UnsupportedOperationException("challenge 06: sum the private fields of process " + pid
                + "'s smaps entries between 0x" + Long.toHexString(start) + " and 0x" + Long.toHexString(end));
    }
}
