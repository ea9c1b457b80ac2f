package cowfork.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./cowfork SUBCOMMAND [args]}: finds the chapter's entry point and runs it in
 * this JVM, which ./cowfork has started with the fork recipe's flags.
 */
public final class Main {
    private Main() {}

    /** Each chapter's demo, by number: the tour runs them in this order. */
    static final Map<String, Chapter> CHAPTERS = new LinkedHashMap<>();

    /** A chapter: its number, its one idea, and the class whose main is its demo. */
    record Chapter(String number, String title, String demoClass) {}

    static {
        add("01", "fork a HotSpot JVM, safely", "cowfork.fork.Demo");
        add("02", "see copy-on-write page by page", "cowfork.cow.Demo");
        add("03", "refcounts in object headers: a read-only child copies pages", "cowfork.heap.Demo");
        add("04", "refcounts in a side table: only table pages are copied", "cowfork.sidetable.Demo");
        add("05", "immortal pre-fork objects: nothing is copied", "cowfork.immortal.Demo");
        add("06", "a pre-forked HTTP server: workers' memory by strategy", "cowfork.server.Demo");
    }

    private static void add(String number, String title, String demoClass) {
        CHAPTERS.put(number, new Chapter(number, title, demoClass));
    }

    /** Other subcommands: name -> class with a main. */
    static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("serve", "cowfork.server.Serve");
        TOOLS.put("fork-stress", "cowfork.fork.ForkStress");
        TOOLS.put("fork-latency", "cowfork.fork.ForkLatency");
        TOOLS.put("bench", "cowfork.heap.bench.Bench");
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(usage());
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            dispatch(args[0], rest);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage()); // bad input: the message says what to do; no stack trace
        }
    }

    private static void dispatch(String command, String[] rest) throws Throwable {
        switch (command) {
            case "tour" -> Tour.main(rest);
            case "results" -> Results.main(rest);
            case "demo" -> {
                if (rest.length == 0 || !CHAPTERS.containsKey(rest[0])) {
                    fail("demo needs a chapter number: one of " + String.join(", ", CHAPTERS.keySet())
                            + " (e.g. ./cowfork demo 01)");
                }
                run(CHAPTERS.get(rest[0]).demoClass(), Arrays.copyOfRange(rest, 1, rest.length));
            }
            default -> {
                String tool = TOOLS.get(command);
                if (tool == null) {
                    fail("unknown subcommand '" + command + "'\n\n" + usage());
                }
                run(tool, rest);
            }
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("""
                usage: ./cowfork SUBCOMMAND [ARGS]

                  tour [--quick]        every chapter's demo in order, with the story between them
                  demo NN [ARGS]        one chapter's demo (./cowfork demo NN --help for its options)
                  results [--forks N]   rerun the experiments; rewrite docs/results.md and docs/figures
                """);
        for (Map.Entry<String, String> t : TOOLS.entrySet()) {
            sb.append(String.format("  %-21s %s%n", t.getKey() + " [ARGS]", describeTool(t.getKey())));
        }
        sb.append("\nchapters:\n");
        for (Chapter c : CHAPTERS.values()) {
            sb.append("  ").append(c.number()).append("  ").append(c.title()).append('\n');
        }
        sb.append("\n./cowfork builds what is missing (through ./mvnw) and starts java with the flags that make\n"
                + "fork() safe (see 01-fork-basics/README.md). Tests: ./mvnw -B verify");
        return sb.toString();
    }

    private static String describeTool(String name) {
        return switch (name) {
            case "fork-stress" -> "fork N children in a row; count hangs (--forks N, default 10000)";
            case "fork-latency" -> "fork() time against resident memory, next to C (needs gcc)";
            case "bench" -> "JMH: incref/decref and traversal for every refcount strategy, one run";
            case "serve" -> "the pre-forked HTTP server (./cowfork serve --help)";
            default -> "";
        };
    }

    /** Calls {@code className.main(args)}, unwrapping the exception it throws. */
    static void run(String className, String[] args) throws Throwable {
        Method main;
        try {
            main = Class.forName(className).getMethod("main", String[].class);
        } catch (ClassNotFoundException e) {
            fail(className + " is not on the classpath: its module is not built. Run ./mvnw -B -DskipTests package");
            return;
        }
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    static void fail(String message) {
        System.err.println("cowfork: " + message);
        System.exit(2);
    }
}
