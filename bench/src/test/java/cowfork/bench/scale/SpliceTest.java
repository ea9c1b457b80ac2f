// run.sh's splice: each generator rewrites only its own section of docs/benchmark.md, and a broken file is left as it was.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpliceTest {
    /** Chapter 06's script, found from the module directory Surefire runs in (or the repository root). */
    private static final Path RUN_SH = Files.isRegularFile(Path.of("..", "06-preforking-server", "bench", "run.sh"))
            ? Path.of("..", "06-preforking-server", "bench", "run.sh")
            : Path.of("06-preforking-server", "bench", "run.sh");

    @TempDir
    Path dir;

    /** run.sh --splice FILE NAME CONTENT; returns its exit code. */
    private int splice(Path file, String name, String content) throws IOException {
        Path c = Files.writeString(dir.resolve("content-" + name), content);
        try (WatchedProcess p = WatchedProcess.start(List.of("bash", RUN_SH.toAbsolutePath().toString(), "--splice",
                file.toAbsolutePath().toString(), name, c.toAbsolutePath().toString()), line -> { })) {
            return p.awaitExit(Duration.ofSeconds(30));
        }
    }

    @Test
    void theFirstUseAppendsTheMarkersAndKeepsWhatWasThere() throws IOException {
        Path f = Files.writeString(dir.resolve("benchmark.md"), "# Benchmarks\nkept\n");
        assertThat(splice(f, "scale", "table 1\n")).isZero();
        assertThat(Files.readString(f)).isEqualTo("# Benchmarks\nkept\n\n<!-- scale:begin -->\ntable 1\n<!-- scale:end -->\n");
    }

    @Test
    void aSecondUseReplacesOnlyItsOwnSection() throws IOException {
        Path f = Files.writeString(dir.resolve("benchmark.md"), "intro\n<!-- small:begin -->\nsmall 1\n<!-- small:end -->\n"
                + "between\n<!-- scale:begin -->\nold line a\nold line b\n<!-- scale:end -->\nafter\n");
        assertThat(splice(f, "scale", "new 1\nnew 2\nnew 3\n")).isZero();
        assertThat(Files.readString(f)).isEqualTo("intro\n<!-- small:begin -->\nsmall 1\n<!-- small:end -->\n"
                + "between\n<!-- scale:begin -->\nnew 1\nnew 2\nnew 3\n<!-- scale:end -->\nafter\n");
        assertThat(splice(f, "small", "small 2\n")).isZero();
        assertThat(Files.readString(f)).contains("<!-- small:begin -->\nsmall 2\n<!-- small:end -->")
                .contains("<!-- scale:begin -->\nnew 1\nnew 2\nnew 3\n<!-- scale:end -->\nafter\n");
    }

    @Test
    void aMissingFileIsCreated() throws IOException {
        Path f = dir.resolve("new.md");
        assertThat(splice(f, "scale", "only\n")).isZero();
        assertThat(Files.readString(f)).isEqualTo("<!-- scale:begin -->\nonly\n<!-- scale:end -->\n");
    }

    @Test
    void aSectionWithOnlyOneMarkerIsAnErrorAndTheFileIsUnchanged() throws IOException {
        String text = "intro\n<!-- scale:begin -->\nsomebody deleted the end marker\n";
        Path f = Files.writeString(dir.resolve("benchmark.md"), text);
        assertThat(splice(f, "scale", "new\n")).isNotZero();
        assertThat(Files.readString(f)).isEqualTo(text);
    }
}
