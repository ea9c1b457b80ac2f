// A global interpreter lock in one class: every read of the shared heap holds the same lock, so counts need no atomics.
package cowfork.server.app;

import cowfork.server.stats.AddressRange;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Store} that takes one lock for each request's heap work: CPython's GIL, reduced
 * to its effect on the heap. Any refcount strategy is then safe under threads (only one
 * thread at a time writes any count), and the heap work of N threads runs one at a time;
 * threads still overlap everything outside it (reading the socket, parsing, writing).
 */
public final class LockedStore implements Store {
    private final Store inner;
    private final ReentrantLock lock;

    public LockedStore(Store inner, ReentrantLock lock) {
        this.inner = inner;
        this.lock = lock;
    }

    @Override
    public String strategy() {
        return inner.strategy();
    }

    @Override
    public long items() {
        return inner.items();
    }

    @Override
    public int itemJson(byte[] key, int keyStart, int keyEnd, byte[] out, int pos, int limit) {
        lock.lock();
        try {
            return inner.itemJson(key, keyStart, keyEnd, out, pos, limit);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int queryJson(long from, int count, byte[] out, int pos, int limit) {
        lock.lock();
        try {
            return inner.queryJson(from, count, out, pos, limit);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<AddressRange> regions() {
        return inner.regions();
    }

    @Override
    public String prepareForFork() {
        return inner.prepareForFork();
    }

    @Override
    public String describe() {
        return inner.describe() + ", one lock (GIL)";
    }
}
