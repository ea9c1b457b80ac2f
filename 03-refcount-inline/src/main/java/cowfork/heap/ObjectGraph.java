// Which objects a workload will touch, and which pages their headers sit on: the prediction the kernel's page map is checked against.
package cowfork.heap;

import cowfork.cow.Region;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.LongConsumer;

/**
 * Read-only questions about a heap's object graph: what is reachable from some roots,
 * and which pages hold a set of objects' headers. Nothing here changes a count.
 */
public final class ObjectGraph {
    private ObjectGraph() {
    }

    /**
     * Every distinct object reachable from {@code roots} (the roots included), in address
     * order: exactly the objects {@link Json#write} visits when it serialises each root.
     *
     * @throws HeapException if a root is not a live object
     */
    public static long[] reachableFrom(Heap heap, long... roots) {
        Walk walk = new Walk(heap);
        for (long root : roots) {
            heap.type(root); // checks the root
            walk.accept(root);
        }
        while (walk.top > 0) {
            heap.forEachChild(walk.stack[--walk.top], walk);
        }
        long[] result = new long[walk.count];
        int n = 0;
        for (int w = 0; w < walk.seen.length; w++) {
            for (long bits = walk.seen[w]; bits != 0; bits &= bits - 1) {
                result[n++] = ((long) w * 64 + Long.numberOfTrailingZeros(bits)) * Heap.ALIGNMENT;
            }
        }
        return result;
    }

    /** A depth-first walk: a bitmap of the objects seen (one bit per aligned offset) and a stack of those to expand. */
    private static final class Walk implements LongConsumer {
        final long[] seen;
        long[] stack = new long[64];
        int top;
        int count;

        Walk(Heap heap) {
            seen = new long[(int) ((heap.usedEnd() / Heap.ALIGNMENT + 63) / 64)];
        }

        @Override
        public void accept(long ref) {
            if (mark(seen, ref)) {
                count++;
                if (top == stack.length) {
                    stack = Arrays.copyOf(stack, top * 2);
                }
                stack[top++] = ref;
            }
        }
    }

    private static boolean mark(long[] seen, long ref) {
        long index = ref / Heap.ALIGNMENT;
        int word = (int) (index >>> 6);
        long bit = 1L << (index & 63);
        if ((seen[word] & bit) != 0) {
            return false;
        }
        seen[word] |= bit;
        return true;
    }

    /**
     * The indices of the pages that hold the headers of {@code refs}: the pages an
     * inline-count incref of each object writes. Two objects on one page count once. A
     * header never straddles two pages (16-byte headers at 16-byte-aligned offsets).
     */
    public static BitSet headerPages(long[] refs) {
        BitSet pages = new BitSet();
        for (long ref : refs) {
            pages.set(Math.toIntExact(Region.pageOf(ref)));
        }
        return pages;
    }
}
