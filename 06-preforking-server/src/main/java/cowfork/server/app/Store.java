// What the endpoints read: the application's data set, preloaded by the master and shared with every worker.
package cowfork.server.app;

import cowfork.server.stats.AddressRange;
import java.util.List;

/**
 * The data a worker serves, read from the shared object heap through a refcount strategy.
 * The master builds it once, before forking; every worker reads its copy-on-write view.
 *
 * <p>Implementations must answer without allocating on the Java heap (a forked worker can
 * never collect garbage): keys arrive as byte ranges, answers are written as JSON into a
 * byte array.
 */
public interface Store {
    /** {@link #itemJson} result: no item has that key. */
    int NOT_FOUND = -1;
    /** {@link #itemJson} / {@link #queryJson} result: the answer does not fit before {@code limit}. */
    int TOO_LARGE = -2;

    /** The refcount strategy's name: inline, sidetable, immortal. */
    String strategy();

    /** How many items the data set holds; keys are {@code 0 .. items()-1} in decimal. */
    long items();

    /**
     * Writes the item whose key is {@code key[keyStart, keyEnd)} as a JSON object into
     * {@code out[pos, limit)}.
     *
     * @return the position after the JSON, {@link #NOT_FOUND}, or {@link #TOO_LARGE}
     */
    int itemJson(byte[] key, int keyStart, int keyEnd, byte[] out, int pos, int limit);

    /**
     * Runs the small query over {@code count} items starting at item {@code from} (keys wrap
     * around) and writes its JSON answer into {@code out[pos, limit)}.
     *
     * @return the position after the JSON, or {@link #TOO_LARGE}
     */
    int queryJson(long from, int count, byte[] out, int pos, int limit);

    /**
     * The address ranges whose memory the stats report by name ("object heap",
     * "refcount table"), for classifying the kernel's smaps entries.
     */
    List<AddressRange> regions();

    /**
     * Called by the master once, before the warm-up and the first fork (to immortalize, say);
     * returns what it did, in a line for the log, or "" if nothing.
     */
    String prepareForFork();

    /** One line about the data set, for the master's startup log. */
    String describe();
}
