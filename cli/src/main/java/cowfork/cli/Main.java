// ./cowfork SUBCOMMAND: the table of chapters and tools, each bound to its main method at compile time.
package cowfork.cli;

import cowfork.support.Cli;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./cowfork SUBCOMMAND [args]}: runs the chapter's entry point in this JVM, which
 * ./cowfork has started with the fork recipe's flags. Entry points are method references
 * ({@code cowfork.fork.Demo::main}), not class names: cli depends on every module, so a
 * renamed or moved class is a compile error here, never a runtime one.
 */
public final class Main {
    private Main() {}

    /** A {@code main(String[])} method, whatever it declares it throws. */
    @FunctionalInterface
    interface EntryPoint {
        void main(String[] args) throws Exception;
    }

    /** Each chapter's demo, by number: the tour runs them in this order. */
    static final Map<String, Chapter> CHAPTERS = new LinkedHashMap<>();

    /** A chapter: its number, its one idea, and its demo's main. */
    record Chapter(String number, String title, EntryPoint demo) {}

    static {
        add("01", "fork a HotSpot JVM, safely", cowfork.fork.Demo::main);
        add("02", "see copy-on-write page by page", cowfork.cow.Demo::main);
        add("03", "counts and marks in object headers: reading, or one collection, copies pages", cowfork.experiment.Demo::main);
        add("04", "bookkeeping moved out: side tables, a mark bitmap, HotSpot's collectors", cowfork.sidetable.Demo::main);
        add("05", "immortal counts and a frozen generation: nothing is copied", cowfork.immortal.Demo::main);
        add("06", "a pre-forked HTTP server: workers' memory by strategy", cowfork.server.Demo::main);
    }

    private static void add(String number, String title, EntryPoint demo) {
        CHAPTERS.put(number, new Chapter(number, title, demo));
    }

    /** Another subcommand: its main and the line --help prints for it. */
    record Tool(EntryPoint main, String description) {}

    /** Other subcommands, by name, in the order --help lists them. */
    static final Map<String, Tool> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("serve", new Tool(cowfork.server.Serve::main, "the pre-forked HTTP server (./cowfork serve --help)"));
        TOOLS.put("watch", new Tool(cowfork.server.tools.Watch::main,
                "two servers (inline, immortal) under the same load, one live page of their memory (./cowfork watch --help)"));
        TOOLS.put("serve-threads", new Tool(cowfork.server.tools.ThreadedServer::main,
                "the comparison: the same server as one JVM with N threads, no fork"));
        TOOLS.put("scale", new Tool(cowfork.bench.scale.Scale::main,
                "every server and worker count on a 1 GiB data set, under load until PSS stops growing"));
        TOOLS.put("respawn-bench", new Tool(cowfork.bench.respawn.RespawnBench::main,
                "kill -9 a serving worker under load, N times; time until its replacement booted"));
        TOOLS.put("fork-stress", new Tool(cowfork.fork.ForkStress::main,
                "fork N children in a row; count hangs (--forks N, default 10000)"));
        TOOLS.put("fork-latency", new Tool(cowfork.cow.ForkLatency::main,
                "fork() time against resident memory, 4 KiB and 2 MiB pages, next to C (needs gcc)"));
        TOOLS.put("bench", new Tool(cowfork.bench.Bench::main,
                "JMH: every refcount strategy in one run; --compare A,B: paired runs, median ratio, 95% interval"));
        TOOLS.put("jvm-gc", new Tool(cowfork.jvmgc.JvmCollectors::main,
                "HotSpot's own collectors after fork: Java heap pages each one un-shares"));
        TOOLS.put("crosscheck", new Tool(cowfork.crosscheck.CrossCheck::main,
                "the same catalogue and workloads in every real CPython and Ruby found here"));
        TOOLS.put("inspect", new Tool(cowfork.inspect.Inspect::main, "any pre-forking server's memory by process and region, live (./cowfork inspect --help)"));
    }

    /** The first subcommands --help lists: the course itself, with the arguments they take. */
    private static final String[][] COURSE = {
        {"tour [--quick]", "every chapter's demo in order, with the story between them"},
        {"demo NN [ARGS]", "one chapter's demo (./cowfork demo NN --help for its options)"},
        {"results [--forks N]", "rerun the experiments; rewrite docs/results.md and docs/figures"},
        {"lab [NN]", "the labs and where you stand; lab NN grades your code (NN-*/LAB.md)"},
    };

    /** The command line of ./cowfork itself: a subcommand, and the arguments it reads with its own options type. */
    @Command(name = "./cowfork", sortOptions = false, sortSynopsis = false, usageHelpWidth = 130,
            description = "Runs the course: a chapter's demo, the tour, a lab's grader, or a tool.")
    static final class Options {
        @Mixin
        Cli.Help help;

        @Parameters(index = "0", arity = "0..1", paramLabel = "SUBCOMMAND", description = "what to run: one of those below")
        String subcommand;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "its arguments (./cowfork SUBCOMMAND --help lists them)")
        List<String> args = new ArrayList<>();

        /** The subcommands and chapters, from the tables above, after the options. */
        @Spec
        void spec(CommandSpec spec) {
            spec.usageMessage().footer(subcommands().replace("%", "%%"));
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            Options o = Cli.parse(new Options(), args, command -> command.setStopAtPositional(true));
            if (o == null) {
                return;
            }
            if (o.subcommand == null || o.subcommand.equals("help")) {
                System.out.print(Cli.usage(new Options()));
                return;
            }
            dispatch(o.subcommand, o.args.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            fail(e.getMessage()); // bad input: the message says what to do; no stack trace
        }
    }

    private static void dispatch(String command, String[] rest) throws Exception {
        switch (command) {
            case "tour" -> Tour.main(rest);
            case "results" -> Results.main(rest);
            case "lab" -> cowfork.labs.LabMain.main(rest);
            case "demo" -> {
                if (rest.length == 0 || !CHAPTERS.containsKey(rest[0])) {
                    fail("demo needs a chapter number: one of " + String.join(", ", CHAPTERS.keySet())
                            + " (e.g. ./cowfork demo 01)");
                }
                CHAPTERS.get(rest[0]).demo().main(Arrays.copyOfRange(rest, 1, rest.length));
            }
            default -> {
                Tool tool = TOOLS.get(command);
                if (tool == null) {
                    List<String> names = new ArrayList<>(List.of("tour", "demo", "results", "lab"));
                    names.addAll(TOOLS.keySet());
                    fail("unknown subcommand '" + command + "': one of " + String.join(", ", names)
                            + " (./cowfork --help says what each does)");
                    return;
                }
                tool.main().main(rest);
            }
        }
    }

    /** What --help prints after the options: every subcommand with its line, then the chapters. */
    static String subcommands() {
        StringBuilder sb = new StringBuilder("%nSubcommands:%n".formatted());
        for (String[] c : COURSE) {
            sb.append(String.format("  %-21s %s%n", c[0], c[1]));
        }
        for (Map.Entry<String, Tool> t : TOOLS.entrySet()) {
            sb.append(String.format("  %-21s %s%n", t.getKey() + " [ARGS]", t.getValue().description()));
        }
        sb.append("\nChapters:\n");
        for (Chapter c : CHAPTERS.values()) {
            sb.append("  ").append(c.number()).append("  ").append(c.title()).append('\n');
        }
        sb.append("\n./cowfork builds what is missing (through ./mvnw) and starts java with the flags that make\n"
                + "fork() safe (see 01-fork-basics/README.md). Tests: ./mvnw -B verify\n");
        return sb.toString();
    }

    static void fail(String message) {
        System.err.println("cowfork: " + message);
        System.exit(2);
    }
}
