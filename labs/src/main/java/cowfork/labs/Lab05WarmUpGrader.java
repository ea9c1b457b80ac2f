// Lab 05's warm-up grader: write CPython 3.14's incref, and see why its immortal count survives old code that 3.12's did not.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.immortal.ImmortalRefCounts;
import cowfork.immortal.lab.Incref314;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link Incref314}: concrete count words first, then jqwik properties. Where 3.14's
 * incref stops storing is the student's to find in {@code Include/refcount.h}: the grader
 * finds that count in the student's own incref (the lowest low half it leaves unchanged) and
 * checks it against a digest, so this file neither names nor prints 3.14's value. Every later
 * check starts from the count found. The word is chapter 05's 8-byte count (low 32 bits: the
 * count; high 32 bits: left alone).
 */
public class Lab05WarmUpGrader {
    /** SHA-256 of the 8 big-endian bytes of the count at which 3.14's incref stops storing. */
    private static final String STOP_DIGEST = "12194347ca1e5a67f587a5c0c1be02977cc42682a239d356b7efde7c8013970a";
    /** How far from its immortal value 3.14's header promises old code may push a count (about a billion either way). */
    static final long DRIFT = 1L << 30;
    /** Room for the few real increfs of one property try (at most 40) on top of the blind drift. */
    private static final long SLACK = 64;

    /** 3.14's Py_DECREF, as chapter 05's: an immortal count (bit 31 set) is left alone; the test never takes one to 0. */
    static long decref314(long countWord) {
        return ImmortalRefCounts.isImmortalCount(countWord) ? countWord : countWord - 1;
    }

    /**
     * The lowest count word (high half 0) that the student's incref leaves as it is: where it
     * stops storing. A binary search, so it assumes what 3.14's incref does, that every count
     * below stores and every count from there up does not; {@link #concreteCounts} checks the
     * edges. -1 if incref stores even at 0xFFFFFFFF.
     */
    static long stopCount() {
        long top = 0xFFFF_FFFFL;
        if (Incref314.incref(top) != top) {
            return -1;
        }
        long lo = 1;  // incref(1) stores
        long hi = top; // incref(hi) does not
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (Incref314.incref(mid) == mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** Whether {@code count} is where 3.14's incref stops, without naming it. */
    static boolean is314sStop(long count) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(8).putLong(count).array());
            return HexFormat.of().formatHex(digest).equals(STOP_DIGEST);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The count at which the student's incref stops, checked to be 3.14's. */
    static long checkedStopCount() {
        long stop = stopCount();
        assertThat(stop).as("the lowest count word at which your incref stores nothing: it stores at every count up to"
                + " 0xFFFFFFFF, so no count is immortal to it").isNotNegative();
        assertThat(is314sStop(stop)).as("your incref stops storing at 0x%x (and goes on storing below it): that is not where"
                + " 3.14's Py_INCREF stops; find the constant Py_INCREF compares with in Include/refcount.h", stop).isTrue();
        return stop;
    }

    @Test
    void concreteCounts() {
        assertThat(Incref314.incref(1)).as("a new object's second reference").isEqualTo(2);
        assertThat(Incref314.incref(0x7FFF_FFFEL)).isEqualTo(0x7FFF_FFFFL);
        assertThat(Incref314.incref(0x7FFF_FFFFL)).as("2^31 real references: accidentally immortal, as in 3.12")
                .isEqualTo(0x8000_0000L).matches(ImmortalRefCounts::isImmortalCount, "immortal");
        long stop = checkedStopCount();
        assertThat(Incref314.incref(stop - 1)).as("an immortal count just below where your incref stops goes up to it").isEqualTo(stop);
        assertThat(Incref314.incref(0xFFFF_FFFFL)).as("3.12's immortal value: nothing stored").isEqualTo(0xFFFF_FFFFL);
        assertThat(Incref314.incref(0x1_0000_0005L)).as("the high half is left as it is").isEqualTo(0x1_0000_0006L);
        assertThat(Incref314.incref(1L << 32 | stop)).as("only the low half decides").isEqualTo(1L << 32 | stop);
    }

    /** Why 3.14 moved the value: 3.12's did not survive one blind increment; from yours, a billion either way does nothing. */
    @Test
    void whyTheValueMoved() {
        // 3.12: one blind full-width ob_refcnt++ from an extension built for 3.11 carries out of the low half.
        assertThat(ImmortalRefCounts.isImmortalCount(ImmortalRefCounts.IMMORTAL_REFCNT + 1))
                .as("3.12's 0xFFFFFFFF after one blind increment").isFalse();
        long stop = checkedStopCount();
        long billion = 1_000_000_000L;
        assertThat(ImmortalRefCounts.isImmortalCount(stop + billion)).as("your immortal count + 10^9 blind increments").isTrue();
        assertThat(Incref314.incref(stop + billion)).as("a real incref after them").isEqualTo(stop + billion);
        assertThat(ImmortalRefCounts.isImmortalCount(stop - billion)).as("your immortal count - 10^9 blind decrements").isTrue();
    }

    /** Below the immortal range incref counts, exactly; the high half is untouched. */
    @Property(tries = 200)
    void aMortalCountGoesUpByExactlyOne(@ForAll @LongRange(min = 1, max = (1L << 31) - 2) long low,
                                        @ForAll @LongRange(min = 0, max = 0xFFFF) long high) {
        long word = high << 32 | low;
        assertThat(Incref314.incref(word)).isEqualTo(word + 1);
        assertThat(ImmortalRefCounts.isImmortalCount(Incref314.incref(word))).isFalse();
    }

    /**
     * The 3.14 guarantee: an object immortalized where incref stops stays immortal under any mix
     * of real increfs and decrefs and of blind 64-bit updates from old code, as long as the blind
     * ones stay within 2^30 of the start in either direction; and real increfs never store above
     * that start.
     */
    @Property(tries = 200)
    void anImmortalCountStaysImmortalUnderRealAndBlindUpdates(@ForAll("operations") List<Long> ops) {
        long start = stopCount();
        assertThat(start).as("the count at which your incref stops storing (it never does)").isNotNegative();
        long word = start;
        long blind = 0; // net blind change so far
        for (long op : ops) {
            if (op == 0) {
                long before = word;
                word = Incref314.incref(word);
                assertThat(word & 0xFFFF_FFFFL).as("a real incref of 0x%x", before)
                        .isEqualTo(Math.max(before & 0xFFFF_FFFFL, Math.min((before & 0xFFFF_FFFFL) + 1, start)));
            } else if (op == 1) {
                word = decref314(word);
            } else if (Math.abs(blind + op) < DRIFT - SLACK) {
                blind += op;
                word += op; // old code's ob_refcnt += op on all 64 bits
            }
            assertThat(ImmortalRefCounts.isImmortalCount(word)).as("0x%x after %s", word, ops).isTrue();
        }
    }

    /** 0 = a real incref, 1 = a real decref, anything else = a run of blind increments (>0) or decrements (<0). */
    @Provide
    Arbitrary<List<Long>> operations() {
        Arbitrary<Long> blind = Arbitraries.longs().between(-(1L << 30), 1L << 30).filter(x -> x != 0 && x != 1);
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0L)), Tuple.of(3, Arbitraries.just(1L)), Tuple.of(2, blind))
                .list().ofMaxSize(40);
    }
}
