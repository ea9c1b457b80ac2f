// The C baseline's output line, parsed into a row, and the grep-able fork: line a row prints.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ForkLatencyTest {
    @Test
    void theCLineBecomesARowAndTheRowOneForkLine() {
        ForkLatency.Row row = ForkLatency.parseC("c_fork pages=2m touched_mib=1024 thp_mib=1022 rss_mib=1185 forks=20"
                + " median_us=2154\n");
        assertThat(row).isEqualTo(new ForkLatency.Row("c", true, 1024, 1022, 1185, 2154));
        assertThat(row.line()).isEqualTo("fork: runtime=c pages=2m touched_mib=1024 thp_mib=1022 rss_mib=1185"
                + " median_us=2154 ms_per_gb=1.9");
        assertThat(ForkLatency.parseC("c_fork pages=4k touched_mib=8 thp_mib=0 rss_mib=9 forks=3 median_us=94").huge())
                .isFalse();
    }

    @Test
    void outputWithoutACLineIsAnErrorThatShowsIt() {
        assertThatThrownBy(() -> ForkLatency.parseC("mmap: Cannot allocate memory"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no c_fork line")
                .hasMessageContaining("Cannot allocate memory");
    }
}
