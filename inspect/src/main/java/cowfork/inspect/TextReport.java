// The terminal view of a sample: a table per process and region, and under --watch, how fast each goes private.
package cowfork.inspect;

import cowfork.cow.Smaps;
import cowfork.support.Sizes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes samples for a reader at a terminal. The first sample is a full table:
 * <pre>
 *                             RSS      PSS  private   shared     swap   MiB
 *   master 15020             58.7     30.1      1.9     56.8      0.0
 *     heap                   43.0     21.5      0.9     42.1      0.0
 *     ...
 * </pre>
 * Each later one ({@code --watch}) is short: every process's totals with its private growth per
 * minute since it was first seen, the same growth by region, and the mappings going private
 * fastest. Sizes are MiB (2^20 bytes) with one decimal; growth is per minute.
 */
final class TextReport {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private TextReport() {}

    /** The line that opens a run: which tree, how it was found. */
    static String header(int masterPid, String command, boolean wholeTree, boolean regions) {
        return "inspect: master " + masterPid + " (" + ProcessTree.shorten(command == null ? "?" : command, 90) + ")"
                + (wholeTree ? ", its whole tree" : ", its workers") + "; read from "
                + (regions ? "/proc/PID/smaps" : "/proc/PID/smaps_rollup (totals only)");
    }

    /** The sample's own line: when, its cost, the tree's PSS against the master's RSS, who was left out. */
    static String summary(Sample s) {
        StringBuilder sb = new StringBuilder();
        sb.append("sample ").append(s.number()).append(" at ").append(CLOCK.format(s.time())).append(" UTC");
        if (s.number() > 1) {
            sb.append(", ").append(String.format(Locale.ROOT, "%.1f", s.elapsedS())).append(" s since the first");
        }
        sb.append(String.format(Locale.ROOT, ": cost %.0f ms (cpu %.0f ms) for %d processes%n", s.costMs(), s.cpuMs(),
                s.processes().size()));
        long masterRss = s.master().total().rssKb();
        sb.append(String.format(Locale.ROOT, "  total PSS %s = %.2f x the master's RSS (%s): %d workers",
                mib(s.totalPssKb()), masterRss == 0 ? 0 : (double) s.totalPssKb() / masterRss, mib(masterRss),
                s.withRole(ProcessTree.Role.WORKER).size()));
        int others = s.withRole(ProcessTree.Role.OTHER).size();
        if (others > 0) {
            sb.append(", ").append(others).append(" other descendants");
        }
        for (Sample.LeftOut l : s.leftOut()) {
            sb.append(String.format("%n  left out: %s (%s)", l.member(), l.reason()));
        }
        String check = check(s);
        if (check != null) {
            sb.append(System.lineSeparator()).append(check);
        }
        return sb.toString();
    }

    /**
     * With --check: how far each process's sums by region are from its smaps_rollup read right
     * after, the largest difference over the processes for Rss, Pss and private (in % of the
     * rollup's figure); null without --check.
     */
    static String check(Sample s) {
        double[] worst = new double[3];
        int checked = 0;
        for (ProcessMemory p : s.processes()) {
            if (p.rollup() == null) {
                continue;
            }
            checked++;
            long[][] pairs = {{p.total().rssKb(), p.rollup().rssKb()}, {p.total().pssKb(), p.rollup().pssKb()},
                    {ProcessMemory.privateKb(p.total()), ProcessMemory.privateKb(p.rollup())}};
            for (int i = 0; i < 3; i++) {
                double gap = pairs[i][1] == 0 ? 0 : 100.0 * (pairs[i][0] - pairs[i][1]) / pairs[i][1];
                if (Math.abs(gap) > Math.abs(worst[i])) {
                    worst[i] = gap;
                }
            }
        }
        return checked == 0 ? null : String.format(Locale.ROOT, "  check: regions against smaps_rollup read right after,"
                + " largest gap over %d processes: Rss %+.2f%%, Pss %+.2f%%, private %+.2f%%", checked, worst[0], worst[1], worst[2]);
    }

    /** The full table: per process its totals, then per region (regions holding nothing are not shown). */
    static String table(Sample s) {
        StringBuilder sb = new StringBuilder(row("", "RSS", "PSS", "private", "shared", "swap")).append("   MiB\n");
        for (ProcessMemory p : s.processes()) {
            sb.append(row(p.member().toString(), p.total())).append('\n');
            if (p.hasRegions()) {
                for (Map.Entry<String, Smaps.Fields> r : p.regions().entrySet()) {
                    if (r.getValue().rssKb() > 0 || r.getValue().swapKb() > 0) {
                        sb.append(row("  " + r.getKey(), r.getValue())).append('\n');
                    }
                }
            }
        }
        return sb.toString().stripTrailing();
    }

    /** The --watch view after the first sample: who came and went, totals with growth, growth by region, fastest mappings. */
    static String growth(Growth.Update u, int topMappings) {
        StringBuilder sb = new StringBuilder();
        if (!u.exited().isEmpty() || !u.started().isEmpty()) {
            sb.append("  exited: ").append(u.exited().isEmpty() ? "none" : join(u.exited()))
                    .append("; new: ").append(u.started().isEmpty() ? "none" : join(u.started())).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "  %-16s %9s %9s %9s   %s%n", "", "RSS", "PSS", "private",
                "private growth per minute: since first seen, over the last interval"));
        for (Growth.Rates r : u.rates()) {
            Smaps.Fields f = r.now().total();
            sb.append(String.format(Locale.ROOT, "  %-16s %9s %9s %9s   %s%n", r.now().member(), num(f.rssKb()),
                    num(f.pssKb()), num(ProcessMemory.privateKb(f)), r.minutes() > 0
                            ? String.format(Locale.ROOT, "%11s %11s", signed(r.total()), signed(r.recent())) : "(first seen now)"));
        }
        Set<String> regions = new LinkedHashSet<>();
        u.rates().forEach(r -> regions.addAll(r.byRegion().keySet()));
        if (!regions.isEmpty()) {
            sb.append("  private growth per minute by region:\n");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-16s", ""));
            regions.forEach(name -> head.append(String.format(Locale.ROOT, " %11s", ProcessTree.shorten(name, 11))));
            sb.append(head).append('\n');
            for (Growth.Rates r : u.rates()) {
                sb.append(String.format(Locale.ROOT, "  %-16s", r.now().member()));
                for (String name : regions) {
                    Double v = r.byRegion().get(name);
                    sb.append(String.format(Locale.ROOT, " %11s", v == null || r.minutes() == 0 ? "-" : signed(v)));
                }
                sb.append('\n');
            }
        }
        List<Growth.MappingRate> fastest = new ArrayList<>();
        for (Growth.MappingRate m : u.fastest()) {
            if (fastest.size() < topMappings && m.kbPerMinute() > 0) {
                fastest.add(m);
            }
        }
        if (!fastest.isEmpty()) {
            sb.append("  mappings going private fastest (per worker per minute):\n");
            for (Growth.MappingRate m : fastest) {
                sb.append(String.format(Locale.ROOT, "  %11s  %s%s%n", signed(m.perWorker()), m.description(),
                        m.workers() > 1 ? "" : " (1 worker)"));
            }
        }
        return sb.toString().stripTrailing();
    }

    private static String row(String label, Smaps.Fields f) {
        return row(label, num(f.rssKb()), num(f.pssKb()), num(ProcessMemory.privateKb(f)), num(ProcessMemory.sharedKb(f)),
                num(f.swapKb()));
    }

    private static String row(String label, String rss, String pss, String priv, String shared, String swap) {
        return String.format(Locale.ROOT, "  %-22s %9s %9s %9s %9s %9s", label, rss, pss, priv, shared, swap);
    }

    /** kB as MiB with one decimal. */
    private static String num(long kb) {
        return String.format(Locale.ROOT, "%.1f", kb / 1024.0);
    }

    private static String mib(long kb) {
        return num(kb) + " MiB";
    }

    /** A growth in kB per minute as "+1.2 MiB", "-12.0 KiB", "+0 B". */
    static String signed(double kbPerMinute) {
        long bytes = Math.round(kbPerMinute * 1024);
        return (bytes < 0 ? "-" : "+") + Sizes.format(Math.abs(bytes));
    }

    private static String join(Set<Integer> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
