// The central claim, for any writes: a forked child's private pages are exactly the pages it wrote, and the parent never sees them.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.Forker;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

class CowProperties {
    static final int PAGES = 64;
    static final byte FILL = 0x5a;
    static final Forker FORKER = Forker.builder().warmUp(Workloads::warmUp).build();

    /** One byte a child writes: page, offset inside the page, value (maybe the value already there). */
    record Write(int page, int offsetInPage, byte value) {
        long offset() {
            return (long) page * Region.PAGE_SIZE + offsetInPage;
        }

        @Override
        public String toString() {
            return "page " + page + " +" + offsetInPage + " = " + value;
        }
    }

    @Provide
    Arbitrary<List<Write>> writes() {
        Arbitrary<Write> one = Combinators.combine(
                Arbitraries.integers().between(0, PAGES - 1),
                Arbitraries.integers().between(0, Region.PAGE_SIZE - 1),
                Arbitraries.of(FILL, (byte) 0, (byte) 1, (byte) -1).injectDuplicates(0.1)
        ).as(Write::new);
        return one.list().ofMaxSize(80);
    }

    /** Writing the same value that is already there still copies the page: the kernel sees a write, not a change. */
    @Property(tries = 40, shrinking = ShrinkingMode.FULL)
    void aChildsPrivatePagesAreExactlyThePagesItWrote(@ForAll("writes") List<Write> writes) {
        try (Region region = filledRegion()) {
            long[] offsets = offsets(writes);
            byte[] values = values(writes);
            PageMap child = ChildSnapshot.take(FORKER, () -> Workloads.writeBytes(region, offsets, values),
                    pid -> PageMap.of(pid, region));
            TreeSet<Integer> written = new TreeSet<>();
            writes.forEach(w -> written.add(w.page()));

            assertThat(child.privatePages()).containsExactlyElementsOf(written);
            assertThat(child.count(PageState.PRIVATE)).isEqualTo(written.size());
            assertThat(child.count(PageState.SHARED)).isEqualTo(PAGES - written.size());
        }
    }

    @Property(tries = 30)
    void theParentsContentsNeverChangeWhateverAChildWrites(@ForAll("writes") List<Write> writes) {
        try (Region region = filledRegion()) {
            long[] offsets = offsets(writes);
            byte[] values = values(writes);
            // The child returns the byte it reads back at the last offset it wrote: its own view.
            byte[] result = FORKER.call(c -> {
                Workloads.writeBytes(region, offsets, values);
                return offsets.length == 0 ? new byte[0] : new byte[] {region.getByte(offsets[offsets.length - 1])};
            });
            if (offsets.length > 0) {
                assertThat(result).containsExactly(values[values.length - 1]);
            }

            byte[] parentView = new byte[(int) region.size()];
            region.getBytes(0, parentView, 0, parentView.length);
            for (int i = 0; i < parentView.length; i++) {
                if (parentView[i] != FILL) {
                    throw new AssertionError("the parent's byte " + i + " (page " + i / Region.PAGE_SIZE + ") changed to "
                            + parentView[i] + " after a child wrote " + writes);
                }
            }
            assertThat(PageMap.ofSelf(region).count(PageState.PRIVATE)).as("every child is gone: all pages ours alone")
                    .isEqualTo(PAGES);
        }
    }

    static long[] offsets(List<Write> writes) {
        return writes.stream().mapToLong(Write::offset).toArray();
    }

    static byte[] values(List<Write> writes) {
        byte[] values = new byte[writes.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = writes.get(i).value();
        }
        return values;
    }

    static Region filledRegion() {
        Region region = Region.allocate(PAGES * Region.PAGE_SIZE);
        region.fill(0, region.size(), FILL);
        return region;
    }
}
