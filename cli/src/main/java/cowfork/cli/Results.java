// ./cowfork results: rerun the experiments, each in a fresh JVM, and rewrite docs/results.md from what they printed.
package cowfork.cli;

import cowfork.support.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./cowfork results}: regenerates {@code docs/results.md} and the figures in
 * {@code docs/figures/} from real runs on this machine. Each experiment runs in a fresh
 * JVM (as {@code ./cowfork demo NN ...}); its grep-able {@code key=value} lines become
 * the tables, so every number on the page was printed by the run that is named above it.
 */
public final class Results {
    private Results() {}

    /** One experiment: a heading, what it shows, the ./cowfork arguments, and which lines to tabulate. */
    record Experiment(String heading, String text, List<String> args, List<String> prefixes, List<String> figures) {}

    /** Where the timings live: benchmarks, each with its own command. */
    static final String SPEED = """

            ## Speed
            
            Times are measured by benchmarks, not by this page's run: JMH for incref/decref,
            serving JSON and one collection (`./cowfork bench --compare A,B`; the ratios, with their
            intervals, in [Ratios](#ratios-paired-interleaved-95-intervals)), `./cowfork fork-latency`
            for fork() against C, in 4 KiB and in huge pages (chapter 01's README), and wrk against
            the server and against gunicorn (`06-preforking-server/bench/run.sh`, tables in
            [benchmark.md](benchmark.md); with `--scale`, a 1 GiB data set under load until memory
            stops growing, with figures).
            """;

    /**
     * The heading of the section this page keeps from its last version: the paired ratios
     * (the bench module's {@code ./cowfork bench --compare}) take about an hour to rerun,
     * so they come from their own commands, each named in the section, not from this run.
     */
    static final String RATIOS = "## Ratios (paired, interleaved, 95% intervals)";

    /** The {@link #RATIOS} section of {@code page}, from its heading to the next heading; "" when there is none. */
    static String keptRatios(String page) {
        int start = page.indexOf(RATIOS);
        if (start < 0) {
            return "";
        }
        int end = page.indexOf("\n## ", start + RATIOS.length());
        return "\n" + page.substring(start, end < 0 ? page.length() : end + 1).stripTrailing() + "\n";
    }

    static List<Experiment> experiments(int forks, String figures) {
        List<Experiment> list = new ArrayList<>();
        list.add(new Experiment("Chapter 01: the threads at fork",
                "A forked JVM child keeps only the thread that called fork(): the parent's threads, and the child's one.",
                List.of("demo", "01", "--svg", figures),
                List.of(), List.of("01-threads-at-fork.svg")));
        list.add(new Experiment("Chapter 02: copy-on-write, page by page",
                "A 4 MiB region filled by the parent; one child only reads, one writes a byte in every 8th page, one writes"
                        + " everything. Counts from `/proc/PID/pagemap`.",
                List.of("demo", "02", "--size", "4m", "--every", "8", "--svg", figures, "--huge-pages"),
                List.of("cow:"), List.of("02-cow-pagemaps.svg")));
        list.add(new Experiment("Chapter 03: the pages a reading child copies, under inline counts",
                "The built-in dataset (32 MiB, seed 2024); the child serves 10% of the items as JSON. Each cell of the"
                        + " strip is a page of the object heap; red ones the child copied.",
                List.of("demo", "03", "--size", "32m", "--touch", "0.1", "--seed", "2024", "--svg", figures),
                List.of(), List.of("03-page-strip.svg")));
        list.add(new Experiment("Chapters 03-05: what a read-only child copies, and what one collection copies, by strategy",
                "The built-in dataset (32 MiB, seed 2024); each child serves 10% of the items as JSON and changes no value."
                        + " `allocator:` is one allocation after fork under immortal; `leak:` is what deleting 1% of the items"
                        + " frees under each strategy. `gc:` is one full collection in a child, per mark placement (1,024"
                        + " dropped cycles added); `matrix:` pairs counts and marks as real runtimes shipped them.",
                List.of("demo", "05", "--svg", figures),
                List.of("refcounts:", "allocator:", "leak:", "gc:", "matrix:"), List.of("05-refcount-strategies.svg")));
        list.add(new Experiment("Chapter 04: sparse reads, inline vs side table vs dense side table",
                "One object in every 512, the first object in every 8 KiB of heap (one per side-table page), and one"
                        + " object in every 1,024 (one per dense-table page).",
                List.of("demo", "04", "--jvm-gc", "none"),
                List.of("sparse:"), List.of()));
        list.add(new Experiment("Chapter 04: HotSpot's own collectors after fork",
                "For each collector a JVM with a 64 MiB live set forks a child, runs one event, and counts the Java heap"
                        + " pages no longer shared with the child (pagemap bit 56).",
                List.of("jvm-gc"),
                List.of("jvm-gc:"), List.of()));
        list.add(new Experiment("The real runtimes: CPython and Ruby on the same catalogue",
                "Chapter 03's catalogue and served sample in every CPython and Ruby found on the machine; each forked"
                        + " child's private memory from `smaps_rollup` (see [crosscheck.md](crosscheck.md) for what each"
                        + " figure means and where the model and the runtimes differ).",
                List.of("crosscheck"),
                List.of("cpython:", "ruby:"), List.of()));
        if (Main.CHAPTERS.containsKey("06")) {
            list.add(new Experiment("Chapter 06: a pre-forked server's workers, by strategy",
                    "Each worker's private memory by region after the same requests, read from `/proc/PID/smaps`.",
                    List.of("demo", "06"),
                    List.of("server:"), List.of()));
        }
        list.add(new Experiment("Chapter 01: fork reliability",
                "Forks in a row with the whole recipe; each child allocates 1 MiB and runs code the parent never ran."
                        + " `hung` counts children the watchdog had to kill.",
                List.of("fork-stress", "--forks", Integer.toString(forks)),
                List.of("fork-stress: forks="), List.of()));
        return list;
    }

    /** The command line of {@code ./cowfork results}. */
    @Command(name = "./cowfork results", sortOptions = false, sortSynopsis = false,
            description = {"Reruns the experiments and rewrites docs/results.md and docs/figures/*.svg;",
                "its section of paired ratios is kept as it was (./cowfork bench --compare writes it)."})
    static final class Options implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--forks", paramLabel = "N", order = 1, description = "fork-stress's forks (default: ${DEFAULT-VALUE})")
        int forks = 2000;

        @Option(names = "--out", paramLabel = "FILE", order = 2, description = "the page to write (default: ${DEFAULT-VALUE})")
        Path out = Path.of("docs", "results.md");

        @Option(names = "--figures", paramLabel = "DIR", order = 3,
                description = "where the figures go (default: ${DEFAULT-VALUE}, beside the page)")
        Path figures = Path.of("docs", "figures");

        @Override
        public void check() {
            Cli.within("--forks", forks, 1, Integer.MAX_VALUE);
        }
    }

    public static void main(String[] args) throws IOException {
        Options options = Cli.parse(new Options(), args);
        if (options == null) {
            return;
        }
        int forks = options.forks;
        Path out = options.out;
        String kept = Files.exists(out) ? keptRatios(Files.readString(out, StandardCharsets.UTF_8)) : "";
        StringBuilder md = new StringBuilder();
        md.append("# Results\n\n")
                .append("<!-- generated by the results subcommand of cowfork (cli/Results.java): edit that, not this file;"
                        + " the section of paired ratios is kept as it was -->\n")
                .append("Every number and figure on this page, except the paired ratios (their section names its own")
                .append(" commands), comes from one run of `./cowfork results")
                .append(forks == 2000 ? "" : " --forks " + forks).append("` on the machine below;")
                .append(" rerun it to regenerate the page on yours. Page counts are kernel facts. The model's")
                .append(" (chapters 03-05) repeat exactly for the same dataset; those of HotSpot's own collectors")
                .append(" (`jvm-gc`) vary from run to run ([method.md, section 6](method.md#6-noise-timings-and-the-machine),")
                .append(" \"What repeats, and what does not\"). Times are medians from one run on a noisy machine.\n\n")
                .append("Machine: ").append(Machine.describe()).append(", ").append(LocalDate.now()).append(".\n");
        for (Experiment e : experiments(forks, options.figures.toString())) {
            System.err.println("cowfork results: ./cowfork " + String.join(" ", e.args()));
            List<String> lines = new ArrayList<>();
            int code = SubCommand.run(e.args(), lines::add, Duration.ofHours(1));
            if (code != 0) {
                lines.forEach(System.err::println);
                throw new IllegalStateException("./cowfork " + String.join(" ", e.args()) + " failed with exit code " + code);
            }
            md.append("\n## ").append(e.heading()).append("\n\n").append(e.text()).append("\n\n")
                    .append("Command: `./cowfork ").append(String.join(" ", e.args())).append("`\n");
            for (String prefix : e.prefixes()) {
                md.append('\n').append(table(lines, prefix));
            }
            for (String figure : e.figures()) {
                md.append("\n![").append(figure).append("](figures/").append(figure).append(")\n");
            }
        }
        md.append(kept).append(SPEED);
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.err.println("cowfork results: wrote " + out);
    }

    /** The lines starting with {@code prefix} as a Markdown table: one row per line, one column per key. */
    static String table(List<String> lines, String prefix) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines) {
            String l = line.strip();
            if (l.startsWith(prefix)) {
                rows.add(keyValues(l.substring(l.indexOf(':') + 1)));
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("the run printed no line starting with '" + prefix + "'");
        }
        List<String> columns = new ArrayList<>(rows.get(0).keySet());
        rows.forEach(r -> r.keySet().stream().filter(k -> !columns.contains(k)).forEach(columns::add));
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", columns)).append(" |\n|");
        columns.forEach(c -> sb.append("---|"));
        sb.append('\n');
        for (Map<String, String> r : rows) {
            sb.append("| ");
            for (String c : columns) {
                sb.append(r.getOrDefault(c, "")).append(" | ");
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        return sb.toString();
    }

    static Map<String, String> keyValues(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String token : text.strip().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                kv.put(token.substring(0, eq), token.substring(eq + 1).replace("|", "\\|"));
            }
        }
        return kv;
    }
}
