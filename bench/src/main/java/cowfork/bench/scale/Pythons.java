// Every Python on this machine that can run gunicorn: found on PATH, in /usr/bin and under pyenv, one per version.
package cowfork.bench.scale;

import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Discovers the Pythons the gunicorn rows run under: every {@code python3} and
 * {@code python3.N} in the directories on PATH and in /usr/bin, and
 * {@code ~/.pyenv/versions/*}{@code /bin/python3}, kept when {@code import gunicorn} works
 * in it, deduplicated by major.minor version (the first found wins; PATH comes first).
 */
public final class Pythons {
    /** A Python with gunicorn: its executable and its "3.11". */
    public record Python(Path executable, String version) {
        /**
         * The server's name in the report: gunicorn-py3.11, or gunicorn-py3.11-gcfreeze when this
         * process runs with GC_FREEZE=1, which gunicorn inherits (bench/app.py then calls gc.freeze()
         * after its preload).
         */
        public String serverName() {
            return "gunicorn-py" + version + ("1".equals(System.getenv("GC_FREEZE")) ? "-gcfreeze" : "");
        }
    }

    private static final Pattern NAME = Pattern.compile("python3(\\.\\d+)?");

    private Pythons() {
    }

    /** The candidates on this machine, in search order (not yet checked for gunicorn). */
    static List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        dirs.add(Path.of("/usr/bin"));
        Path pyenv = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
        if (Files.isDirectory(pyenv)) {
            try (Stream<Path> versions = Files.list(pyenv)) {
                versions.sorted().forEach(v -> dirs.add(v.resolve("bin")));
            } catch (IOException e) {
                // unreadable: no pyenv Pythons
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            try (Stream<Path> files = Files.list(d)) {
                files.filter(f -> NAME.matcher(f.getFileName().toString()).matches() && Files.isExecutable(f))
                        .sorted().forEach(out::add);
            } catch (IOException e) {
                // a PATH entry that does not exist or cannot be read: nothing there
            }
        }
        return out;
    }

    /** Every candidate that imports gunicorn, one per version (may be empty). */
    public static List<Python> withGunicorn() {
        Map<String, Python> byVersion = new LinkedHashMap<>();
        for (Path p : candidates()) {
            String v = versionWithGunicorn(p);
            if (v != null) {
                byVersion.putIfAbsent(v, new Python(p, v));
            }
        }
        return List.copyOf(byVersion.values());
    }

    /** "3.11" if {@code python} can import gunicorn; null if not (or it does not answer within 20 s). */
    static String versionWithGunicorn(Path python) {
        try (WatchedProcess p = WatchedProcess.start(List.of(python.toString(), "-c",
                "import gunicorn, sys; print('%d.%d' % sys.version_info[:2])"), line -> { })) {
            if (p.awaitExit(Duration.ofSeconds(20)) != 0) {
                return null;
            }
            List<String> lines = p.lines();
            String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
            return last.matches("\\d+\\.\\d+") ? last : null;
        } catch (IllegalStateException e) {
            return null; // cannot start, or hangs: not a Python we can use
        }
    }
}
