// The report's rows, grep-able lines and goals: each figure comes from the run it names, and a failed run is a row, not a gap.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleReportTest {
    private static final long GIB = 1L << 30;
    private static final long ITEMS = 1_441_937;

    /** A run that reached its plateau in its third window. */
    static RunResult run(String server, int workers, long pss, long rss, double firstRps, double lastRps) {
        List<MemorySampler.Sample> samples = List.of(new MemorySampler.Sample(0, rss, rss, workers + 1),
                new MemorySampler.Sample(1, pss * 9 / 10, rss, workers + 1), new MemorySampler.Sample(2, pss, rss, workers + 1));
        return new RunResult(server, workers, GIB, ITEMS, samples, List.of(new WrkResult(firstRps, 300, 500, 2000, 0),
                new WrkResult(lastRps / 2, 300, 500, 2000, 0), new WrkResult(lastRps, 250, 400, 1500, 0)),
                List.of(0.3, 0.02, 0.004), pss, rss, true, 2, 14.25, 12.4,
                server.endsWith("-hugepages") ? 1_048_576 : 0, server.endsWith("-hugepages") ? 3876 : 0, 0, null);
    }

    @Test
    void theGrepLineStartsWithTheIssuesKeysInTheIssuesOrder() {
        RunResult r = run("cowfork-immortal", 8, 1_530_000, 1_500_000, 140_000.4, 146_000.6);
        assertThat(r.grepLine()).isEqualTo("scale: server=cowfork-immortal workers=8 data=1g plateau_pss_kb=1530000"
                + " master_rss_kb=1500000 ratio=1.02 first10s_rps=140000 plateau_rps=146001 plateau_s=2 growth_pct=0.40"
                + " fork_ms=14.3 sample_ms=12 heap_thp_kib=0 thp_split_pmd=0 thp_collapse=0");
        assertThat(r.grepLine()).matches("scale: server=\\S+ workers=\\d+ data=\\S+ plateau_pss_kb=\\d+ master_rss_kb=\\d+"
                + " ratio=[0-9.]+ first10s_rps=\\d+ plateau_rps=\\d+( \\w+=\\S+)*");
    }

    @Test
    void aFailedRunKeepsTheKeysAndSaysWhy() {
        RunResult r = RunResult.failed("cowfork-inline-hugepages", 8, GIB,
                "java (pid 7) ended its output before printing the expected line; its last 2 lines:\n"
                        + "serve: unknown flag \"--huge-pages\"\nusage: ./cowfork serve [flags]");
        assertThat(r.grepLine()).isEqualTo("scale: server=cowfork-inline-hugepages workers=8 data=1g plateau_pss_kb=-"
                + " master_rss_kb=- ratio=- first10s_rps=- plateau_rps=- error=\"java (pid 7) ended its output before"
                + " printing the expected line; its last 2 lines: serve: unknown flag '--huge-pages'\"");
        assertThat(ScaleReport.row(r, 60, 10)).startsWith("| cowfork-inline-hugepages | 8 | failed: java (pid 7)")
                .contains("serve: unknown flag");
    }

    @Test
    void aRunStoppedByTheCapSaysSoWithItsLastGrowth() {
        RunResult capped = new RunResult("cowfork-inline", 8, GIB, ITEMS, List.of(new MemorySampler.Sample(0, 100, 100, 9)),
                List.of(new WrkResult(11_200, 2000, 3000, 9000, 0)), List.of(0.034), 2_460_000, 1_500_000, false, 0,
                Double.NaN, Double.NaN, -1, -1, -1, null);
        assertThat(ScaleReport.row(capped, 60, 10)).contains("| 1.64 |").contains("no plateau in 60 s (+3.4%/window)")
                // 11,200 rps for 10 s over 8 workers: 14,000 requests each, about 1% of 1.44 M items
                .endsWith("| - | 14,000 (1%) |");
        assertThat(capped.grepLine()).contains("plateau_s=- growth_pct=3.40 fork_ms=- sample_ms=- heap_thp_kib=- thp_split_pmd=- thp_collapse=-");
    }

    @Test
    void theGoalsAreTheIssuesRatiosFromTheRowsAtTheLargestWorkerCount() {
        List<RunResult> rows = List.of(run("cowfork-immortal", 8, 1_530_000, 1_500_000, 140_000, 146_000),
                run("cowfork-immortal", 1, 3_000_000, 1_500_000, 1, 1), // another worker count: not a goal's row
                run("gunicorn-py3.11", 8, 3_000_000, 1_600_000, 5_000, 50_000));
        assertThat(ScaleReport.goals(rows, 8)).containsExactly(
                "cowfork-immortal at 8 workers: plateau PSS / master RSS = 1.02 (goal <= 1.05): met",
                "cowfork-immortal / gunicorn-py3.11 requests/s at the plateau, 8 workers: 2.9 (goal >= 3): not met");
        RunResult capped = new RunResult("cowfork-immortal", 8, GIB, ITEMS, rows.get(0).samples(), rows.get(0).windows(),
                List.of(0.3, 0.02), 1_530_000, 1_500_000, false, 0, Double.NaN, Double.NaN, -1, -1, -1, null);
        assertThat(ScaleReport.goals(List.of(capped), 8).get(0))
                .endsWith("met (cowfork-immortal reached no plateau: its last window, at the cap)");
        assertThat(ScaleReport.goals(List.of(rows.get(2)), 8)).containsExactly(
                "cowfork-immortal at 8 workers: plateau PSS / master RSS: not measured",
                "cowfork-immortal / gunicorn requests/s at the plateau, 8 workers: not measured");
    }

    @Test
    void theMarkdownHasEveryRowItsGrepLineAndLinksTheFigures() {
        ScaleOptions o = ScaleOptions.parse(new String[] {"--workers", "1,8"}, List.of("inline", "immortal"));
        List<RunResult> rows = List.of(run("cowfork-immortal", 8, 1_530_000, 1_500_000, 140_000, 146_000),
                RunResult.failed("cowfork-immortal-hugepages", 8, GIB, "boom\nsecond line"));
        String md = ScaleReport.markdown("2 cores", o, rows, List.of("fork-ratio: touched_mib=1024 jvm_4k_over_2m=5.0"),
                "figures");
        assertThat(md).contains("Command: `./cowfork scale --data-size 1g --workers 1,8 --servers inline,immortal,gunicorn"
                        + " --window 10 --cap 30 --cap-largest 60 --huge-pages inline,immortal`")
                .contains("| cowfork-immortal | 8 | 1,494 MiB | 1,465 MiB | 1.02 | 2 s | 140,000 / 300 us / 2.00 ms"
                        + " | 146,000 / 250 us / 1.50 ms | 14.3 ms | 448,750 (27%) |")
                .contains(rows.get(0).grepLine()).contains(rows.get(1).grepLine())
                .contains("Failed: cowfork-immortal-hugepages with 8 workers:\n\n```\nboom\nsecond line\n```")
                .contains("](figures/" + ScaleReport.PSS_OVER_TIME + ")").contains("](figures/" + ScaleReport.PSS_VS_WORKERS + ")");
    }

    @Test
    void bothFiguresAreWrittenWithTheCommand(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<RunResult> rows = List.of(run("cowfork-immortal", 8, 1_530_000, 1_500_000, 140_000, 146_000),
                run("cowfork-immortal", 1, 1_500_000, 1_500_000, 1, 1), run("cowfork-inline", 8, 2_460_000, 1_500_000, 1, 1));
        ScaleReport.writeFigures(dir, rows, 8, 30, "./cowfork scale --workers 1,8");
        String overTime = java.nio.file.Files.readString(dir.resolve(ScaleReport.PSS_OVER_TIME));
        String vsWorkers = java.nio.file.Files.readString(dir.resolve(ScaleReport.PSS_VS_WORKERS));
        assertThat(overTime).contains("./cowfork scale --workers 1,8").contains(">cowfork-immortal<").contains(">cowfork-inline<");
        // at 8 workers: immortal and inline, each with its master's RSS dashed; the 1-worker run is not drawn
        assertThat(overTime.split("<polyline", -1)).hasSize(5);
        assertThat(overTime.split("stroke-dasharray", -1)).hasSize(2 + 1 + 1); // two lines and one legend entry
        assertThat(vsWorkers).contains("workers").contains("PSS (MiB)");
    }

    @Test
    void theHugePageSectionPutsEachStrategyNextToItsHugePageRunAndJudgesTheForkGoal() {
        ScaleOptions o = ScaleOptions.parse(new String[] {"--workers", "1,8"}, List.of("inline", "immortal"));
        List<RunResult> rows = List.of(run("cowfork-immortal", 8, 1_530_000, 1_500_000, 140_000, 146_000),
                run("cowfork-immortal-hugepages", 8, 1_520_000, 1_500_000, 140_000, 150_000),
                run("cowfork-immortal", 1, 1_500_000, 1_500_000, 1, 1)); // not at the largest worker count: left out
        List<String> fork = List.of("fork: runtime=jvm pages=4k touched_mib=1024 thp_mib=0 rss_mib=1129 median_us=6869 ms_per_gb=6.2",
                "fork-ratio: touched_mib=1024 jvm_4k_over_2m=12.5 c_4k_over_2m=4.1");
        String section = ScaleReport.hugePages(o, rows, fork);
        assertThat(section).contains(fork.get(0)).contains(fork.get(1))
                .contains("| immortal | 4 KiB | 0 MiB | 14.3 ms | 1,494 MiB | 1.02 | 146,000 | 0 | 0 |")
                .contains("| immortal | 2 MiB (THP) | 1,024 MiB | 14.3 ms | 1,484 MiB | 1.01 | 150,000 | 3,876 | 0 |")
                .doesNotContain("| inline |") // no inline run: no inline rows
                .contains("The whole fork() call: 4 KiB / 2 MiB = 12.5x, met; the block's own share (each time minus the"
                        + " 64.0 MiB block's, the rest of the JVM): not measured");
        List<String> withFloor = List.of(
                "fork: runtime=jvm pages=4k touched_mib=64 thp_mib=0 rss_mib=174 median_us=1300 ms_per_gb=7.5",
                "fork: runtime=jvm pages=2m touched_mib=64 thp_mib=64 rss_mib=180 median_us=1000 ms_per_gb=5.7",
                "fork: runtime=jvm pages=4k touched_mib=1024 thp_mib=0 rss_mib=1129 median_us=6900 ms_per_gb=6.2",
                "fork: runtime=c pages=2m touched_mib=1024 thp_mib=1024 rss_mib=1137 median_us=99 ms_per_gb=1.7",
                "fork: runtime=jvm pages=2m touched_mib=1024 thp_mib=1024 rss_mib=1136 median_us=1400 ms_per_gb=1.2",
                "fork-ratio: touched_mib=64 jvm_4k_over_2m=1.3 c_4k_over_2m=1.4",
                "fork-ratio: touched_mib=1024 jvm_4k_over_2m=4.9 c_4k_over_2m=4.1");
        // whole: the 1024 line's 4.9 (not the 64 line's); the block's own: (6900 - 1300) / (1400 - 1000) = 14 (C rows ignored)
        assertThat(ScaleReport.hugePages(o, rows, withFloor)).contains("The whole fork() call: 4 KiB / 2 MiB = 4.9x, not met;")
                .contains("the rest of the JVM): 4 KiB / 2 MiB = 14.0x, met");
        assertThat(ScaleReport.hugePages(o, rows, List.of("fork-latency failed: no gcc"))).contains("fork-latency failed: no gcc")
                .contains("The whole fork() call: not measured; the block's own share");
    }

    @Test
    void everyPointAgainstWorkersIsReadAfterTheSameLoadTime() {
        // samples at 0, 1 and 2 s (run(...)): at 1 s the PSS was 9/10 of the end's
        RunResult r = run("cowfork-inline", 8, 2_000_000, 1_500_000, 1, 1);
        assertThat(ScaleReport.pssAt(r, 1)).isEqualTo(1_800_000);
        assertThat(ScaleReport.pssAt(r, 60)).isEqualTo(2_000_000);
    }
}
