// The figure agreement every real tree must pass: a process's regions add up to an independent reading of its smaps_rollup.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import cowfork.cow.Smaps;
import java.util.Map;

/**
 * inspect sums smaps' mappings by region; the kernel sums the same pages once more in
 * smaps_rollup. Read one after the other, they agree up to what changed in between (a busy
 * worker) and the kernel's rounding (Pss is rounded down to a kB per mapping in smaps, once in
 * the rollup): within 1% for Rss, Pss and private.
 */
final class Agreement {
    static final double TOLERANCE = 0.01;

    private Agreement() {}

    /** How far apart the two readings are, field by field, as a fraction of the rollup's figure. */
    record Gap(long regionsKb, long rollupKb) {
        double fraction() {
            return rollupKb == 0 ? (regionsKb == 0 ? 0 : 1) : Math.abs(regionsKb - rollupKb) / (double) rollupKb;
        }
    }

    static Smaps.Fields sumOfRegions(ProcessMemory p) {
        Smaps.Fields sum = Smaps.Fields.ZERO;
        for (Smaps.Fields f : p.regions().values()) {
            sum = sum.plus(f);
        }
        return sum;
    }

    static Map<String, Gap> gaps(ProcessMemory p, Smaps.Fields rollup) {
        Smaps.Fields sum = sumOfRegions(p);
        return Map.of("Rss", new Gap(sum.rssKb(), rollup.rssKb()), "Pss", new Gap(sum.pssKb(), rollup.pssKb()),
                "private", new Gap(ProcessMemory.privateKb(sum), ProcessMemory.privateKb(rollup)),
                "Swap", new Gap(sum.swapKb(), rollup.swapKb()));
    }

    static void assertRegionsMatchRollup(ProcessMemory p, Smaps.Fields rollup) {
        gaps(p, rollup).forEach((field, gap) -> assertThat(gap.fraction())
                .as("%s of %s: regions sum to %d kB, smaps_rollup says %d kB", field, p.member(), gap.regionsKb(), gap.rollupKb())
                .isCloseTo(0, within(TOLERANCE)));
    }

    /**
     * For a process that changes while it is read (the test JVM reading itself): its regions' Rss and
     * private lie between two rollups, one read before and one after, give or take 1%.
     */
    static void assertRegionsBetween(ProcessMemory p, Smaps.Fields before, Smaps.Fields after) {
        Smaps.Fields sum = sumOfRegions(p);
        assertThat((double) sum.rssKb()).as("Rss of %s", p.member())
                .isBetween(Math.min(before.rssKb(), after.rssKb()) * (1 - TOLERANCE), Math.max(before.rssKb(), after.rssKb()) * (1 + TOLERANCE));
        long privBefore = ProcessMemory.privateKb(before);
        long privAfter = ProcessMemory.privateKb(after);
        assertThat((double) ProcessMemory.privateKb(sum)).as("private of %s", p.member())
                .isBetween(Math.min(privBefore, privAfter) * (1 - TOLERANCE), Math.max(privBefore, privAfter) * (1 + TOLERANCE));
    }
}
