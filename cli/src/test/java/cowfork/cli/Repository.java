// The course's repository as the tests that read its Markdown see it: the root, and the tracked *.md files.
package cowfork.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the repository is, and which Markdown files belong to it. The tests that check the
 * course's text against itself (its links, its quoted code) start here, from whatever
 * directory Maven runs them in.
 */
final class Repository {

    private Repository() {
    }

    /**
     * The repository's root: the nearest directory, walking up from the working directory,
     * whose {@code pom.xml} is the parent POM itself ({@code cowfork-parent} as its own
     * artifactId, not inside a {@code <parent>} reference).
     *
     * @throws IllegalStateException if no such directory is found
     */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && isParentPom(read(pom))) {
                return dir;
            }
        }
        throw new IllegalStateException("no pom.xml with artifactId cowfork-parent above "
                + Path.of("").toAbsolutePath());
    }

    static boolean isParentPom(String pom) {
        String own = pom.replaceAll("(?s)<parent>.*?</parent>", "").replaceAll("(?s)<!--.*?-->", "");
        return own.contains("<artifactId>cowfork-parent</artifactId>");
    }

    /**
     * Every Markdown file git tracks or would track (tracked, or new and not ignored, so a
     * writer's uncommitted file is checked too), as paths relative to {@code root}, sorted,
     * none under {@code target/}. Asks {@code git ls-files --cached --others --exclude-standard}
     * (given 30 seconds, then killed); where git is missing or the
     * tree is not a git checkout (a copy of the course without .git), walks the tree instead,
     * skipping {@code target/} and {@code .git}.
     */
    static List<Path> markdownFiles(Path root) {
        List<Path> tracked = gitLsFiles(root, "*.md");
        if (tracked != null) {
            return tracked.stream().filter(p -> !startsWithAny(p, "target", ".git") && Files.isRegularFile(root.resolve(p))).sorted().toList();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p))
                    .map(root::relativize)
                    .filter(p -> !startsWithAny(p, "target", ".git"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean startsWithAny(Path relative, String... names) {
        for (Path part : relative) {
            for (String name : names) {
                if (part.toString().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The paths git lists for a pathspec, or null when git cannot answer. */
    private static List<Path> gitLsFiles(Path root, String pathspec) {
        Path listing;
        Process git;
        try {
            // To a file, not a pipe: waiting with a deadline then cannot block on a full pipe.
            listing = Files.createTempFile("cowfork-ls-files", ".txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            git = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", pathspec)
                    .directory(root.toFile())
                    .redirectOutput(listing.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException noGit) {
            delete(listing);
            return null;
        }
        try {
            if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
                return null;
            }
            List<Path> paths = new ArrayList<>();
            for (String name : read(listing).split("\0")) {
                if (!name.isEmpty()) {
                    paths.add(Path.of(name));
                }
            }
            return paths;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for git ls-files", e);
        } finally {
            git.destroyForcibly();
            delete(listing);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
