// Lab 02's warm-up grader: count a child's private pages from smaps alone, and check the count against the page map.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.lab.SmapsCount;
import cowfork.fork.Forker;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link SmapsCount}: a child writes one byte in every third page of a 256-page
 * region; the page map counts its private pages, and your count from smaps must agree.
 */
public class Lab02WarmUpGrader {

    @Test
    void smapsAndPagemapAgreeOnAChildsCopies() {
        try (Region region = Region.allocate(256 * Region.PAGE_SIZE)) {
            region.fill(0, region.size(), (byte) 1); // every page present and shared after fork
            long[] answer = ChildSnapshot.take(Forker.safe(),
                    () -> {
                        for (long page = 0; page < region.pages(); page += 3) {
                            region.putByte(page * Region.PAGE_SIZE + 7, (byte) 2);
                        }
                    },
                    pid -> new long[] {PageMap.of(pid, region).count(PageState.PRIVATE), SmapsCount.privatePages(pid, region)});
            assertThat(answer[0]).as("private pages by pagemap").isEqualTo(86);
            assertThat(answer[1]).as("private pages by smaps").isEqualTo(answer[0]);
        }
    }
}
