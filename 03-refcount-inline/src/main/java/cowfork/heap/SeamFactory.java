// What every refcount strategy's and mark placement's factory shares: a name, a chapter, and refusing a closed heap region.
package cowfork.heap;

import cowfork.cow.Region;

/**
 * The common part of a {@link RefCounts.Factory} and a {@link MarkPlacement.Factory}: the
 * name it is registered and printed under, the chapter that introduces it (the registries
 * list them in this order), and one guard: a strategy or placement is never built for a
 * heap region that is already closed (a side table or bitmap would be mapped for nothing).
 * A factory says only how to build its strategy:
 *
 * <pre>
 *   public static final class Factory extends SeamFactory&lt;RefCounts&gt; implements RefCounts.Factory {
 *       public Factory() { super(NAME, 4); }
 *       protected RefCounts createFor(Region heapRegion) { ... }
 *   }
 * </pre>
 *
 * @param <T> what it builds: {@link RefCounts} or {@link MarkPlacement}
 */
public abstract class SeamFactory<T> implements Registered<T> {
    private final String name;
    private final int chapter;

    /** A factory of {@code name}, introduced in chapter {@code chapter}. */
    protected SeamFactory(String name, int chapter) {
        this.name = name;
        this.chapter = chapter;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int chapter() {
        return chapter;
    }

    /**
     * What it builds, for a heap whose objects live in {@code heapRegion}.
     *
     * @throws IllegalArgumentException if the heap region is closed; nothing is built or mapped then
     */
    @Override
    public final T create(Region heapRegion) {
        if (heapRegion.isClosed()) {
            throw new IllegalArgumentException("cannot build '" + name + "' for a closed heap region: " + heapRegion);
        }
        return createFor(heapRegion);
    }

    /** Builds it for {@code heapRegion}, which is open. */
    protected abstract T createFor(Region heapRegion);
}
