// Finds every refcount strategy on the class path by name, so a benchmark or demo names a strategy instead of importing it.
package cowfork.heap;

import java.util.List;

/**
 * The registry of {@link RefCounts.Factory} services. Module 03 registers "inline";
 * modules 04 and 05 register theirs in their own {@code META-INF/services} file, and the
 * benchmarks, demos and the server of every module see all strategies on their class
 * path. Registering is all a new strategy needs: nobody lists strategies by name.
 */
public final class RefCountStrategies {
    private static final Registry<RefCounts.Factory> REGISTRY = new Registry<>(RefCounts.Factory.class, "refcount strategy");

    private RefCountStrategies() {
    }

    /**
     * Every registered factory, in the order the course introduces them
     * ({@link RefCounts.Factory#chapter()}, then name), whatever the class-path order.
     */
    public static List<RefCounts.Factory> all() {
        return REGISTRY.all();
    }

    /** The names of every registered strategy, in the order of {@link #all()}. */
    public static List<String> names() {
        return REGISTRY.names();
    }

    /**
     * The factory named {@code name}.
     *
     * @throws IllegalArgumentException if no registered strategy has that name; the message lists those that do
     */
    public static RefCounts.Factory byName(String name) {
        return REGISTRY.byName(name);
    }
}
