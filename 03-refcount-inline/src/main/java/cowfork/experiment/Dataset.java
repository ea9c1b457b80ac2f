// What a web app preloads before forking its workers: a catalogue of items keyed by id, built in the heap.
package cowfork.experiment;

/**
 * The object graph {@link DatasetBuilder} builds:
 * <pre>
 * root = {
 *   "items": { "item-0": item, "item-1": item, ... },   # itemCount entries
 *   "ids":   ["item-0", "item-1", ...],                 # the same key objects, in order
 *   "tags":  ["red", "blue", ...],                      # the shared tag vocabulary
 *   "meta":  {"count": itemCount, "seed": seed}
 * }
 * item = {"id": "item-7", "name": "...", "price": 1299, "stock": 42,
 *         "tags": ["red", "sale"], "dims": (30, 20, 5)}
 * </pre>
 * Field names and tags are shared str objects (as CPython interns identifiers), so they
 * carry large counts; everything else belongs to one item.
 *
 * @param root      the root dict: a reference owned by whoever built the dataset (decref it to free all)
 * @param items     the items dict, borrowed from root
 * @param ids       the list of item keys in order, borrowed from root
 * @param itemCount how many items were built
 * @param seed      the seed they were built from
 */
public record Dataset(long root, long items, long ids, int itemCount, long seed) {
    /** The key of item {@code i}, as a new string. */
    public static String key(int i) {
        return "item-" + i;
    }

    /** Writes the key of item {@code i} into {@code out} (cleared first), allocating nothing; returns it. */
    public static StringBuilder key(int i, StringBuilder out) {
        out.setLength(0);
        return out.append("item-").append(i);
    }
}
