// Finds every refcount strategy on the class path by name, so a benchmark or demo names a strategy instead of importing it.
package cowfork.heap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The registry of {@link RefCounts.Factory} services. Module 03 registers "inline";
 * modules 04 and 05 register theirs in their own {@code META-INF/services} file, and the
 * benchmarks, demos and the server of every module see all strategies on their class
 * path. Registering is all a new strategy needs: nobody lists strategies by name.
 */
public final class RefCountStrategies {
    private RefCountStrategies() {
    }

    /**
     * Every registered factory, in the order the course introduces them
     * ({@link RefCounts.Factory#chapter()}, then name), whatever the class-path order.
     */
    public static List<RefCounts.Factory> all() {
        List<RefCounts.Factory> list = new ArrayList<>();
        ServiceLoader.load(RefCounts.Factory.class).forEach(list::add);
        list.sort(Comparator.comparingInt(RefCounts.Factory::chapter).thenComparing(RefCounts.Factory::name));
        return list;
    }

    /** The names of every registered strategy, in the order of {@link #all()}. */
    public static List<String> names() {
        return all().stream().map(RefCounts.Factory::name).toList();
    }

    /**
     * The factory named {@code name}.
     *
     * @throws IllegalArgumentException if no registered strategy has that name; the message lists those that do
     */
    public static RefCounts.Factory byName(String name) {
        for (RefCounts.Factory f : all()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no refcount strategy named '" + name + "' on the class path; known: "
                + names() + ". A module adds one with a META-INF/services/cowfork.heap.RefCounts$Factory file.");
    }
}
