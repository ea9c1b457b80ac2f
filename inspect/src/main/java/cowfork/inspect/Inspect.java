// ./cowfork inspect: any pre-forking server's memory by process and region, read from /proc, once or live.
package cowfork.inspect;

import cowfork.support.Cli;
import java.io.PrintStream;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Points chapter 02's instruments at a running server (gunicorn, unicorn, Puma, ./cowfork serve)
 * from the outside, and shows where copy-on-write sharing decays:
 * <pre>
 *   ProcessTree   the master and its workers (listed again at every sample)
 *   Sampler       each process's smaps (or smaps_rollup), never stopping or attaching to it
 *   Regions       each mapping sorted into heap, java_heap, anon:NAME, other_anon, file_data, code, stack
 *   Growth        private kB per minute since first seen, by region and by mapping
 *   TextReport / JsonReport / PageStrips   what is printed
 * </pre>
 * Exit codes are {@link InspectFailure}'s: 0 done, 2 bad flags, 3 no such process, 4 not
 * permitted, 5 no pagemap flags.
 */
public final class Inspect {
    static final int OK = 0;
    static final int USAGE = 2;

    private Inspect() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line of {@code ./cowfork inspect}. */
    @Command(name = "./cowfork inspect", usageHelpWidth = 120, sortOptions = false, sortSynopsis = false,
            description = "Any pre-forking server's memory by process and region, read from /proc, once or live. Name the"
                    + " master: a PID, or --name PATTERN.",
            footer = {"", // after the flags: the regions, the --json schema, the exit codes
                "regions: heap ([heap] and private anonymous memory: malloc's and the runtime's arenas),",
                "  java_heap (a JVM's anonymous memory below 32 GiB), anon:NAME (named anonymous mappings),",
                "  other_anon (shared or executable anonymous memory), file_data (files mapped not executable,",
                "  and .bss), code (files mapped executable), stack (the main thread's)",
                "--json, one line per sample (kB; fields may be added, never renamed or removed):",
                "  {\"time\":ISO-8601,\"sample\":N,\"elapsed_s\":S,\"cost_ms\":MS,\"cpu_ms\":MS,\"source\":\"smaps\"|\"smaps_rollup\",",
                "   \"master_pid\":N,\"master_rss_kb\":N,\"total_pss_kb\":N,\"total_rss_kb\":N,",
                "   \"processes\":[{\"pid\":N,\"ppid\":N,\"role\":\"master\"|\"worker\"|\"other\",\"rss_kb\":N,\"pss_kb\":N,",
                "                 \"private_kb\":N,\"shared_kb\":N,\"swap_kb\":N,\"rollup\":{...} (--check only),",
                "                 \"regions\":{\"heap\":{\"rss_kb\":N,\"pss_kb\":N,\"private_kb\":N,\"shared_kb\":N,\"swap_kb\":N},...}|null}],",
                "   \"left_out\":[{\"pid\":N,\"role\":R,\"reason\":TEXT}]}",
                "reading another user's server needs that user's uid or CAP_SYS_PTRACE; nothing is ever stopped or attached.",
                "exit codes: 0 done, 2 bad flags, 3 no such process (or the master exited), 4 not permitted to read",
                "  its memory, 5 this kernel's pagemap lacks the flags a page strip needs"})
    static final class Flags implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Parameters(arity = "0..1", paramLabel = "PID", description = "the server's master")
        Integer pid;

        @Option(names = "--name", paramLabel = "PATTERN", order = 1, converter = Regex.class,
                description = "find the master by its command line (a regular expression): of the matching processes, the"
                        + " topmost one that forked a matching child (not a wrapper)")
        Pattern name;

        @Option(names = "--tree", order = 2, description = "every descendant of the master, not only its workers (its children)")
        boolean tree;

        @Option(names = "--watch", paramLabel = "SECONDS", order = 3,
                description = "sample again every SECONDS (1 to 86400) until Ctrl-C, and show each region's private growth per"
                        + " worker per minute since start, and the mappings going private fastest; a sample that costs more"
                        + " than a tenth of the interval stretches the next wait")
        Long watch;

        @Option(names = "--count", paramLabel = "N", order = 4,
                description = "stop after N samples (default 1; with --watch, until Ctrl-C)")
        Long count;

        @Option(names = "--top", paramLabel = "N", order = 5,
                description = "mappings listed as going private fastest (0 to 1000, default: ${DEFAULT-VALUE})")
        int top = 5;

        @Option(names = "--totals", order = 6, description = "per-process totals only, from smaps_rollup (no regions; cheaper to print)")
        boolean totals;

        @Option(names = "--pages", paramLabel = "N", order = 7,
                description = "page strips of each process's N largest anonymous mappings (0 to 100), from pagemap")
        int pages;

        @Option(names = "--json", order = 8, description = "one JSON object per line per sample on stdout, instead of tables")
        boolean json;

        @Option(names = "--dashboard", paramLabel = "PORT", order = 9,
                description = "the live page of ./cowfork watch for this tree on http://127.0.0.1:PORT/ (0: any free port):"
                        + " each process's regions charted, page strips of its largest anonymous mappings (--pages N of them,"
                        + " default 2); a sample every 2 s, or --watch SECONDS")
        Integer dashboard;

        @Option(names = "--check", order = 10,
                description = "also read each process's smaps_rollup right after its smaps, and show how far the sums by region"
                        + " are from the kernel's own (doubles the cost)")
        boolean check;

        @Override
        public void check() {
            options();
        }

        /** The options asked for. @throws IllegalArgumentException for a value out of range, or flags that do not go together */
        Options options() {
            if (pid != null) {
                Cli.within("PID", pid, 1, Integer.MAX_VALUE);
            }
            if (watch != null) {
                Cli.within("--watch", watch, 1, 86_400);
            }
            if (count != null) {
                Cli.within("--count", count, 1, Long.MAX_VALUE);
            }
            Cli.within("--top", top, 0, 1000);
            Cli.within("--pages", pages, 0, 100);
            if (dashboard != null) {
                Cli.within("--dashboard", dashboard, 0, 65535);
            }
            if ((pid == null) == (name == null)) {
                throw new IllegalArgumentException(pid == null ? "name the master: a PID, or --name PATTERN"
                        : "a PID or --name, not both");
            }
            if (totals && (pages > 0 || check)) {
                throw new IllegalArgumentException((check ? "--check compares the regions" : "--pages draws mappings")
                        + ", which --totals does not read: use one of them");
            }
            if (dashboard != null && (totals || json)) {
                throw new IllegalArgumentException("--dashboard shows regions and page strips on a page: not with --totals or --json");
            }
            double watchSeconds = watch == null ? 0 : watch;
            long samples = count != null ? count : watchSeconds > 0 || dashboard != null ? Long.MAX_VALUE : 1;
            return new Options(pid == null ? -1 : pid, name, tree, watchSeconds, samples, top, totals, pages, json, check,
                    dashboard == null ? -1 : dashboard);
        }
    }

    /** {@code --name}: a regular expression. */
    static final class Regex implements Cli.Converter<Pattern> {
        @Override
        public Pattern parse(String text) {
            try {
                return Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "' is not a regular expression: " + e.getDescription());
            }
        }
    }

    /** What the command line asked for. */
    record Options(int pid, Pattern name, boolean wholeTree, double watchSeconds, long count, int top, boolean totals,
                   int pages, boolean json, boolean check, int dashboardPort) {

        /**
         * The options, or null for {@code --help} (printed on {@code out}).
         *
         * @throws IllegalArgumentException for a flag it does not know, a bad value, or neither or both of PID and --name
         */
        static Options parse(String[] args, PrintStream out) {
            Flags flags = Cli.parse(new Flags(), args, out);
            return flags == null ? null : flags.options();
        }
    }

    /** Runs the command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args, out);
        } catch (IllegalArgumentException e) {
            err.println("inspect: " + e.getMessage());
            return USAGE;
        }
        if (o == null) {
            return OK;
        }
        try {
            int master = o.pid() > 0 ? o.pid() : ProcessTree.findMaster(o.name());
            if (o.pages() > 0 || o.dashboardPort() >= 0) {
                PageStrips.requirePagemapFlags();
            }
            if (o.dashboardPort() >= 0) {
                Dashboard.run(master, o, out, Inspect::sleepFor);
            } else {
                inspect(master, o, out);
            }
            return OK;
        } catch (InspectFailure e) {
            err.println("inspect: " + e.getMessage());
            return e.exitCode();
        } catch (IllegalArgumentException e) {
            err.println("inspect: " + e.getMessage()); // --name matched several servers
            return USAGE;
        } catch (IllegalStateException e) {
            err.println("inspect: " + e.getMessage()); // --dashboard's port is taken
            return USAGE;
        }
    }

    private static void inspect(int master, Options o, PrintStream out) {
        Sampler sampler = new Sampler(master, o.wholeTree(), !o.totals()).check(o.check());
        Growth growth = new Growth();
        for (long n = 1; n <= o.count(); n++) {
            long start = System.nanoTime();
            Sample s = sampler.sample(); // the first one also proves the master exists and is readable
            Growth.Update u = growth.update(s);
            if (o.json()) {
                out.println(JsonReport.line(s));
            } else {
                if (n == 1) {
                    out.println(TextReport.header(master, ProcessTree.commandLine(master), o.wholeTree(), !o.totals()));
                }
                out.println(TextReport.summary(s));
                out.println(n == 1 ? TextReport.table(s) : TextReport.growth(u, o.top()));
                if (o.pages() > 0) {
                    out.println(PageStrips.draw(s, o.pages()));
                }
            }
            out.flush();
            if (n < o.count()) {
                // The next sample waits the interval, or ten times this one's cost if that is longer:
                // inspecting never takes more than a tenth of the machine's time from the server it watches.
                long waitNanos = Math.max((long) (o.watchSeconds() * 1e9), (long) (s.costMs() * 1e7));
                if (waitNanos > o.watchSeconds() * 1e9 && !o.json()) {
                    out.printf("  (this sample cost over a tenth of the interval: the next one waits %.1f s)%n", waitNanos / 1e9);
                }
                sleepUntil(start + waitNanos);
            }
        }
    }

    private static void sleepFor(long nanos) {
        sleepUntil(System.nanoTime() + nanos);
    }

    private static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            try {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
