// ResultLine: the grep-able line round-trips, bad lines are refused with a reason, and the Markdown table has one row per run.
package cowfork.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ResultLineTest {
    @Test
    void formatsTheLineTheIssueAsksFor() {
        ResultLine line = new ResultLine("cpython", "3.12.1", "serve", "freeze=no", 11316, 41032);
        assertThat(line.format())
                .isEqualTo("cpython: version=3.12.1 workload=serve freeze=no child_private_kb=11316 parent_rss_kb=41032");
        assertThat(line.percentOfParent()).isEqualTo("27.6");
    }

    @Property
    void everyFormattedLineParsesBackToItself(@ForAll("lines") ResultLine line) {
        assertThat(ResultLine.parse(line.format())).isEqualTo(line);
    }

    @Provide
    Arbitrary<ResultLine> lines() {
        Arbitrary<String> language = Arbitraries.of("cpython", "ruby");
        Arbitrary<String> version = Arbitraries.integers().between(0, 20).list().ofMinSize(1).ofMaxSize(4)
                .map(parts -> String.join(".", parts.stream().map(String::valueOf).toList()));
        Arbitrary<String> workload = Arbitraries.of("idle", "serve", "gc", "full-gc");
        Arbitrary<String> setting = Arbitraries.of("freeze=yes", "freeze=no", "compact=no", "compact=yes warmup=yes");
        Arbitrary<Long> kb = Arbitraries.longs().between(0, 1L << 40);
        return net.jqwik.api.Combinators.combine(language, version, workload, setting, kb, kb).as(ResultLine::new);
    }

    @Property
    void percentOfParentIsTheRatio(@ForAll @LongRange(min = 0, max = 1_000_000) long child,
                                   @ForAll @LongRange(min = 1, max = 1_000_000) long parent) {
        double shown = Double.parseDouble(new ResultLine("ruby", "3.1.2", "serve", "compact=no", child, parent)
                .percentOfParent());
        assertThat(shown).isCloseTo(100.0 * child / parent, org.assertj.core.data.Offset.offset(0.051));
    }

    @Test
    void refusesLinesThatAreNotResultsAndSaysWhy() {
        assertThatThrownBy(() -> ResultLine.parse("crosscheck: cpython 3.12.1 (/usr/bin/python3.12)"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key=value");
        assertThatThrownBy(() -> ResultLine.parse("ruby: missing: no ruby found"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResultLine.parse("cpython: version=3.12.1 workload=serve freeze=no child_private_kb=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no parent_rss_kb=");
        assertThatThrownBy(() -> ResultLine.parse(
                "cpython: version=3.12.1 workload=serve freeze=no child_private_kb=12MB parent_rss_kb=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of kB");
        assertThatThrownBy(() -> ResultLine.parse("perl: version=5 workload=serve child_private_kb=1 parent_rss_kb=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown language");
        assertThatThrownBy(() -> ResultLine.fields("a=1 a=2")).hasMessageContaining("given twice");
    }

    @Test
    void theMarkdownTableHasAHeaderAndOneRowPerRun() {
        String table = ResultLine.markdownTable(List.of(
                new ResultLine("cpython", "3.11.2", "gc", "freeze=yes", 448, 39880),
                new ResultLine("ruby", "3.1.2", "full-gc", "compact=no", 1116, 35516)));
        assertThat(table.lines().toList()).hasSize(4);
        assertThat(table).contains("| cpython | 3.11.2 | gc | freeze=yes | 448 | 39880 | 1.1 |")
                .contains("| ruby | 3.1.2 | full-gc | compact=no | 1116 | 35516 | 3.1 |");
    }
}
