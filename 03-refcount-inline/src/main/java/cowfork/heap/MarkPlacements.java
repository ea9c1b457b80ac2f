// Finds every mark placement on the class path, in chapter order, as RefCountStrategies does for refcount strategies.
package cowfork.heap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The registry of {@link MarkPlacement.Factory} services. Module 03 registers "header";
 * modules 04 and 05 register theirs in their own {@code META-INF/services} file.
 */
public final class MarkPlacements {
    private MarkPlacements() {
    }

    /** Every registered factory, ordered by {@link MarkPlacement.Factory#chapter()}, then name. */
    public static List<MarkPlacement.Factory> all() {
        List<MarkPlacement.Factory> list = new ArrayList<>();
        ServiceLoader.load(MarkPlacement.Factory.class).forEach(list::add);
        list.sort(Comparator.comparingInt(MarkPlacement.Factory::chapter).thenComparing(MarkPlacement.Factory::name));
        return list;
    }

    /** The names of every registered placement, in the order of {@link #all()}. */
    public static List<String> names() {
        return all().stream().map(MarkPlacement.Factory::name).toList();
    }

    /**
     * The factory named {@code name}.
     *
     * @throws IllegalArgumentException if none has that name; the message lists those that do
     */
    public static MarkPlacement.Factory byName(String name) {
        for (MarkPlacement.Factory f : all()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no mark placement named '" + name + "' on the class path; known: " + names()
                + ". A module adds one with a META-INF/services/cowfork.heap.MarkPlacement$Factory file.");
    }
}
