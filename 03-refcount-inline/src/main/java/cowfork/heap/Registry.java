// The one lookup behind RefCountStrategies and MarkPlacements: every registered factory of a kind, in chapter order, by name.
package cowfork.heap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The {@link ServiceLoader} services of one kind of {@link Registered} factory, ordered by chapter, then name. */
final class Registry<F extends Registered<?>> {
    private final Class<F> type;
    private final String kind;

    /** The registry of {@code type} services; {@code kind} names one in messages ("refcount strategy"). */
    Registry(Class<F> type, String kind) {
        this.type = type;
        this.kind = kind;
    }

    /** Every registered factory, in the order the course introduces them, whatever the class-path order. */
    List<F> all() {
        List<F> list = new ArrayList<>();
        ServiceLoader.load(type).forEach(list::add);
        list.sort(Comparator.comparingInt((F f) -> f.chapter()).thenComparing(f -> f.name()));
        return list;
    }

    /** The names of every registered factory, in the order of {@link #all()}. */
    List<String> names() {
        return all().stream().map(Registered::name).toList();
    }

    /**
     * The factory named {@code name}.
     *
     * @throws IllegalArgumentException if none has that name; the message lists those that do
     */
    F byName(String name) {
        for (F f : all()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no " + kind + " named '" + name + "' on the class path; known: " + names()
                + ". A module adds one with a META-INF/services/" + type.getName() + " file.");
    }
}
