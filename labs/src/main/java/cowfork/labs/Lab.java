// One chapter's lab: the files the student writes, the graders that judge them, and what the handout promises.
package cowfork.labs;

import java.util.List;
import java.util.function.Supplier;

/**
 * A chapter's lab, as {@code ./cowfork lab NN} runs it and {@code NN-*\/LAB.md} describes it.
 * A lab has one or more parts, in the order the handout's plan of attack takes them (a
 * warm-up first, where there is one); each part is one grader class run against the
 * student's files.
 *
 * @param id         the chapter number the command takes ("04")
 * @param module     the chapter's directory, from the repository root ("04-refcount-sidetable")
 * @param title      what the student builds, in a few words
 * @param time       the handout's time estimate ("3 h")
 * @param difficulty easy, moderate or hard, as the handout says
 * @param parts      the graded parts, in the order the report lists them
 */
public record Lab(String id, String module, String title, String time, String difficulty, List<Part> parts) {

    public Lab {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("lab " + id + " has no part to grade");
        }
    }

    /** The handout, from the repository root. */
    public String handout() {
        return module + "/LAB.md";
    }

    /** Every file the student edits, over all parts, from the repository root. */
    public List<String> files() {
        return parts.stream().flatMap(p -> p.files().stream()).map(f -> module + "/" + f).toList();
    }

    /**
     * One graded part of a lab.
     *
     * @param name     what the report calls it ("warm-up: which table pages hold these counts")
     * @param grader   the test class (JUnit Jupiter tests and jqwik properties) that grades it
     * @param files    the files the student edits for it, from the chapter's directory
     * @param services implementations the grader must find through {@link java.util.ServiceLoader}
     *                 while it runs, and only then (a student's refcount strategy: the contract
     *                 checks that it is registered, but the chapter's demos must never see a stub)
     */
    public record Part(String name, Class<?> grader, List<String> files, List<Service> services) {
        public Part {
            files = List.copyOf(files);
            services = List.copyOf(services);
        }

        /** A part whose grader needs no service registered. */
        public Part(String name, Class<?> grader, String... files) {
            this(name, grader, List.of(files), List.of());
        }
    }

    /**
     * A provider to register for one grader run: {@code META-INF/services/SERVICE} naming the
     * class of the object {@code provider} returns (it must have a public no-argument constructor,
     * as every {@code Factory} in the course has).
     */
    public record Service(Class<?> service, Supplier<?> provider) {
    }
}
