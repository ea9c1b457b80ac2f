// Whether a program is installed: the tests that need gunicorn, unicorn, Puma or smem skip, saying so, where it is not.
package cowfork.inspect;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

final class Executables {
    private Executables() {}

    /** The path of {@code name} on $PATH, or null if there is none. */
    static Path find(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
