// Challenge 02: count a child's private pages from smaps alone, and check the count against the page map.
package cowfork.cow.challenges;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.Smaps;
import cowfork.fork.Forker;
import org.junit.jupiter.api.Test;

/**
 * Challenge 02: pagemap tells you *which* pages are private; smaps only *how much*. Work
 * out a child's private page count in a region from {@code /proc/PID/smaps} alone, and
 * check it against the page map.
 *
 * <p>Run: {@code ./mvnw -B -P challenges -pl 02-cow-demo -am verify
 * -Dtest=SmapsOnlyChallenge -Dsurefire.failIfNoSpecifiedTests=false}.
 * It fails until you write {@link SmapsCount#privatePages}. Hint: {@link Smaps#of(int, Region)}; which field counts
 * pages this process wrote after fork, and in what unit?
 */
class SmapsOnlyChallenge {

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
