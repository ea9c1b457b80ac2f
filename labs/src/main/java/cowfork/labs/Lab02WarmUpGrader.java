// Lab 02's warm-up grader: count a child's private pages from smaps alone, and check the count against the page map.
package cowfork.labs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.Smaps;
import cowfork.cow.lab.SmapsCount;
import cowfork.fork.Forker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * Grades {@link SmapsCount}, twice against the page map. A child writes one byte in every
 * third page of a 256-page anonymous region: its copies are private and dirty. A child reads
 * every third page of a file the parent mapped privately (as the JVM maps its archive of
 * classes) but never touched: the pages it faulted in are mapped by no other process, so they
 * are private, and clean, because nobody wrote them.
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
                    pid -> new long[] {PageMap.of(pid, region).count(PageState.PRIVATE), SmapsCount.privatePages(pid, region.address())});
            assertThat(answer[0]).as("private pages by pagemap").isEqualTo(86);
            assertThat(answer[1]).as("private pages by smaps").isEqualTo(answer[0]);
        }
    }

    @Test
    void smapsAndPagemapAgreeOnFilePagesTheChildOnlyRead() throws IOException {
        int pages = 64;
        Path file = Files.createTempFile("cowfork-lab02-", ".data").toRealPath();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.write(file, new byte[pages * Region.PAGE_SIZE]);
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.PRIVATE, 0, (long) pages * Region.PAGE_SIZE); // the parent never reads it
            long[] answer = ChildSnapshot.take(Forker.safe(),
                    () -> {
                        int sum = 0;
                        for (int page = 0; page < pages; page += 3) {
                            sum += mapped.get(page * Region.PAGE_SIZE);
                        }
                        if (sum != 0) {
                            throw new IllegalStateException("the file holds zeros, read " + sum);
                        }
                    },
                    pid -> {
                        Smaps.Mapping m = mappingOf(pid, file);
                        PageMap before = PageMap.of(pid, m.start(), m.end() - m.start());
                        long yours = SmapsCount.privatePages(pid, m.start());
                        PageMap after = PageMap.of(pid, m.start(), m.end() - m.start());
                        return new long[] {before.count(PageState.PRIVATE), after.count(PageState.PRIVATE),
                                before.count(PageState.SHARED), yours};
                    });
            // What the kernel shows, not what the student wrote: a kernel that does not show these pages as the
            // child's own (exclusively mapped) cannot judge the count, and the check says so.
            assumeThat(answer[0]).as("this kernel's page map does not show the %d file pages the child read as its own"
                    + " (it may map neighbours of a page read from a file too, never fewer)", (pages + 2) / 3)
                    .isGreaterThanOrEqualTo((pages + 2) / 3);
            assumeThat(answer[2]).as("this kernel's page map shows file pages the parent never touched as shared").isZero();
            assumeThat(answer[1]).as("the kernel reclaimed some of these clean pages while the grader read them, so the"
                    + " two readings cannot be compared (memory pressure on this machine)").isEqualTo(answer[0]);
            assertThat(answer[3]).as("private pages by smaps, for pages the child read and never wrote").isEqualTo(answer[0]);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The one mapping of {@code file} in process {@code pid}. */
    private static Smaps.Mapping mappingOf(int pid, Path file) {
        return Smaps.all(pid).stream().filter(m -> m.name().equals(file.toString())).findFirst()
                .orElseThrow(() -> new UncheckedIOException(new IOException("process " + pid + " does not map " + file)));
    }
}
