// ./cowfork tour: every chapter's demo in a fresh JVM, the story between them, and a summary at the end.
package cowfork.cli;

import cowfork.heap.RefCountStrategies;
import cowfork.support.Cli;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./cowfork tour}: every chapter's demo in order, each in a fresh JVM started with
 * the same flags as this one, a few sentences of story between them, and at the end a
 * summary of the grep-able lines the demos printed.
 *
 * <p>The tour itself never forks, so it may start processes (and their reaper thread).
 */
public final class Tour {
    private Tour() {}

    private static final Pattern SUMMARY_LINE = Pattern.compile("^(cow|refcounts|server|fork-stress):\\s.*");

    /** How long one chapter's demo may run before it is killed (with everything it started) and the tour fails. */
    static final Duration DEMO_DEADLINE = Duration.ofMinutes(15);

    /** The tour's command line. */
    @Command(name = "./cowfork tour", description = "Runs every chapter's demo in order, each in a fresh JVM.")
    static final class Options {
        @Mixin
        Cli.Help help;

        @Option(names = "--quick", description = "small datasets (about a minute less; what CI runs)")
        boolean quick;
    }

    public static void main(String[] args) {
        Options options = Cli.parse(new Options(), args);
        if (options == null) {
            return;
        }
        boolean quick = options.quick;
        List<String> summary = new ArrayList<>();
        long t0 = System.nanoTime();
        for (Main.Chapter chapter : Main.CHAPTERS.values()) {
            System.out.println();
            System.out.println("=".repeat(78));
            System.out.println("Chapter " + chapter.number() + ": " + chapter.title());
            System.out.println(Story.before(chapter.number()));
            System.out.println("=".repeat(78));
            int code;
            try {
                code = runDemo(chapter, quick, summary);
            } catch (IllegalStateException hung) {
                System.err.println("cowfork tour: chapter " + chapter.number() + ": " + hung.getMessage());
                code = 1;
            }
            if (code != 0) {
                System.err.println("cowfork tour: the demo of chapter " + chapter.number() + " failed (exit code " + code
                        + "); run ./cowfork demo " + chapter.number() + " alone to see why");
                System.exit(code);
            }
        }
        System.out.println();
        System.out.println("=".repeat(78));
        System.out.printf("Summary (%d chapters, %.0f s)%n", Main.CHAPTERS.size(), (System.nanoTime() - t0) / 1e9);
        summary.forEach(line -> System.out.println("  " + line));
        System.out.println();
        System.out.print(strategyTable(summary));
        System.out.println(Story.END);
    }

    /**
     * The tour's last word: for each refcount strategy, what a read-only child copied
     * (chapter 05's lines) and what a server worker holds privately (chapter 06's), from
     * the last such line each demo printed.
     */
    static String strategyTable(List<String> summary) {
        Map<String, Map<String, String>> child = new LinkedHashMap<>();
        Map<String, Map<String, String>> worker = new LinkedHashMap<>();
        for (String line : summary) {
            Map<String, String> kv = Results.keyValues(line.substring(line.indexOf(':') + 1));
            if (line.startsWith("refcounts:")) {
                child.put(kv.get("strategy"), kv);
            } else if (line.startsWith("server:")) {
                worker.put(kv.get("strategy"), kv);
            }
        }
        if (child.isEmpty() && worker.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.format("  %-10s | %-40s | %s%n", "strategy",
                "a read-only child copied (ch. 05)", "a server worker, private KiB (ch. 06)"));
        sb.append(String.format("  %-10s | %12s %12s %12s | %12s %12s %14s%n", "", "heap pages", "table pages", "KiB",
                "object heap", "table", "server PSS"));
        for (String strategy : RefCountStrategies.names()) { // every registered strategy, in chapter order
            Map<String, String> c = child.getOrDefault(strategy, Map.of());
            Map<String, String> w = worker.getOrDefault(strategy, Map.of());
            String kib = c.isEmpty() ? "-" : Long.toString(4 * (Long.parseLong(c.get("heap_pages_private"))
                    + Long.parseLong(c.get("table_pages_private"))));
            sb.append(String.format("  %-10s | %12s %12s %12s | %12s %12s %14s%n", strategy,
                    c.getOrDefault("heap_pages_private", "-"), c.getOrDefault("table_pages_private", "-"), kib,
                    w.getOrDefault("object_heap_private_kb", "-"), w.getOrDefault("refcount_table_private_kb", "-"),
                    w.getOrDefault("total_pss_kb", "-")));
        }
        return sb.toString();
    }

    /** Runs one demo in a new JVM, echoing its output and collecting its grep-able lines. */
    private static int runDemo(Main.Chapter chapter, boolean quick, List<String> summary) {
        List<String> args = new ArrayList<>(List.of("demo", chapter.number()));
        if (quick) {
            args.add("--quick");
        }
        return SubCommand.run(args, line -> {
            System.out.println(line);
            if (SUMMARY_LINE.matcher(line.strip()).matches()) {
                summary.add(line.strip());
            }
        }, DEMO_DEADLINE);
    }
}
