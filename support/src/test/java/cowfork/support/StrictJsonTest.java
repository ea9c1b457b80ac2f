// StrictJson's contract: any order, unknown fields skipped; missing, null and mistyped fields named; nothing but one JSON value.
package cowfork.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
    record Page(int number, String state) {}

    record Strip(String label, long firstAddress, List<Page> pages, @JsonSetter(nulls = Nulls.SET) Page focus) {}

    private static Strip read(String json) {
        return StrictJson.read(json, Strip.class, "the strip");
    }

    @Test
    void fieldsAreMatchedByNameInAnyOrderAndUnknownOnesSkipped() {
        Strip a = read("{\"label\":\"heap\",\"first_address\":4096,\"pages\":[{\"number\":1,\"state\":\"#\"}],\"focus\":null}");
        Strip b = read("{\"focus\":null,\"new\":{\"x\":[1,2]},\"pages\":[{\"state\":\"#\",\"number\":1,\"more\":true}],"
                + "\"first_address\":4096,\"label\":\"heap\"}");
        assertThat(b).isEqualTo(a).isEqualTo(new Strip("heap", 4096, List.of(new Page(1, "#")), null));
    }

    record Reading(double seconds, boolean done) {}

    @Test
    void aWholeNumberReadsAsAFractionButNothingElseChangesType() {
        assertThat(StrictJson.read("{\"seconds\":2,\"done\":true}", Reading.class, "r")).isEqualTo(new Reading(2.0, true));
        assertThatThrownBy(() -> StrictJson.read("{\"seconds\":2,\"done\":1}", Reading.class, "r")).hasMessageStartingWith("r: done: ");
        assertThatThrownBy(() -> StrictJson.read("{\"seconds\":2,\"done\":\"true\"}", Reading.class, "r")).hasMessageStartingWith("r: done: ");
        assertThatThrownBy(() -> StrictJson.read("{\"seconds\":\"2\",\"done\":true}", Reading.class, "r")).hasMessageStartingWith("r: seconds: ");
        assertThatThrownBy(() -> StrictJson.read("{\"label\":true,\"first_address\":1,\"pages\":[],\"focus\":null}", Strip.class, "s"))
                .hasMessageStartingWith("s: label: ");
    }

    @Test
    void aMissingNullOrMistypedFieldIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> read("{\"label\":\"heap\",\"pages\":[],\"focus\":null}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the strip: first_address: missing");
        assertThatThrownBy(() -> read("{\"label\":\"heap\",\"first_address\":1,\"pages\":[{\"number\":1}],\"focus\":null}"))
                .hasMessageStartingWith("the strip: pages[0].state: missing");
        assertThatThrownBy(() -> read("{\"label\":null,\"first_address\":1,\"pages\":[],\"focus\":null}"))
                .hasMessageStartingWith("the strip: label: ");
        assertThatThrownBy(() -> read("{\"label\":\"heap\",\"first_address\":\"1\",\"pages\":[],\"focus\":null}"))
                .hasMessageStartingWith("the strip: first_address: ");
        assertThatThrownBy(() -> read("{\"label\":\"heap\",\"first_address\":1.5,\"pages\":[],\"focus\":null}"))
                .hasMessageStartingWith("the strip: first_address: ");
        assertThatThrownBy(() -> read("{\"label\":7,\"first_address\":1,\"pages\":[],\"focus\":null}"))
                .hasMessageStartingWith("the strip: label: ");
        assertThatThrownBy(() -> read("{\"label\":\"heap\",\"first_address\":1,\"pages\":[{\"number\":true,\"state\":\"-\"}],\"focus\":null}"))
                .hasMessageStartingWith("the strip: pages[0].number: ");
    }

    @Test
    void theTextIsOneJsonValueWithoutRepeatedKeys() {
        String ok = "{\"label\":\"heap\",\"first_address\":1,\"pages\":[],\"focus\":null}";
        assertThat(read(ok).label()).isEqualTo("heap");
        assertThatThrownBy(() -> read(ok + " {}")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the strip: ");
        assertThatThrownBy(() -> read(ok.replace("{\"label\":\"heap\",", "{\"label\":\"heap\",\"label\":\"x\",")))
                .hasMessageContaining("Duplicate field 'label'");
        assertThatThrownBy(() -> StrictJson.tree("[1,", "the list")).hasMessageStartingWith("the list: ");
        assertThat(StrictJson.tree("{\"b\":1,\"a\":2}", "t").fieldNames()).toIterable().containsExactly("b", "a");
    }
}
