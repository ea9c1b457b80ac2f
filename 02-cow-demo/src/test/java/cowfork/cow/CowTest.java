// Copy-on-write facts the kernel reports for a family of processes: reads copy nothing, Pss is shared arithmetic, huge pages.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import cowfork.support.Processes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CowTest {
    static final Forker FORKER = CowProperties.FORKER;
    static final int PAGES = 256;

    @Test
    void readingEveryByteNeverMakesAPagePrivate() {
        try (Region region = Region.allocate(PAGES * Region.PAGE_SIZE)) {
            region.fill(0, region.size(), (byte) 3);
            PageMap child = ChildSnapshot.take(FORKER, () -> Workloads.readAll(region), pid -> PageMap.of(pid, region));
            assertThat(child.count(PageState.SHARED)).isEqualTo(PAGES);
            assertThat(child.count(PageState.PRIVATE)).isZero();
            assertThat(PageMap.ofSelf(region).count(PageState.PRIVATE)).as("after the child is gone").isEqualTo(PAGES);
        }
    }

    @Test
    void whileAChildLivesTheParentsPagesAreSharedAndAWriteCopiesOnlyInTheWriter() {
        try (Region region = Region.allocate(PAGES * Region.PAGE_SIZE)) {
            region.fill(0, region.size(), (byte) 3);
            record Both(PageMap child, PageMap parent, Smaps.Fields childFields) {}
            Both both = ChildSnapshot.take(FORKER, () -> Workloads.writeEvery(region, 16, 5, PAGES, (byte) 9),
                    pid -> new Both(PageMap.of(pid, region), PageMap.ofSelf(region), Smaps.of(pid, region).fields()));
            List<Integer> expected = new ArrayList<>();
            for (int p = 5; p < PAGES; p += 16) {
                expected.add(p);
            }
            assertThat(both.child().privatePages()).containsExactlyElementsOf(expected);
            assertThat(both.childFields().privateDirtyKb()).isEqualTo(expected.size() * 4L);
            // The parent kept the originals; once the child copied a page, the original is the parent's alone.
            assertThat(both.parent().privatePages()).containsExactlyElementsOf(expected);
            assertThat(region.getByte(5L * Region.PAGE_SIZE + Region.PAGE_SIZE / 2)).isEqualTo((byte) 3);
        }
    }

    /**
     * Pss divides each shared page among the processes that share it. Three processes,
     * two children writing random pages; the page maps alone say who shares what, and
     * the kernel's Pss for the region must agree within one page (it rounds to kB).
     */
    @Test
    void pssIsSharedPagesDividedAmongTheirSharers() {
        Random random = new Random(0x02c0);
        try (Region region = Region.allocate(PAGES * Region.PAGE_SIZE)) {
            region.fill(0, region.size(), (byte) 3);
            List<ChildHandle> children = new ArrayList<>();
            try {
                for (int c = 0; c < 2; c++) {
                    long[] offsets = random.longs(PAGES / 3, 0, region.size()).toArray();
                    byte[] values = new byte[offsets.length];
                    children.add(FORKER.start(child -> {
                        Workloads.writeBytes(region, offsets, values);
                        child.send("ready");
                        child.receive();
                        return new byte[0];
                    }));
                }
                for (ChildHandle c : children) {
                    ChildSnapshot.awaitReady(c);
                }
                List<Integer> pids = new ArrayList<>(List.of(Processes.self()));
                children.forEach(c -> pids.add(c.pid()));
                List<PageMap> family = pids.stream().map(pid -> PageMap.of(pid, region)).toList();
                List<Smaps.Fields> fields = pids.stream().map(pid -> Smaps.of(pid, region).fields()).toList();
                for (int i = 0; i < pids.size(); i++) {
                    double expectedKb = family.get(i).pssBytesAmong(family) / 1024;
                    assertThat((double) fields.get(i).pssKb()).as("Pss of pid %d", pids.get(i))
                            .isCloseTo(expectedKb, org.assertj.core.data.Offset.offset(4.0));
                    assertThat(fields.get(i).privateDirtyKb()).isEqualTo(family.get(i).count(PageState.PRIVATE) * 4L);
                }
                double totalKb = fields.stream().mapToLong(Smaps.Fields::pssKb).sum();
                long distinctPages = PAGES + family.subList(1, 3).stream().mapToLong(m -> m.count(PageState.PRIVATE)).sum();
                assertThat(totalKb).as("Pss adds up to the physical pages the family holds")
                        .isCloseTo(distinctPages * 4.0, org.assertj.core.data.Offset.offset(12.0));
                for (ChildHandle c : children) {
                    c.send("done");
                    c.await().orThrow();
                }
            } finally {
                children.forEach(ChildHandle::close);
            }
        }
    }

    /**
     * What a one-byte write in a child costs with huge pages allowed. Whether a huge page
     * backs the region depends on the kernel's THP mode and on free memory, so the test
     * says which case it saw and asserts what the kernel guarantees in that case.
     */
    @Test
    void aOneByteWriteCostIsWhatTheKernelSays() {
        HugePageCost.Measurement small = HugePageCost.measure(FORKER, Region.HugePages.NEVER, 4L << 20);
        assertThat(small.writeCostKb()).isEqualTo(4);
        assertThat(small.childMap().privatePages()).hasSize(1);
        assertThat(small.parentBefore().anonHugePagesKb()).isZero();

        String thp = KernelProbe.probe().thp();
        HugePageCost.Measurement huge = HugePageCost.measure(FORKER, Region.HugePages.ALLOWED, 4L << 20);
        boolean backed = huge.parentBefore().anonHugePagesKb() > 0;
        String kind = "thp=" + thp + (backed ? ", a huge page backed the region" : ", no huge page backed the region");
        System.out.println("cow: huge pages (" + kind + ")\n" + small.describe() + "\n" + huge.describe());
        if (thp.equals("never") || thp.equals("unsupported")) {
            assertThat(backed).as("%s: MADV_HUGEPAGE cannot get a huge page", kind).isFalse();
        }
        if (backed) {
            // Either the whole huge page is copied (old kernels) or the mapping is split and one 4 KiB page is.
            assertThat(huge.writeCostKb()).as(kind).isIn(4L, 2048L);
        } else {
            assertThat(huge.writeCostKb()).as("%s: 4 KiB pages, one copied", kind).isEqualTo(4);
        }
        assertThat(huge.childMap().count(PageState.PRIVATE) * 4L).as("%s: page map and smaps agree", kind)
                .isEqualTo(huge.writeCostKb());
    }
}
