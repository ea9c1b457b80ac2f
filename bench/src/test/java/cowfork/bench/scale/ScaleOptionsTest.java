// ./cowfork scale's options: the defaults the issue asks for, and a clear error naming the flag for every bad value.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleOptionsTest {
    private static final List<String> STRATEGIES = List.of("inline", "dense", "sidetable", "immortal");

    private static ScaleOptions parse(String... args) {
        return ScaleOptions.parse(args, STRATEGIES);
    }

    @Test
    void theDefaultsAreTheIssuesRun() {
        ScaleOptions o = parse();
        assertThat(o.dataBytes()).isEqualTo(1L << 30);
        assertThat(o.workers()).containsExactly(1, 2, 4, 8);
        assertThat(o.servers()).containsExactly("inline", "dense", "sidetable", "immortal", "gunicorn");
        assertThat(o.strategies()).containsExactly("inline", "dense", "sidetable", "immortal");
        assertThat(o.window()).isEqualTo(10);
        assertThat(o.cap()).isEqualTo(30);
        assertThat(o.capLargest()).isEqualTo(60);
        assertThat(o.capFor(8)).isEqualTo(60);
        assertThat(o.capFor(4)).isEqualTo(30);
        assertThat(o.hugePageServers()).containsExactly("inline", "immortal");
        assertThat(o.out()).isNull();
        assertThat(o.figures()).isEqualTo(Path.of("docs", "figures"));
        assertThat(o.maxWorkers()).isEqualTo(8);
    }

    @Test
    void everyOptionIsReadAndTheCommandRepeatsThem() {
        ScaleOptions o = parse("--data-size", "16m", "--workers", "2,1", "--servers", "immortal,inline", "--window", "2",
                "--cap", "6", "--cap-largest", "8", "--huge-pages", "none", "--out", "x.md", "--figures", "figs");
        assertThat(o).isEqualTo(new ScaleOptions(16L << 20, List.of(2, 1), List.of("immortal", "inline"), 2, 6, 8, List.of(),
                Path.of("x.md"), Path.of("figs")));
        assertThat(o.maxWorkers()).isEqualTo(2);
        assertThat(o.command()).isEqualTo("./cowfork scale --data-size 16m --workers 2,1 --servers immortal,inline"
                + " --window 2 --cap 6 --cap-largest 8 --huge-pages none");
        assertThat(parse("--help")).isNull();
        assertThat(parse("--data-size=16m", "--workers=2,1", "--servers=immortal,inline", "--window=2", "--cap=6",
                "--cap-largest=8", "--huge-pages=none", "--out=x.md", "--figures=figs")).as("--flag=value reads the same").isEqualTo(o);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "--data-size;lots;'lots' is not a size",
        "--data-size;1k;--data-size must be between 1.0 MiB and 64.0 GiB, got 1.0 KiB",
        "--workers;1,,4;Invalid value for option '--workers' (N): '' is not a whole number",
        "--workers;0;--workers must be between 1 and 64, got 0",
        "--workers;2,2;--workers lists 2 twice",
        "--servers;immortal,refcounted;unknown server 'refcounted'; known: inline, dense, sidetable, immortal, gunicorn",
        "--window;ten;Invalid value for option '--window': 'ten' is not a whole number",
        "--cap;0;--cap must be between 1 and 3600",
        "--huge-pages;yes;--huge-pages takes none, all or strategies among --servers (inline, dense, sidetable, immortal), got 'yes'",
        "--huge-pages;inline,inline;--huge-pages lists inline twice",
        "--cap-largest;15;--cap-largest 15 is shorter than two windows of 10 s",
        "--frobnicate;1;Unknown options: '--frobnicate', '1' (./cowfork scale --help shows every option)",
    })
    void aBadValueIsRefusedNamingIt(String flag, String value, String message) {
        assertThatThrownBy(() -> parse(flag, value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aMissingValueAndACapShorterThanTwoWindowsAreRefused() {
        assertThatThrownBy(() -> parse("--workers")).hasMessageStartingWith("Missing required parameter for option '--workers'");
        assertThatThrownBy(() -> parse("--window", "10", "--cap", "15"))
                .hasMessageContaining("--cap 15 is shorter than two windows of 10 s");
    }

    @Test
    void theEstimateIsBoundedByTheCapAndCountsEveryRun() {
        ScaleOptions o = parse();
        assertThat(Scale.runCount(o, 1)).as("4 strategies x 4 counts + 2 huge-page runs + 4 gunicorn").isEqualTo(22);
        int[] e = Scale.estimateSeconds(o, 1);
        assertThat(e[0]).isLessThan(e[1]);
        // at worst every run loads for its whole cap: 7 runs at 8 workers x 60 s + 15 others x 30 s is a floor
        assertThat(e[1]).isGreaterThanOrEqualTo(7 * 60 + 15 * 30);
        int[] shorter = Scale.estimateSeconds(parse("--cap", "20"), 1);
        assertThat(shorter[1]).isLessThan(e[1]);
        int[] shorterLargest = Scale.estimateSeconds(parse("--cap-largest", "40"), 1);
        assertThat(shorterLargest[1]).isLessThan(e[1]);
    }

    @Test
    void theHugePageRunsDefaultToInlineAndImmortalAmongTheServers() {
        assertThat(parse("--servers", "immortal,sidetable").hugePageServers()).containsExactly("immortal");
        assertThat(parse("--servers", "sidetable,gunicorn").hugePageServers()).isEmpty();
        assertThat(parse("--huge-pages", "all").hugePageServers()).containsExactly("inline", "dense", "sidetable", "immortal");
        assertThat(parse("--huge-pages", "dense").hugePageServers()).containsExactly("dense");
        assertThatThrownBy(() -> parse("--servers", "immortal", "--huge-pages", "inline"))
                .hasMessageContaining("among --servers (immortal), got 'inline'");
    }
}
