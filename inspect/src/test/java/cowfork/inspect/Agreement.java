// The figure agreement every real tree must pass: a process's regions add up to an independent reading of its smaps_rollup.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Smaps;

/**
 * inspect sums smaps' mappings by region; the kernel sums the same pages once more in
 * smaps_rollup. Read one after the other, they agree up to what changed in between (a busy
 * worker) and the kernel's rounding (Pss is rounded down to a kB per mapping in smaps, once in
 * the rollup): within 1% for Rss, Pss and private.
 */
final class Agreement {
    static final double TOLERANCE = 0.01;

    private Agreement() {}

    static Smaps.Fields sumOfRegions(ProcessMemory p) {
        Smaps.Fields sum = Smaps.Fields.ZERO;
        for (Smaps.Fields f : p.regions().values()) {
            sum = sum.plus(f);
        }
        return sum;
    }

    /**
     * The figure agreement for a process that may change while it is read (a worker still booting, a
     * master whose originals go private as its workers copy them): smaps_rollup is read just before
     * and just after inspect reads the process, and each of inspect's sums (Rss, Pss, private) must
     * lie between the two, give or take 1%. For a quiet process the two readings are equal.
     */
    static void assertAgreesWithRollup(ProcessTree.Member m) {
        Smaps.Fields before = Smaps.rollup(m.pid());
        ProcessMemory p = Sampler.read(m, true);
        Smaps.Fields after = Smaps.rollup(m.pid());
        Smaps.Fields sum = sumOfRegions(p);
        System.out.printf("inspect: agreement %s: regions/rollup Rss %d/%d Pss %d/%d private %d/%d kB%s%n", m, sum.rssKb(),
                after.rssKb(), sum.pssKb(), after.pssKb(), ProcessMemory.privateKb(sum), ProcessMemory.privateKb(after),
                before.equals(after) ? "" : " (it changed while read: rollup before Rss " + before.rssKb() + " Pss "
                        + before.pssKb() + " private " + ProcessMemory.privateKb(before) + ")");
        between("Rss of " + m, sum.rssKb(), before.rssKb(), after.rssKb());
        between("Pss of " + m, sum.pssKb(), before.pssKb(), after.pssKb());
        between("private of " + m, ProcessMemory.privateKb(sum), ProcessMemory.privateKb(before), ProcessMemory.privateKb(after));
    }

    /** {@code value} lies between the readings {@code a} and {@code b} (in either order), give or take 1%. */
    static void between(String what, long value, long a, long b) {
        assertThat((double) value).as(what).isBetween(Math.min(a, b) * (1 - TOLERANCE), Math.max(a, b) * (1 + TOLERANCE));
    }
}
