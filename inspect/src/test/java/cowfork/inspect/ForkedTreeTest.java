// inspect against a tree whose copy-on-write figures are known exactly: this JVM as master, forked workers writing chosen pages.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import cowfork.cow.Smaps;
import cowfork.support.Processes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForkedTreeTest {
    static final int PAGES = 4096;          // 16 MiB, written by the master before the fork
    static final int WORKERS = 3;
    static final int PER_ROUND = 100;       // pages each worker writes per round

    /** The master and our workers only: the test JVM may have other children (a test that started a server). */
    static List<ProcessTree.Member> listing(ForkedTree tree) {
        List<ProcessTree.Member> members = new ArrayList<>();
        for (ProcessTree.Member m : ProcessTree.list(Processes.self(), false)) {
            if (m.role() == ProcessTree.Role.MASTER || tree.pids().contains(m.pid())) {
                members.add(m);
            }
        }
        return members;
    }

    static Smaps.Mapping regionMapping(ProcessMemory p, ForkedTree tree) {
        return p.mappings().stream().filter(m -> m.start() == tree.region.address()).findFirst()
                .orElseThrow(() -> new AssertionError(p.member() + " has no mapping at the region's address"));
    }

    @Test
    void theTreeIsTheMasterAndTheWorkersItForked() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 1)) {
            List<ProcessTree.Member> members = ProcessTree.list(Processes.self(), false);
            assertThat(members.get(0)).isEqualTo(new ProcessTree.Member(Processes.self(), Processes.parentOf(Processes.self()),
                    ProcessTree.Role.MASTER));
            for (int pid : tree.pids()) {
                assertThat(members).contains(new ProcessTree.Member(pid, Processes.self(), ProcessTree.Role.WORKER));
            }
        }
    }

    @Test
    void eachWorkersPrivatePagesAreExactlyThePagesItWrote() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 1)) {
            Sample s = new Sampler(Processes.self(), false, true).read(listing(tree));
            assertThat(s.processes()).hasSize(1 + WORKERS);
            assertThat(s.leftOut()).isEmpty();
            double regionPss = 0;
            for (ProcessMemory p : s.processes()) {
                Smaps.Mapping m = regionMapping(p, tree);
                assertThat(p.mappingRegions().get(p.mappings().indexOf(m))).as("an mmap'd object heap").isEqualTo(Regions.HEAP);
                long expected = p.role() == ProcessTree.Role.WORKER ? PER_ROUND * 4L : 0;
                assertThat(ProcessMemory.privateKb(m.fields())).as("private kB of the region in %s", p.member()).isEqualTo(expected);
                assertThat(m.fields().rssKb()).isEqualTo(PAGES * 4L);
                regionPss += m.fields().pssKb();
            }
            // Each original page counted once among its sharers, each worker's copy once: the kernel rounds each Pss down to a kB.
            assertThat(regionPss).as("the tree's Pss of the region").isCloseTo((PAGES + WORKERS * PER_ROUND) * 4.0,
                    within((double) s.processes().size()));
        }
    }

    @Test
    void growthPerMinuteTimesMinutesIsWhatEachWorkerWroteSinceTheFirstSample() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 4)) {
            Sampler sampler = new Sampler(Processes.self(), false, true);
            Growth growth = new Growth();
            growth.update(sampler.read(listing(tree)));
            tree.writeMore();
            tree.writeMore();
            Growth.Update u = growth.update(sampler.read(listing(tree)));
            Growth.MappingRate fastest = u.fastest().get(0);
            double minutes = u.rates().get(1).minutes();
            assertThat(fastest.description()).startsWith("heap " + Long.toHexString(tree.region.address()) + "-");
            assertThat(fastest.workers()).isEqualTo(WORKERS);
            assertThat(fastest.perWorker() * minutes).as("kB each worker copied in the region between the samples")
                    .isCloseTo(2 * PER_ROUND * 4.0, within(1e-6));
            for (Growth.Rates r : u.rates()) {
                if (r.now().role() == ProcessTree.Role.WORKER) {
                    assertThat(r.byRegion().get(Regions.HEAP) * minutes).as("heap growth of %s", r.now().member())
                            .isGreaterThanOrEqualTo(2 * PER_ROUND * 4.0 - 1e-6);
                }
            }
            tree.writeMore();
            Growth.Update third = growth.update(sampler.read(listing(tree)));
            for (Growth.Rates r : third.rates()) {
                if (r.now().role() == ProcessTree.Role.WORKER) {
                    assertThat(r.recent() * r.recentMinutes()).as("kB %s copied in the last interval", r.now().member())
                            .isGreaterThanOrEqualTo(PER_ROUND * 4.0 - 1e-6);
                    assertThat(r.total() * r.minutes()).as("kB %s copied since first seen", r.now().member())
                            .isGreaterThanOrEqualTo(3 * PER_ROUND * 4.0 - 1e-6);
                }
            }
            String text = TextReport.growth(u, 3);
            assertThat(text).contains("mappings going private fastest").contains(Long.toHexString(tree.region.address()));
        }
    }

    @Test
    void aWorkerThatExitsDuringTheSampleIsLeftOutAndNamed() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 1)) {
            List<ProcessTree.Member> listed = listing(tree);
            int gone = tree.pids().get(1);
            tree.end(1); // listed, then exited and reaped before its smaps is read
            Sample s = new Sampler(Processes.self(), false, true).read(listed);
            assertThat(s.processes()).extracting(ProcessMemory::pid).doesNotContain(gone).hasSize(WORKERS);
            assertThat(s.leftOut()).containsExactly(new Sample.LeftOut(
                    new ProcessTree.Member(gone, Processes.self(), ProcessTree.Role.WORKER), "exited during the sample"));
            assertThat(TextReport.summary(s)).contains("left out: worker " + gone + " (exited during the sample)");
            assertThat(InspectJson.line(JsonReport.line(s)).leftOut())
                    .containsExactly(new InspectJson.LeftOut(gone, "worker", "exited during the sample"));
        }
    }

    @Test
    void aMasterThatExitsIsNoSuchProcess() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 1)) {
            int gone = tree.pids().get(0);
            List<ProcessTree.Member> listed = List.of(new ProcessTree.Member(gone, Processes.self(), ProcessTree.Role.MASTER));
            tree.end(0);
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                    InspectFailure.class, () -> new Sampler(gone, false, true).read(listed)))
                    .hasMessage("the master " + gone + " has exited")
                    .extracting(InspectFailure::exitCode).isEqualTo(InspectFailure.NO_SUCH_PROCESS);
        }
    }

    @Test
    void theJsonLineHasTheDocumentedShapeAndAddsUp() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 1)) {
            Sample s = new Sampler(Processes.self(), false, true).read(listing(tree));
            String line = JsonReport.line(s);
            assertThat(line).doesNotContain("\n");
            // the documented shape: these fields, in this order (a script may rely on them)
            assertThat(InspectJson.keys(line)).containsExactly("time", "sample", "elapsed_s", "cost_ms", "cpu_ms", "source",
                    "master_pid", "master_rss_kb", "total_pss_kb", "total_rss_kb", "processes", "left_out");
            InspectJson.Line doc = InspectJson.line(line);
            assertThat(doc.masterPid()).isEqualTo(Processes.self());
            assertThat(doc.source()).isEqualTo("smaps");
            assertThat(doc.time()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            assertThat(doc.processes()).hasSize(1 + WORKERS);
            long pss = 0;
            for (int i = 0; i < doc.processes().size(); i++) {
                InspectJson.Process p = doc.processes().get(i);
                assertThat(InspectJson.keys(line, "processes", i)).containsExactly("pid", "ppid", "role", "rss_kb", "pss_kb",
                        "private_kb", "shared_kb", "swap_kb", "regions");
                long regionPss = 0;
                for (String region : p.regions().keySet()) {
                    assertThat(InspectJson.keys(line, "processes", i, "regions", region))
                            .containsExactly("rss_kb", "pss_kb", "private_kb", "shared_kb", "swap_kb");
                    regionPss += p.regions().get(region).pssKb();
                }
                assertThat(regionPss).as("regions add up to the process").isEqualTo(p.pssKb());
                pss += p.pssKb();
            }
            assertThat(doc.totalPssKb()).isEqualTo(pss);
            assertThat(doc.processes().get(0).role()).isEqualTo("master");
            assertThat(doc.processes().get(0).rssKb()).isEqualTo(doc.masterRssKb());
        }
    }

    @Test
    void totalsOnlyReadsSmapsRollupAndSaysSo() {
        try (ForkedTree tree = ForkedTree.start(PAGES, WORKERS, PER_ROUND, 1)) {
            Sample s = new Sampler(Processes.self(), false, false).read(listing(tree));
            assertThat(s.processes()).allMatch(p -> !p.hasRegions());
            InspectJson.Line line = InspectJson.line(JsonReport.line(s));
            assertThat(line.source()).isEqualTo("smaps_rollup");
            assertThat(line.processes()).allSatisfy(p -> assertThat(p.regions()).as("regions of %d", p.pid()).isNull());
            for (ProcessMemory p : s.processes()) {
                if (p.role() == ProcessTree.Role.WORKER) {
                    assertThat(ProcessMemory.privateKb(p.total())).isGreaterThanOrEqualTo(PER_ROUND * 4L);
                }
            }
        }
    }
}
