// The demo's promises: one cow line per child, and each child's private pages equal the pages it wrote.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.support.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    private static final Pattern COW = Pattern.compile(
            "^cow: child=(\\S+) pages=(\\d+) written=(\\d+) private=(\\d+) shared=(\\d+)$", Pattern.MULTILINE);

    @Test
    void quickRunPrintsACowLinePerChildWithPrivateEqualToWritten(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Demo.Process> processes = Demo.run(Demo.Options.parse("--quick", "--every", "4", "--svg", dir.toString()),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        Matcher m = COW.matcher(out);
        int lines = 0;
        while (m.find()) {
            lines++;
            int pages = Integer.parseInt(m.group(2));
            assertThat(pages).isEqualTo(256);
            assertThat(m.group(4)).as("private = written for %s", m.group(1)).isEqualTo(m.group(3));
            assertThat(Integer.parseInt(m.group(4)) + Integer.parseInt(m.group(5))).isEqualTo(pages);
        }
        assertThat(lines).isEqualTo(3);
        Matcher kernel = KernelProbeTest.LINE.matcher(out);
        assertThat(kernel.find()).as("one kernel: line, in the probe's shape, in:%n%s", out).isTrue();
        assertThat(kernel.group(1)).as("read_fault printed").isEqualTo(KernelProbe.readFault().label());
        assertThat(out).contains("cow: child=writer-every-4 pages=256 written=64 private=64 shared=192");
        Demo.Process parent = processes.get(0);
        assertThat(parent.map().count(PageState.PRIVATE)).as("the parent paid for its own writes").isEqualTo(parent.written());
        assertThat(parent.written()).isEqualTo(32);
        assertThat(Files.readString(dir.resolve("02-cow-pagemaps.svg"))).startsWith("<svg").contains("writer-all");
    }

    @Test
    void optionsAreParsedAndBadOnesExplained() {
        assertThat(Demo.Options.parse("--size", "64M").size()).isEqualTo(64L << 20);
        assertThat(Demo.Options.parse("--size", "512KiB").size()).isEqualTo(512L << 10);
        assertThat(Demo.Options.parse("--size", "1g").size()).isEqualTo(1L << 30);
        assertThat(Demo.Options.parse("--size", "8192").size()).isEqualTo(8192);
        assertThat(Demo.Options.parse().size()).isEqualTo(64L << 20);
        assertThat(Demo.Options.parse("--quick").size()).isEqualTo(1L << 20);
        assertThatThrownBy(() -> Demo.Options.parse("--size", "lots")).hasMessageContaining("'lots' is not a size").hasMessageContaining("64m");
        assertThatThrownBy(() -> Demo.Options.parse("--size", "65g")).hasMessageContaining("out of range").hasMessageContaining("64.0 GiB");
        assertThatThrownBy(() -> Demo.Options.parse("--every", "1")).hasMessageStartingWith("Invalid value for option '--every'")
                .hasMessageContaining("2 or more");
        assertThatThrownBy(() -> Demo.Options.parse("--size")).hasMessageStartingWith("Missing required parameter for option '--size'");
        assertThatThrownBy(() -> Demo.Options.parse("--bogus")).hasMessageStartingWith("Unknown option: '--bogus'")
                .hasMessageEndingWith("(./cowfork demo 02 --help shows every option)");
        assertThat(Demo.Options.parse("--size=4M", "--every=8", "--svg=docs/figures", "--huge-pages"))
                .isEqualTo(Demo.Options.parse("--size", "4M", "--every", "8", "--svg", "docs/figures", "--huge-pages"));
        assertThat(Demo.Options.parse("--size", "4m", "--quick").size()).as("the last one wins").isEqualTo(1L << 20);
        assertThat(Cli.usage(new Demo.Flags())).startsWith("Usage: ./cowfork demo 02").contains("--size=SIZE", "--every=K");
    }
}
