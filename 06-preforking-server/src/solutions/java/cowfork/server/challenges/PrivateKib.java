// Challenge 06, reference answer: sum Private_Clean + Private_Dirty of the smaps entries inside a range.
package cowfork.server.challenges;

import cowfork.cow.Smaps;

/** Reference answer for {@link PrivateRegionChallenge}; compiled and tested by {@code ./mvnw -B -P solutions verify}. */
final class PrivateKib {
    private PrivateKib() {}

    /**
     * The KiB of the mappings in {@code [start, end)} of process {@code pid} that are
     * private to it (present, and mapped by no other process). A range with no mapping gives 0.
     *
     * @throws IllegalStateException if the process is gone or its smaps cannot be read
     */
    static long ofRegion(int pid, long start, long end) {
        long kib = 0;
        for (Smaps.Mapping m : Smaps.all(pid)) {
            // The kernel may split one mmap into several entries (guard pages, THP): take every
            // entry that lies inside the range.
            if (m.start() >= start && m.end() <= end) {
                kib += m.fields().privateCleanKb() + m.fields().privateDirtyKb();
            }
        }
        return kib;
    }
}
