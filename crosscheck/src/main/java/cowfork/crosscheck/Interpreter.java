// One installed language runtime the cross-check can run: which language, which executable, which version, which pre-fork tools it has.
package cowfork.crosscheck;

import java.nio.file.Path;
import java.util.Set;

/**
 * A runtime found and probed by {@link Interpreters}.
 *
 * @param language   "cpython" or "ruby": the first word of every result line about it
 * @param executable the real path of the interpreter binary (symlinks resolved)
 * @param version    its version, e.g. "3.12.1"
 * @param tools      the pre-fork tools it has: "freeze" (CPython's gc.freeze, 3.7+),
 *                   "compact" (Ruby's GC.compact, 2.7+), "warmup" (Ruby's Process.warmup, 3.3+)
 */
record Interpreter(String language, Path executable, String version, Set<String> tools) {
    Interpreter {
        tools = Set.copyOf(tools);
    }

    /** Versions compare by their numeric parts: 3.9 before 3.10. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(part(x, i), part(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int part(String[] parts, int i) {
        if (i >= parts.length) {
            return 0;
        }
        String digits = parts[i].replaceAll("\\D.*", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    /** {@code cpython 3.12.1 (~/.pyenv/versions/3.12.1/bin/python3.12)}: the executable as {@link Interpreters#shown} prints it. */
    @Override
    public String toString() {
        return language + " " + version + " (" + Interpreters.shown(executable, Interpreters.home()) + ")";
    }
}
