// The application's data in 03's refcounted object heap: each request reads it the way a Python app would, counts and all.
package cowfork.server.app;

import cowfork.cow.Region;
import cowfork.cow.Smaps;
import cowfork.experiment.Dataset;
import cowfork.experiment.DatasetBuilder;
import cowfork.experiment.Workloads;
import cowfork.heap.Heap;
import cowfork.heap.Json;
import cowfork.heap.RefCountStrategies;
import cowfork.heap.RefCounts;
import cowfork.server.stats.AddressRange;
import cowfork.server.stats.MemoryReport;
import cowfork.support.Processes;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Store} over a {@link Heap} holding 03's {@link Dataset} (a catalogue of items),
 * with the refcount strategy chosen by name ({@link RefCountStrategies}: every strategy on
 * the class path, so modules 04 and 05 add theirs without a change here).
 *
 * <p>Reads do what CPython does on the way: {@code items[key]} increfs the item while it is
 * used, {@code json.dumps(item)} increfs every object it visits. Under inline counts each
 * of those is a write to the object's page; that is the point of the exercise.
 * Nothing here allocates on the Java heap: keys and JSON go through reused builders.
 */
public final class HeapStore implements Store {
    private static final String PRICE = "price";
    private static final String STOCK = "stock";

    private final Heap heap;
    private final Dataset dataset;
    private final String strategy;
    private final StringBuilder key = new StringBuilder(64);
    private final StringBuilder json = new StringBuilder(16 * 1024);

    private HeapStore(Heap heap, Dataset dataset, String strategy) {
        this.heap = heap;
        this.dataset = dataset;
        this.strategy = strategy;
    }

    /**
     * Builds a dataset of about {@code dataBytes} in a new heap whose counts are kept by the
     * strategy named {@code strategy}.
     *
     * @throws IllegalArgumentException if no strategy has that name (the message lists those that do)
     */
    public static HeapStore build(String strategy, long dataBytes) {
        return build(strategy, dataBytes, Region.HugePages.NEVER);
    }

    /**
     * {@link #build(String, long)} in an object heap {@code hugePages} may back with 2 MiB
     * transparent huge pages ({@link Heap#create(long, RefCounts.Factory, Region.HugePages)}).
     *
     * @throws IllegalArgumentException if no strategy has that name (the message lists those that do)
     */
    public static HeapStore build(String strategy, long dataBytes, Region.HugePages hugePages) {
        return build(RefCountStrategies.byName(strategy), dataBytes, hugePages);
    }

    /**
     * {@link #build(String, long)} with a strategy's factory given directly, registered or not
     * (the threaded comparison's atomic counts are not: see {@code ThreadedServer}).
     */
    public static HeapStore build(RefCounts.Factory factory, long dataBytes) {
        return build(factory, dataBytes, Region.HugePages.NEVER);
    }

    private static HeapStore build(RefCounts.Factory factory, long dataBytes, Region.HugePages hugePages) {
        Heap heap = Heap.create(DatasetBuilder.heapSizeFor(dataBytes), factory, hugePages);
        Dataset dataset = DatasetBuilder.build(heap, dataBytes);
        return new HeapStore(heap, dataset, factory.name());
    }

    /**
     * Another reader of the same heap and data set with builders of its own, for one more
     * thread of the threaded comparison ({@code ThreadedServer}). Safe only if the heap's
     * counts are (atomic counts) or every call holds one lock.
     */
    public HeapStore view() {
        return new HeapStore(heap, dataset, strategy);
    }

    /** The data set, for tests that verify the heap's counts against its root. */
    public Dataset dataset() {
        return dataset;
    }

    /** The names of the strategies this server can use. */
    public static List<String> strategies() {
        return RefCountStrategies.names();
    }

    public Heap heap() {
        return heap;
    }

    @Override
    public String strategy() {
        return strategy;
    }

    @Override
    public long items() {
        return dataset.itemCount();
    }

    @Override
    public int itemJson(byte[] buf, int keyStart, int keyEnd, byte[] out, int pos, int limit) {
        if (keyEnd - keyStart > 32) {
            return NOT_FOUND;
        }
        key.setLength(0);
        key.append("item-");
        for (int i = keyStart; i < keyEnd; i++) {
            key.append((char) (buf[i] & 0xff));
        }
        long item = Workloads.lookup(heap, dataset.items(), key);
        if (item == Heap.NULL) {
            return NOT_FOUND;
        }
        json.setLength(0);
        try {
            Json.write(heap, item, json);
        } finally {
            heap.decref(item);
        }
        return utf8(json, out, pos, limit);
    }

    /**
     * {@code [items[k] for k in ids[from:from+count]]}, reduced: total price, units in stock,
     * and the cheapest item, with the counting a Python loop does (each key, item and field
     * is a new reference while it is used).
     */
    @Override
    public int queryJson(long from, int count, byte[] out, int pos, int limit) {
        long ids = dataset.ids();
        long items = dataset.items();
        heap.incref(ids);
        heap.incref(items);
        long total = 0;
        long stock = 0;
        long cheapestPrice = Long.MAX_VALUE;
        long cheapestKey = Heap.NULL;
        int n = heap.listSize(ids);
        try {
            for (int i = 0; i < count; i++) {
                long k = heap.listGet(ids, (int) ((from + i) % n));
                heap.incref(k);
                long item = heap.dictGet(items, k);
                heap.incref(item);
                long price = intField(item, PRICE);
                stock += intField(item, STOCK);
                total += price;
                if (price < cheapestPrice) {
                    cheapestPrice = price;
                    cheapestKey = k;
                }
                heap.decref(item);
                heap.decref(k);
            }
            json.setLength(0);
            json.append("{\"from\":").append(from).append(",\"count\":").append(count)
                    .append(",\"total_price\":").append(total).append(",\"in_stock\":").append(stock)
                    .append(",\"cheapest\":{\"id\":");
            Json.write(heap, cheapestKey, json);
            json.append(",\"price\":").append(cheapestPrice).append("}}");
        } finally {
            heap.decref(items);
            heap.decref(ids);
        }
        return utf8(json, out, pos, limit);
    }

    private long intField(long item, String field) {
        long v = heap.dictGet(item, field);
        heap.incref(v);
        long value = heap.intValue(v);
        heap.decref(v);
        return value;
    }

    @Override
    public List<AddressRange> regions() {
        List<AddressRange> ranges = new ArrayList<>();
        Region objects = heap.region();
        ranges.add(new AddressRange(MemoryReport.OBJECT_HEAP, objects.address(), objects.address() + objects.size()));
        heap.refCounts().table().ifPresent(t ->
                ranges.add(new AddressRange(MemoryReport.REFCOUNT_TABLE, t.address(), t.address() + t.size())));
        return ranges;
    }

    /**
     * Lets the strategy prepare its heap for fork ({@link RefCounts#prepareForFork}): the
     * immortal strategy makes every live object immortal there (Cinder's
     * {@code immortalize_heap()}), so that no worker ever writes a count of the preloaded
     * data; inline counts and a side table need nothing. This class never asks which
     * strategy it has.
     */
    @Override
    public String prepareForFork() {
        long t0 = System.nanoTime();
        String done = heap.refCounts().prepareForFork(heap);
        return done.isEmpty() ? "" : String.format(java.util.Locale.ROOT, "%s in %.0f ms", done, (System.nanoTime() - t0) / 1e6);
    }

    /**
     * How the object heap is paged, as {@code huge_pages=yes heap_thp_kib=30720 heap_kib=32768}:
     * whether huge pages were asked for, and how much of the heap's mapping is AnonHugePages
     * in this process's /proc/self/smaps now (0 when the kernel granted none, or was not asked).
     */
    public String hugePages() {
        Region objects = heap.region();
        long thpKib = Smaps.of(Processes.self(), objects).fields().anonHugePagesKb();
        return "huge_pages=" + (objects.hugePages() == Region.HugePages.ALLOWED ? "yes" : "no") + " heap_thp_kib="
                + thpKib + " heap_kib=" + (objects.size() >> 10);
    }

    @Override
    public String describe() {
        return dataset.itemCount() + " items, " + (heap.stats().liveBytes() >> 10) + " KiB live in a "
                + (heap.region().size() >> 20) + " MiB object heap, refcounts " + strategy;
    }

    /** Encodes {@code text} as UTF-8 into {@code out[pos, limit)}; {@link #TOO_LARGE} if it does not fit. */
    static int utf8(CharSequence text, byte[] out, int pos, int limit) {
        int p = pos;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (p >= limit) {
                    return TOO_LARGE;
                }
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                if (p + 2 > limit) {
                    return TOO_LARGE;
                }
                out[p++] = (byte) (0xC0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (p + 4 > limit) {
                    return TOO_LARGE;
                }
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[p++] = (byte) (0xF0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (p + 3 > limit) {
                    return TOO_LARGE;
                }
                out[p++] = (byte) (0xE0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p;
    }
}
