// Fills a heap deterministically with a web app's preloaded data, to a requested size, reporting progress on long builds.
package cowfork.experiment;

import cowfork.heap.Heap;
import cowfork.support.Sizes;
import java.io.PrintStream;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Builds a {@link Dataset} in a heap: items are added until the heap's live bytes reach
 * the target. The same seed and target always give the same objects at the same offsets
 * (on a fresh heap of the same strategy-independent layout).
 */
public final class DatasetBuilder {
    /** A dataset of this size is what demos build by default. */
    public static final long DEFAULT_TARGET = 32L << 20;
    /** The default seed. */
    public static final long DEFAULT_SEED = 2024;

    /** Called during a build with the bytes built so far; implementations print a progress bar. */
    @FunctionalInterface
    public interface Progress {
        void update(long builtBytes, long targetBytes);

        /** No progress display. */
        static Progress none() {
            return (built, target) -> {
            };
        }

        /**
         * A bar on {@code err} ("[####....]  42% 27.0 MiB / 64.0 MiB") redrawn in place, ending
         * with a newline when the dataset is built; none below 64 MiB, which builds quickly enough.
         */
        static Progress bar(PrintStream err, long size) {
            if (size < 64L << 20) {
                return none();
            }
            return (built, target) -> {
                int width = 40;
                int done = (int) (width * built / target);
                err.printf(Locale.ROOT, "\r  [%s%s] %3d%% %s / %s", "#".repeat(done), ".".repeat(width - done),
                        100 * built / target, Sizes.format(built), Sizes.format(target));
                if (built >= target) {
                    err.println();
                }
            };
        }
    }

    private static final String[] TAGS = {
        "red", "green", "blue", "black", "white", "small", "medium", "large", "sale", "new", "eco", "premium",
        "kitchen", "garden", "office", "outdoor", "kids", "sport", "travel", "winter", "summer", "gift", "classic", "pro"
    };
    private static final String[] WORDS = {
        "Alpine", "Brass", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Kestrel",
        "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Timber", "Umber", "Vertex",
        "Willow", "Zephyr", "lamp", "kettle", "chair", "backpack", "jacket", "mug", "desk", "tent", "bottle", "scarf"
    };

    private DatasetBuilder() {
    }

    /**
     * The heap size to create for a dataset of {@code targetBytes}: room for the data, for
     * the tables and lists abandoned as they grew, and a margin.
     */
    public static long heapSizeFor(long targetBytes) {
        return targetBytes + targetBytes / 4 + (4L << 20);
    }

    /** {@link #build(Heap, long, long, Progress)} with the default seed and no progress display. */
    public static Dataset build(Heap heap, long targetBytes) {
        return build(heap, targetBytes, DEFAULT_SEED, Progress.none());
    }

    /**
     * Builds items into {@code heap} until its live bytes reach {@code targetBytes}, and
     * returns the dataset; the caller owns {@link Dataset#root()}.
     *
     * @throws IllegalArgumentException if {@code targetBytes} is not positive or the heap is
     *         smaller than {@link #heapSizeFor(long)} asks for (the message says what size to use)
     */
    public static Dataset build(Heap heap, long targetBytes, long seed, Progress progress) {
        if (targetBytes <= 0) {
            throw new IllegalArgumentException("a dataset needs a positive size, got " + targetBytes + " bytes");
        }
        long capacity = heap.stats().capacity();
        if (capacity < heapSizeFor(targetBytes) - (4L << 20) - 4096) {
            throw new IllegalArgumentException("a heap of " + capacity + " bytes is too small for a " + targetBytes
                    + "-byte dataset: create it with Heap.create(DatasetBuilder.heapSizeFor(" + targetBytes + "), ...) = "
                    + heapSizeFor(targetBytes) + " bytes");
        }
        SplittableRandom random = new SplittableRandom(seed);
        long root = heap.newDict();
        long items = heap.newDict();
        long ids = heap.newList();
        long tags = heap.newList();
        long[] tagRefs = new long[TAGS.length];
        for (int i = 0; i < TAGS.length; i++) {
            tagRefs[i] = heap.newStr(TAGS[i]);
            heap.listAppend(tags, tagRefs[i]);
            heap.decref(tagRefs[i]); // the tags list owns them now; tagRefs are borrowed from it
        }
        Fields f = new Fields(heap);
        int count = 0;
        long reportEvery = Math.max(1, targetBytes / 200);
        long nextReport = reportEvery;
        while (heap.stats().liveBytes() < targetBytes) {
            addItem(heap, items, ids, count, random, f, tagRefs);
            count++;
            long live = heap.stats().liveBytes();
            if (live >= nextReport) {
                progress.update(Math.min(live, targetBytes), targetBytes);
                nextReport = live + reportEvery;
            }
        }
        long meta = heap.newDict();
        putInt(heap, meta, f.count, count);
        putInt(heap, meta, f.seed, seed);
        put(heap, root, f.items, items);
        put(heap, root, f.ids, ids);
        put(heap, root, f.tags, tags);
        put(heap, root, f.meta, meta);
        f.release(heap);
        progress.update(targetBytes, targetBytes);
        return new Dataset(root, items, ids, count, seed);
    }

    private static void addItem(Heap heap, long items, long ids, int i, SplittableRandom random, Fields f, long[] tagRefs) {
        long key = heap.newStr(Dataset.key(i));
        long item = heap.newDict();
        heap.dictSet(item, f.id, key);
        long name = heap.newStr(WORDS[random.nextInt(24)] + " " + WORDS[24 + random.nextInt(WORDS.length - 24)]
                + " " + (100 + random.nextInt(900)));
        put(heap, item, f.name, name);
        putInt(heap, item, f.price, 99 + random.nextInt(100_000));
        putInt(heap, item, f.stock, random.nextInt(500));
        long tags = heap.newList(4);
        int tagCount = 1 + random.nextInt(4);
        for (int t = 0; t < tagCount; t++) {
            heap.listAppend(tags, tagRefs[random.nextInt(tagRefs.length)]);
        }
        put(heap, item, f.tags, tags);
        long w = heap.newInt(1 + random.nextInt(100));
        long h = heap.newInt(1 + random.nextInt(100));
        long d = heap.newInt(1 + random.nextInt(100));
        long dims = heap.newTuple(w, h, d);
        heap.decref(w);
        heap.decref(h);
        heap.decref(d);
        put(heap, item, f.dims, dims);
        heap.dictSet(items, key, item);
        heap.listAppend(ids, key);
        heap.decref(item);
        heap.decref(key);
    }

    /** Stores {@code value} and gives up the caller's reference to it (the container keeps its own). */
    private static void put(Heap heap, long dict, long key, long value) {
        heap.dictSet(dict, key, value);
        heap.decref(value);
    }

    private static void putInt(Heap heap, long dict, long key, long value) {
        put(heap, dict, key, heap.newInt(value));
    }

    /** The field-name strs, interned: one object per name, shared by every item. */
    private static final class Fields {
        final long id;
        final long name;
        final long price;
        final long stock;
        final long tags;
        final long dims;
        final long items;
        final long ids;
        final long meta;
        final long count;
        final long seed;

        Fields(Heap heap) {
            id = heap.newStr("id");
            name = heap.newStr("name");
            price = heap.newStr("price");
            stock = heap.newStr("stock");
            tags = heap.newStr("tags");
            dims = heap.newStr("dims");
            items = heap.newStr("items");
            ids = heap.newStr("ids");
            meta = heap.newStr("meta");
            count = heap.newStr("count");
            seed = heap.newStr("seed");
        }

        /** Drops the builder's own references; the dicts that use the names keep theirs. */
        void release(Heap heap) {
            for (long ref : new long[] {id, name, price, stock, tags, dims, items, ids, meta, count, seed}) {
                heap.decref(ref);
            }
        }
    }
}
