// The graders' one comparison of a prediction with the kernel: which pages one has and the other has not, not two long lists.
package cowfork.labs;

import java.util.BitSet;
import java.util.StringJoiner;
import org.assertj.core.api.Assertions;

/** Compares a set of pages the kernel found private with a prediction, and says the difference. */
final class PageSets {
    /** Pages a failure message lists, of each kind. */
    static final int LISTED = 12;

    private PageSets() {
    }

    /**
     * Passes when {@code kernel} and {@code predicted} are the same pages; fails saying which
     * pages the kernel copied that the prediction missed, and which the prediction named that
     * the kernel did not copy.
     */
    static void assertSame(String what, BitSet kernel, BitSet predicted) {
        if (kernel.equals(predicted)) {
            return;
        }
        BitSet missed = (BitSet) kernel.clone();
        missed.andNot(predicted);
        BitSet extra = (BitSet) predicted.clone();
        extra.andNot(kernel);
        Assertions.fail(what + ": the kernel found " + kernel.cardinality() + " pages private, the prediction named "
                + predicted.cardinality() + "\n  copied, not predicted: " + list(missed)
                + "\n  predicted, not copied: " + list(extra));
    }

    /** "none", or the first pages and how many there are. */
    static String list(BitSet pages) {
        if (pages.isEmpty()) {
            return "none";
        }
        StringJoiner j = new StringJoiner(", ", "pages ", "");
        int shown = 0;
        for (int p = pages.nextSetBit(0); p >= 0 && shown < LISTED; p = pages.nextSetBit(p + 1), shown++) {
            j.add(Integer.toString(p));
        }
        return j + (pages.cardinality() > LISTED ? ", ... (" + pages.cardinality() + " in all)" : "");
    }
}
