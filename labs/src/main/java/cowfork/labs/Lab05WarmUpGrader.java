// Lab 05's warm-up grader: write CPython 3.14's incref, whose immortal count sits in the middle of its range, and see why it survives old code that 3.12's did not.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.immortal.ImmortalRefCounts;
import cowfork.immortal.lab.Incref314;
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
 * Grades {@link Incref314}: concrete count words first, then jqwik properties. CPython 3.14
 * ({@code Include/refcount.h}) kept 3.12's test for immortality, bit 31 of the 32-bit count
 * ({@link ImmortalRefCounts#isImmortalCount}, so decref is unchanged), but immortalizing now
 * stores {@code 3<<30} and incref stops there (gh-125174, "make immortality sticky").
 * The word is chapter 05's 8-byte count (low 32 bits: the count; high 32 bits: left alone).
 */
public class Lab05WarmUpGrader {
    /** {@code _Py_IMMORTAL_INITIAL_REFCNT} in 3.14 on 64-bit: what immortalizing stores. */
    static final long IMMORTAL_INITIAL = 3L << 30;
    /** {@code _Py_IMMORTAL_MINIMUM_REFCNT}: every 32-bit count from here up is immortal. */
    static final long IMMORTAL_MINIMUM = 1L << 31;
    /** Room for the few real increfs of one property try (at most 40) on top of the blind drift. */
    private static final long SLACK = 64;

    /** 3.14's Py_DECREF, as chapter 05's: an immortal count (bit 31 set) is left alone; the test never takes one to 0. */
    static long decref314(long countWord) {
        return ImmortalRefCounts.isImmortalCount(countWord) ? countWord : countWord - 1;
    }

    @Test
    void concreteCounts() {
        assertThat(Incref314.incref(1)).as("a new object's second reference").isEqualTo(2);
        assertThat(Incref314.incref(0x7FFF_FFFEL)).isEqualTo(0x7FFF_FFFFL);
        assertThat(Incref314.incref(0x7FFF_FFFFL)).as("2^31 real references: accidentally immortal, as in 3.12")
                .isEqualTo(0x8000_0000L).matches(ImmortalRefCounts::isImmortalCount, "immortal");
        assertThat(Incref314.incref(0xBFFF_FFFFL)).as("an immortal count below 3<<30 drifts up to it").isEqualTo(IMMORTAL_INITIAL);
        assertThat(Incref314.incref(IMMORTAL_INITIAL)).as("3<<30 itself: nothing stored").isEqualTo(IMMORTAL_INITIAL);
        assertThat(Incref314.incref(0xFFFF_FFFFL)).as("3.12's immortal value: above 3<<30, nothing stored").isEqualTo(0xFFFF_FFFFL);
        assertThat(Incref314.incref(0x1_0000_0005L)).as("the high half is left as it is").isEqualTo(0x1_0000_0006L);
        assertThat(Incref314.incref(0x1_C000_0000L)).as("only the low half decides").isEqualTo(0x1_C000_0000L);
    }

    @Test
    void whyTheValueMoved() {
        // 3.12: one blind full-width ob_refcnt++ from an extension built for 3.11 carries out of the low half.
        assertThat(ImmortalRefCounts.isImmortalCount(ImmortalRefCounts.IMMORTAL_REFCNT + 1))
                .as("3.12's 0xFFFFFFFF after one blind increment").isFalse();
        // 3.14: a billion blind increments, or a billion blind decrements, still leave bit 31 set.
        long billion = 1_000_000_000L;
        assertThat(ImmortalRefCounts.isImmortalCount(IMMORTAL_INITIAL + billion)).as("3<<30 + 10^9").isTrue();
        assertThat(ImmortalRefCounts.isImmortalCount(IMMORTAL_INITIAL - billion)).as("3<<30 - 10^9").isTrue();
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
     * The 3.14 guarantee: an object immortalized at 3<<30 stays immortal under any mix of real
     * increfs and decrefs and of blind 64-bit updates from old code, as long as the blind ones
     * stay within 2^30 of the start in either direction; and real increfs never store above 3<<30.
     */
    @Property(tries = 200)
    void anImmortalCountStaysImmortalUnderRealAndBlindUpdates(@ForAll("operations") List<Long> ops) {
        long word = IMMORTAL_INITIAL;
        long blind = 0; // net blind change so far
        for (long op : ops) {
            if (op == 0) {
                long before = word;
                word = Incref314.incref(word);
                assertThat(word & 0xFFFF_FFFFL).as("a real incref of 0x%x", before)
                        .isEqualTo(Math.max(before & 0xFFFF_FFFFL, Math.min((before & 0xFFFF_FFFFL) + 1, IMMORTAL_INITIAL)));
            } else if (op == 1) {
                word = decref314(word);
            } else if (Math.abs(blind + op) < IMMORTAL_INITIAL - IMMORTAL_MINIMUM - SLACK) {
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
