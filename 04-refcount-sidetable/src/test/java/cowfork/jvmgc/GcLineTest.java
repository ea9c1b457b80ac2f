// A jvm-gc: line parses back into its fields, and a damaged line is refused with the field named.
package cowfork.jvmgc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GcLineTest {
    private static final String SERIAL_YOUNG = "jvm-gc: jdk=17 collector=Serial event=young live_mb=64"
            + " heap_pages_shared_at_fork=81591 unshared_after=14296 live_pages=16384 live_unshared=0 heap_pages=81920"
            + " mapping=private gcs=Copy+1 event_ms=220 child=exited";

    @Test
    void everyFieldIsRead() {
        GcLine l = GcLine.parse(SERIAL_YOUNG);
        assertThat(l.jdk()).isEqualTo(17);
        assertThat(l.collector()).isEqualTo("Serial");
        assertThat(l.event()).isEqualTo("young");
        assertThat(l.sharedAtFork()).isEqualTo(81591);
        assertThat(l.unsharedAfter()).isEqualTo(14296);
        assertThat(l.livePages()).hasValue(16384);
        assertThat(l.liveUnshared()).hasValue(0);
        assertThat(l.gcs()).isEqualTo("Copy+1");
        assertThat(l.unsharedMib()).isEqualTo(14296 * 4096.0 / (1 << 20));
    }

    @Test
    void anUnknownLiveSetIsADash() {
        GcLine l = GcLine.parse(SERIAL_YOUNG.replace("live_pages=16384 live_unshared=0", "live_pages=- live_unshared=-"));
        assertThat(l.livePages()).isEmpty();
        assertThat(l.liveUnshared()).isEmpty();
    }

    @Test
    void aMissingFieldIsNamed() {
        assertThatThrownBy(() -> GcLine.parse(SERIAL_YOUNG.replace(" unshared_after=14296", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unshared_after=");
        assertThatThrownBy(() -> GcLine.parse("gc: " + SERIAL_YOUNG))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> GcLine.parse(SERIAL_YOUNG.replace("live_mb=64", "live_mb=many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not parse");
    }
}
