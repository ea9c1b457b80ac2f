// What a Python program does to its objects when it only reads them: take references, look, let go. Every step is a refcount write.
package cowfork.experiment;

import cowfork.heap.Heap;
import cowfork.heap.HeapException;

/**
 * Read-only workloads over a {@link Heap}, doing the reference counting an interpreter
 * does on the way: loading an object onto the stack increfs it, dropping it decrefs it.
 * None of them changes a value, and none leaves a count changed when it returns; under
 * inline counts each still writes the header of every object it touches.
 *
 * <p>All are allocation-free on the Java heap (module 06 serves requests with them from
 * a forked worker that can never collect garbage).
 */
public final class Workloads {
    private Workloads() {
    }

    /**
     * {@code dict[key]} as CPython evaluates it: the dict is loaded (incref), the value
     * looked up and returned as a <b>new reference</b> (incref), the dict dropped (decref).
     * The caller decrefs the result. Returns NULL (and increfs nothing) if the key is absent.
     *
     * @throws HeapException if {@code dict} is not a live dict
     */
    public static long lookup(Heap heap, long dict, CharSequence key) {
        heap.incref(dict);
        try {
            long value = heap.dictGet(dict, key);
            if (value != Heap.NULL) {
                heap.incref(value);
            }
            return value;
        } finally {
            heap.decref(dict);
        }
    }

    /**
     * The minimal read: incref then decref each object in {@code refs}, as merely naming
     * an object in Python does. Writes each object's count twice and leaves it unchanged.
     *
     * @throws HeapException at the first reference that is not a live object (the ones before it were touched)
     */
    public static void touch(Heap heap, long[] refs) {
        for (long ref : refs) {
            heap.incref(ref);
            heap.decref(ref);
        }
    }

    /**
     * {@code sum(lst)} over a list of ints: each item is taken as a new reference by the
     * iterator, read, and dropped.
     *
     * @throws HeapException if {@code list} is not a list or an item is not an int
     */
    public static long sumInts(Heap heap, long list) {
        heap.incref(list);
        try {
            long sum = 0;
            int n = heap.listSize(list);
            for (int i = 0; i < n; i++) {
                long item = heap.listGet(list, i);
                heap.incref(item);
                sum += heap.intValue(item);
                heap.decref(item);
            }
            return sum;
        } finally {
            heap.decref(list);
        }
    }

    /**
     * {@code sum(v[field] for v in d.values() if field in v)}: iterates a dict of dicts
     * (such as the dataset's items) and adds up one int field of each. The query a
     * server runs over many items.
     *
     * @throws HeapException if {@code dict} is not a dict of dicts, or a field is not an int
     */
    public static long sumField(Heap heap, long dict, CharSequence field) {
        heap.incref(dict);
        try {
            long sum = 0;
            for (int s = heap.dictNext(dict, 0); s >= 0; s = heap.dictNext(dict, s + 1)) {
                long item = heap.dictValueAt(dict, s);
                heap.incref(item);
                long v = heap.dictGet(item, field);
                if (v != Heap.NULL) {
                    heap.incref(v);
                    sum += heap.intValue(v);
                    heap.decref(v);
                }
                heap.decref(item);
            }
            return sum;
        } finally {
            heap.decref(dict);
        }
    }
}
