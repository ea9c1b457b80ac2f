// Interpreters: which file names count as interpreters, where they are looked for, and that a bad candidate is skipped with a reason.
package cowfork.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpretersTest {
    @TempDir
    Path tmp;

    /** An executable shell script at {@code file} with {@code body}. */
    static Path script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void findsPython3XOnThePathAndInPyenvButNotConfigScriptsShimsOrPython2() throws IOException {
        Path bin = tmp.resolve("bin");
        script(bin.resolve("python3"), "");
        script(bin.resolve("python3.11"), "");
        script(bin.resolve("python3.11-config"), "");
        script(bin.resolve("python2.7"), "");
        script(bin.resolve("python3.6m"), "");
        Files.writeString(bin.resolve("python3.9"), "not executable");
        script(tmp.resolve("home/.pyenv/shims/python3.12"), "");
        script(tmp.resolve("home/.pyenv/versions/3.13.0/bin/python3.13"), "");
        Interpreters.Search search = new Interpreters.Search(
                List.of(bin, tmp.resolve("home/.pyenv/shims"), tmp.resolve("no-such-dir")), tmp.resolve("home"));

        assertThat(Interpreters.pythonCandidates(search)).containsExactly(bin.resolve("python3"),
                bin.resolve("python3.11"), tmp.resolve("home/.pyenv/versions/3.13.0/bin/python3.13"));
    }

    @Test
    void findsRubyOnThePathInRbenvAndInRubies() throws IOException {
        Path bin = tmp.resolve("bin");
        script(bin.resolve("ruby"), "");
        script(bin.resolve("ruby3.1"), "");
        script(bin.resolve("rubocop"), "");
        script(tmp.resolve("home/.rbenv/versions/3.3.0/bin/ruby"), "");
        script(tmp.resolve("home/.rubies/ruby-3.4.1/bin/ruby"), "");
        Interpreters.Search search = new Interpreters.Search(List.of(bin), tmp.resolve("home"));

        assertThat(Interpreters.rubyCandidates(search)).containsExactly(bin.resolve("ruby"), bin.resolve("ruby3.1"),
                tmp.resolve("home/.rbenv/versions/3.3.0/bin/ruby"), tmp.resolve("home/.rubies/ruby-3.4.1/bin/ruby"));
    }

    @Test
    void probingKeepsOneInterpreterPerRealExecutableInVersionOrderAndSkipsFailures() throws IOException {
        // two names for one binary (as /usr/bin/python3 and python3.11), a newer and an older version, one broken
        Path a = script(tmp.resolve("a"), "echo probe version=3.11.2 executable=/opt/py311 freeze=yes");
        Path b = script(tmp.resolve("b"), "echo probe version=3.11.2 executable=/opt/py311 freeze=yes");
        Path c = script(tmp.resolve("c"), "echo probe version=3.10.13 executable=/opt/py310 freeze=yes");
        Path d = script(tmp.resolve("d"), "echo probe version=3.6.15 executable=/opt/py36 freeze=no");
        Path broken = script(tmp.resolve("broken"), "echo 'pyenv: python3.12: command not found' >&2; exit 127");

        Interpreters.Found found = Interpreters.probe("cpython", List.of(a, b, broken, c, d), tmp.resolve("x.py"));

        assertThat(found.interpreters()).extracting(Interpreter::version).containsExactly("3.6.15", "3.10.13", "3.11.2");
        assertThat(found.interpreters().get(0).tools()).isEmpty();
        assertThat(found.interpreters().get(2).tools()).containsExactly("freeze");
        assertThat(found.skipped()).singleElement().asString()
                .contains("broken").contains("it exited with status 127").contains("command not found");
    }

    @Test
    void aProbeWithoutAVersionIsRefused() throws IOException {
        Path odd = script(tmp.resolve("odd"), "echo probe executable=/x");
        assertThatThrownBy(() -> Interpreters.probeOne("ruby", odd, tmp.resolve("x.rb")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without a version");
    }

    @Test
    void pathsUnderTheHomeDirectoryAreShownFromTildeAndOthersInFull() {
        Path home = Path.of("/home/ann");
        assertThat(Interpreters.shown(Path.of("/home/ann/.pyenv/versions/3.12.1/bin/python3.12"), home))
                .isEqualTo("~/.pyenv/versions/3.12.1/bin/python3.12");
        assertThat(Interpreters.shown(Path.of("/home/ann"), home)).isEqualTo("~");
        assertThat(Interpreters.shown(Path.of("/home/ann/./bin/../bin/ruby"), home)).isEqualTo("~/bin/ruby");
        assertThat(Interpreters.shown(Path.of("/home/anna/bin/ruby"), home)).isEqualTo("/home/anna/bin/ruby");
        assertThat(Interpreters.shown(Path.of("/usr/bin/python3.11"), home)).isEqualTo("/usr/bin/python3.11");
        assertThat(Interpreters.shown(Path.of("/usr/bin/ruby"), Path.of("/"))).isEqualTo("/usr/bin/ruby");
        assertThat(Interpreters.shown(Path.of("bin/ruby"), home)).isEqualTo("bin/ruby");
    }

    @Test
    void anInterpreterNamesItsExecutableFromTheHomeDirectory() {
        Path exe = Interpreters.home().resolve(".pyenv/versions/3.12.1/bin/python3.12");
        assertThat(new Interpreter("cpython", exe, "3.12.1", java.util.Set.of()))
                .hasToString("cpython 3.12.1 (~/.pyenv/versions/3.12.1/bin/python3.12)");
    }

    @Test
    void versionsCompareByNumberNotByText() {
        assertThat(Interpreter.compareVersions("3.9.18", "3.10.13")).isNegative();
        assertThat(Interpreter.compareVersions("3.13.0", "3.13")).isZero();
        assertThat(Interpreter.compareVersions("3.4.0-preview1", "3.3.9")).isPositive();
    }
}
