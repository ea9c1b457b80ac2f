// Heap.verify, the DEBUG_STRESS_GC of this heap: a sound heap passes, and each kind of corruption is caught where it happens.
package cowfork.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeapVerifierTest {
    private final Heap heap = Heap.create(1 << 20, InlineRefCounts.FACTORY);

    @AfterEach
    void close() {
        heap.close();
    }

    private static void assertCorrupt(ThrowingCallable call, String... messageParts) {
        assertThatThrownBy(call).isInstanceOf(HeapException.class)
                .satisfies(e -> assertThat(((HeapException) e).kind()).isEqualTo(HeapException.Kind.HEAP_CORRUPT))
                .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    }

    /** A little of everything: a dict holding a list holding a tuple of a str (also in the dict) and None; some frees. */
    private long[] build() {
        long dict = heap.newDict();
        long list = heap.newList();
        long s = heap.newStr("shared");
        long t = heap.newTuple(s, heap.none());
        for (int i = 0; i < 30; i++) { // grows the dict's table and the list's block, freeing the old ones
            long v = heap.newInt(i);
            heap.listAppend(list, v);
            heap.dictSet(dict, "k" + i, v);
            heap.decref(v);
        }
        heap.listAppend(list, t);
        heap.dictSet(dict, "list", list);
        heap.dictSet(dict, "s", s);
        heap.dictDel(dict, "k3");
        heap.listDel(list, 0);
        heap.decref(t);
        heap.decref(list);
        return new long[] {dict, s};
    }

    @Test
    void aSoundHeapVerifiesWithAndWithoutItsRoots() {
        long[] roots = build();
        heap.verify();
        heap.verify(roots);
        // The exact check is exact: declaring the str owned twice, when the caller owns it once, is caught.
        assertCorrupt(() -> heap.verify(roots[0], roots[1], roots[1]), "count of str@" + roots[1], "must be 4", "too low");
    }

    @Test
    void withRootsDeclaredACountTooHighIsALeakWithoutRootsItCannotBeTold() {
        long[] roots = build();
        heap.region().putLong(roots[1] + Heap.OB_REFCNT, heap.refCount(roots[1]) + 1); // an incref nobody undoes
        heap.verify(); // honest limit: the extra count could belong to an owner the verifier does not know
        assertCorrupt(() -> heap.verify(roots), "count of str@" + roots[1], "too high");
        assertThat(heap.isBroken()).as("a heap found corrupt is not used further").isTrue();
    }

    @Test
    void aCountBelowTheReferencesHeldIsCaughtEvenWithoutRoots() {
        long[] roots = build();
        heap.region().putLong(roots[1] + Heap.OB_REFCNT, 1); // the tuple and the dict hold it, and the caller
        assertCorrupt(heap::verify, "count of str@" + roots[1] + "(rc=1", "at least 2", "too low");
    }

    @Test
    void withoutTheStressSwitchTheSameBugSurfacesOnlyLaterAndElsewhere() {
        long a = heap.newList();
        long b = heap.newList();
        long x = heap.newInt(7);
        heap.listAppend(a, x);
        heap.listAppend(b, x);
        heap.decref(x);
        heap.decref(heap.listGet(a, 0)); // the bug, unnoticed: x's count is 1 while two lists hold it
        heap.decref(a); // frees x under b
        long dangling = heap.listGet(b, 0);
        assertThatThrownBy(() -> heap.intValue(dangling)).isInstanceOf(HeapException.class)
                .hasMessageContaining("use after free");
    }

    @Test
    void theStressSwitchCatchesABorrowedDecrefAtTheDecrefNotAtTheCrashLater() {
        long a = heap.newList();
        long b = heap.newList();
        long x = heap.newInt(7);
        heap.listAppend(a, x);
        heap.listAppend(b, x);
        heap.decref(x); // the lists own x now: count 2
        heap.verifyEachOperation(true);
        // The bug: a borrowed reference decref'd. Nothing is freed yet, so nothing else notices;
        // without the switch this surfaces only when the second list lets go, as a use after free.
        long borrowed = heap.listGet(a, 0);
        assertCorrupt(() -> heap.decref(borrowed), "after decref", "count of int@" + x, "at least 2", "too low");
        assertThat(heap.isBroken()).isTrue();
    }

    @Test
    void aWriteThroughADanglingReferenceIsCaughtAtTheNextOperation() {
        long s = heap.newStr("a str long enough for a 64-byte chunk, whatever is next");
        heap.decref(s);
        heap.verifyEachOperation(true);
        heap.region().putInt(s + 24, 42); // a stale write into the freed chunk
        assertCorrupt(() -> heap.newInt(1), "after newInt", "freed chunk at offset " + s, "poison");
    }

    @Test
    void aFreeListLinkIntoALiveObjectIsCaught() {
        long freed = heap.newInt(1);
        long live = heap.newInt(2);
        heap.decref(freed);
        heap.region().putInt(freed + Heap.OB_SIZE, (int) (live >>> 4)); // the link now leads to a live object
        assertCorrupt(heap::verify, "free list of 32-byte chunks holds offset " + live, "not a freed chunk");
    }

    @Test
    void aStrayWriteOverAContainerReferenceIsCaught() {
        long list = heap.newList();
        long x = heap.newInt(1);
        heap.listAppend(list, x);
        heap.region().putLong(heap.region().getLong(list + Heap.LIST_ITEMS) + Heap.BLOCK_DATA, x + 16);
        assertCorrupt(heap::verify, "the list at offset " + list + " holds, as reference #0", "not a live object");
    }

    @Test
    void aHeaderOverwrittenIsCaughtAndTheStatisticsAreCheckedAgainstAWalk() {
        long x = heap.newInt(1);
        heap.region().putInt(x + Heap.OB_TYPE, 0x7F00_0000 | heap.region().getInt(x + Heap.OB_TYPE) & 0xFFFF);
        assertCorrupt(heap::verify, "chunk header at offset " + x, "size class");
    }
}
