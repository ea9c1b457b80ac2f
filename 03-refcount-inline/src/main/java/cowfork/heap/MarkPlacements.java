// Finds every mark placement on the class path, in chapter order, as RefCountStrategies does for refcount strategies.
package cowfork.heap;

import java.util.List;

/**
 * The registry of {@link MarkPlacement.Factory} services. Module 03 registers "header";
 * modules 04 and 05 register theirs in their own {@code META-INF/services} file.
 */
public final class MarkPlacements {
    private static final Registry<MarkPlacement.Factory> REGISTRY =
            new Registry<>(MarkPlacement.Factory.class, "mark placement");

    private MarkPlacements() {
    }

    /** Every registered factory, ordered by {@link MarkPlacement.Factory#chapter()}, then name. */
    public static List<MarkPlacement.Factory> all() {
        return REGISTRY.all();
    }

    /** The names of every registered placement, in the order of {@link #all()}. */
    public static List<String> names() {
        return REGISTRY.names();
    }

    /**
     * The factory named {@code name}.
     *
     * @throws IllegalArgumentException if none has that name; the message lists those that do
     */
    public static MarkPlacement.Factory byName(String name) {
        return REGISTRY.byName(name);
    }
}
