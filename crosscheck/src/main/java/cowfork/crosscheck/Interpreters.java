// Finds every CPython 3 and Ruby on this machine by the conventional places (PATH, ~/.pyenv, ~/.rbenv, ~/.rubies) and asks each what it is.
package cowfork.crosscheck;

import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Discovery and probing. A candidate is any executable named like an interpreter in a
 * PATH directory or under a version manager's versions directory; each is run once with
 * {@code --probe}, and answers with its version, its real executable and its tools.
 * Candidates that are the same binary (python3 and python3.11 in /usr/bin; a pyenv shim
 * and the version it runs) are measured once. A candidate that fails its probe (a pyenv
 * shim for a version not selected, a broken install) is skipped and named in
 * {@link Found#skipped()}.
 */
final class Interpreters {
    /** How long a probe may take: starting an interpreter and printing one line. */
    static final Duration PROBE_DEADLINE = Duration.ofSeconds(20);

    private static final Pattern PYTHON = Pattern.compile("python3(\\.\\d+)?");
    private static final Pattern RUBY = Pattern.compile("ruby(\\d+(\\.\\d+)*)?");

    /** Where to look: the PATH's directories and the home directory (for ~/.pyenv and friends). */
    record Search(List<Path> pathDirs, Path home) {
        /** This process's PATH and user.home. */
        static Search fromEnvironment() {
            String path = System.getenv().getOrDefault("PATH", "");
            List<Path> dirs = Arrays.stream(path.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toList();
            return new Search(dirs, Interpreters.home());
        }
    }

    /** The interpreters found, in version order, and the candidates that failed their probe (with why). */
    record Found(List<Interpreter> interpreters, List<String> skipped) {
    }

    private Interpreters() {
    }

    /** This process's home directory (user.home): the {@code ~} of ~/.pyenv and of every path shown. */
    static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    /**
     * A path as the cross-check prints it: under {@code home} as {@code ~/...} (the home
     * directory itself as {@code ~}), anywhere else in full. A home of {@code /} or a relative
     * one shortens nothing, and only whole names count: with home {@code /home/ann},
     * {@code /home/anna/bin/ruby} stays as it is.
     */
    static String shown(Path path, Path home) {
        if (home == null || !home.isAbsolute() || home.getNameCount() == 0 || !path.isAbsolute()) {
            return path.toString();
        }
        Path h = home.normalize();
        Path p = path.normalize();
        if (!p.startsWith(h)) {
            return path.toString();
        }
        return p.equals(h) ? "~" : "~/" + h.relativize(p);
    }

    /** Every python3 and python3.X in the PATH and in ~/.pyenv/versions/NAME/bin. */
    static List<Path> pythonCandidates(Search search) {
        List<Path> dirs = new ArrayList<>(search.pathDirs());
        dirs.addAll(versionBins(search.home().resolve(".pyenv/versions")));
        return candidates(dirs, PYTHON);
    }

    /** Every ruby and rubyX.Y in the PATH, in ~/.rbenv/versions/NAME/bin and ~/.rubies/NAME/bin. */
    static List<Path> rubyCandidates(Search search) {
        List<Path> dirs = new ArrayList<>(search.pathDirs());
        dirs.addAll(versionBins(search.home().resolve(".rbenv/versions")));
        dirs.addAll(versionBins(search.home().resolve(".rubies")));
        return candidates(dirs, RUBY);
    }

    /**
     * Runs {@code script --probe} with each candidate and keeps one interpreter per real
     * executable, sorted by version. Never throws for a bad candidate: it lands in
     * {@link Found#skipped()}.
     */
    static Found probe(String language, List<Path> candidates, Path script) {
        Map<Path, Interpreter> byExecutable = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (Path candidate : candidates) {
            try {
                Interpreter found = probeOne(language, candidate, script);
                byExecutable.putIfAbsent(found.executable(), found);
            } catch (IllegalStateException e) {
                skipped.add(candidate + ": " + e.getMessage());
            }
        }
        List<Interpreter> sorted = new ArrayList<>(byExecutable.values());
        sorted.sort(Comparator.comparing(Interpreter::version, Interpreter::compareVersions)
                .thenComparing(i -> i.executable().toString()));
        return new Found(List.copyOf(sorted), List.copyOf(skipped));
    }

    /**
     * Probes one executable.
     *
     * @throws IllegalStateException if it cannot be started, fails, or answers something else than a probe line
     */
    static Interpreter probeOne(String language, Path executable, Path script) {
        long end = System.nanoTime() + PROBE_DEADLINE.toNanos();
        try (WatchedProcess p = WatchedProcess.start(List.of(executable.toString(), script.toString(), "--probe"),
                ForkedRun.ENVIRONMENT, line -> { })) {
            Map<String, String> answer = ResultLine.fields(ForkedRun.expect(p, "probe ", end));
            ForkedRun.awaitSuccess(p, end);
            String version = answer.get("version");
            String real = answer.get("executable");
            if (version == null || real == null || !version.matches("\\d+\\.\\d+\\.\\d+.*")) {
                throw p.failure("answered its probe without a version and an executable: " + answer);
            }
            Set<String> tools = new HashSet<>();
            for (String tool : List.of("freeze", "compact", "warmup")) {
                if ("yes".equals(answer.get(tool))) {
                    tools.add(tool);
                }
            }
            return new Interpreter(language, Path.of(real), version, tools);
        }
    }

    /** NAME/bin for every NAME in {@code versionsDir}; none if it does not exist. */
    private static List<Path> versionBins(Path versionsDir) {
        if (!Files.isDirectory(versionsDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(versionsDir)) {
            return s.map(v -> v.resolve("bin")).filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            return List.of(); // unreadable: nothing to find there
        }
    }

    private static List<Path> candidates(List<Path> dirs, Pattern name) {
        Set<Path> seen = new HashSet<>();
        List<Path> found = new ArrayList<>();
        for (Path dir : dirs) {
            // pyenv's and rbenv's shims re-dispatch to the versions directories, which are searched directly
            if (dir.getFileName() != null && dir.getFileName().toString().equals("shims") || !Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(f -> name.matcher(f.getFileName().toString()).matches())
                        .filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
                        .sorted()
                        .filter(seen::add)
                        .forEach(found::add);
            } catch (IOException e) {
                // an unreadable PATH entry holds nothing we can run
            }
        }
        return found;
    }
}
