// A factory the course finds by name on the class path: a refcount strategy's or a mark placement's.
package cowfork.heap;

import cowfork.cow.Region;

/**
 * What a refcount strategy's factory ({@link RefCounts.Factory}) and a mark placement's
 * ({@link MarkPlacement.Factory}) have in common: a name, the chapter that introduces what
 * it makes, and the making. Each is registered as a service
 * ({@code META-INF/services/cowfork.heap.RefCounts$Factory}, {@code ...MarkPlacement$Factory})
 * and listed by {@link RefCountStrategies} and {@link MarkPlacements} in chapter order, so
 * that benchmarks and demos name a strategy instead of importing it. {@link SeamFactory}
 * implements the name, the chapter and a guard for the factories the course ships.
 *
 * @param <T> what it makes: {@link RefCounts} or {@link MarkPlacement}
 */
public interface Registered<T> {
    /** The name of what it makes, as registered and printed; equal to that object's {@code name()}. */
    String name();

    /**
     * The chapter (module number) that introduces what it makes: the registries list
     * factories in this order, so every demo's table reads as the course does. The default,
     * 3, is the chapter of both seams, of inline counts and of header marks.
     */
    default int chapter() {
        return 3;
    }

    /** What it makes, for a heap whose objects live in {@code heapRegion}. */
    T create(Region heapRegion);
}
