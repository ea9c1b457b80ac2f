// ./cowfork demo 01: real forks of this JVM, showing a child's memory, exit codes, a zombie, stdout, a hang.
package cowfork.fork;

import cowfork.support.Cli;
import cowfork.support.Processes;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Chapter 01, runnable: {@code ./cowfork demo 01}. Forks this JVM for real and shows
 * what a learner should see once: a child's copy of memory, exit codes and signals, a
 * zombie, the stdout pitfall, and a child that hangs without the recipe (caught by the
 * watchdog). Every pid printed is real; every state comes from /proc. {@code --svg DIR}
 * also writes {@value #FIGURE}: this JVM's threads and the one thread of a child forked
 * from it ({@link ThreadsAtFork}).
 */
public final class Demo {
    private Demo() {}

    /** Data the parent owns; the child gets a copy-on-write copy of it. */
    private static final StringBuilder GREETING = new StringBuilder("hello from the parent");

    /** The figure {@code --svg DIR} writes. */
    public static final String FIGURE = "01-threads-at-fork.svg";

    /** The demo's command line. */
    @Command(name = "./cowfork demo 01", sortOptions = false, sortSynopsis = false,
            description = "Forks this JVM and shows copies of memory, exit statuses, a zombie, the stdout pitfall and a hang"
                    + " caught by the watchdog.")
    static final class Options {
        @Mixin
        Cli.Help help;

        @Option(names = "--quick", order = 1, description = "a shorter watchdog deadline (for the tour and CI)")
        boolean quick;

        @Option(names = "--svg", paramLabel = "DIR", order = 2,
                description = "also write DIR/" + FIGURE + ": this JVM's threads and its forked child's one, from /proc/PID/task")
        Path svgDir;
    }

    public static void main(String[] args) throws IOException {
        Options options = Cli.parse(new Options(), args);
        if (options == null) {
            return;
        }
        boolean quick = options.quick;
        Path svgDir = options.svgDir;
        Forker forker = Forker.builder().deadline(Duration.ofSeconds(10)).build();
        int me = Processes.self();
        System.out.println("== 01 fork basics: this JVM is pid " + me + "\n");

        copyOfMemory(forker);
        exitStatuses(forker);
        zombie(forker);
        stdoutPitfall(forker);
        hangWithoutTheRecipe(quick ? 1500 : 3000);
        if (svgDir != null) {
            threadsFigure(forker, svgDir);
        }

        System.out.println("children left behind: " + Processes.childrenOf(me).size() + " (every child was reaped)");
    }

    /** With --svg: one more fork, and the figure of both processes' threads ({@link ThreadsAtFork}). */
    private static void threadsFigure(Forker forker, Path dir) throws IOException {
        ThreadsAtFork seen = ThreadsAtFork.measure(forker);
        Path file = dir.resolve(FIGURE);
        Files.writeString(file, seen.svg("./cowfork demo 01 --svg DIR   (Linux " + System.getProperty("os.version") + ", JDK "
                + System.getProperty("java.version") + ")"), StandardCharsets.UTF_8);
        System.out.println("figure: " + file + " (this JVM: " + seen.parent().size() + " threads; its child "
                + seen.childPid() + ": " + seen.child().size() + ")\n");
    }

    private static void copyOfMemory(Forker forker) {
        System.out.println("-- 1. the child gets a copy of the parent's memory");
        ChildResult r = forker.run(child -> {
            GREETING.setLength(0);
            GREETING.append("changed by child ").append(child.pid());
            return GREETING.toString().getBytes(StandardCharsets.UTF_8);
        });
        System.out.println("   child " + r.pid() + " set GREETING to: \"" + r.payloadAsString() + "\"");
        System.out.println("   parent " + Processes.self() + " still sees:   \"" + GREETING + "\"");
        System.out.println("   notice: same variable, same virtual address, two values. After fork() each process"
                + " writes its own copy.\n");
    }

    private static void exitStatuses(Forker forker) {
        System.out.println("-- 2. how a child ends, decoded from waitpid()");
        for (int code : new int[] {0, 3, 255}) {
            ChildResult r = forker.run(child -> {
                child.exitCode(code);
                return new byte[0];
            });
            System.out.println("   child " + r.pid() + ": " + r.status());
        }
        for (int signal : new int[] {9, 6}) {
            ChildResult r = forker.run(child -> {
                Syscalls.posix().kill(child.pid(), signal);
                child.receive(); // never returns: the signal arrives first
                return new byte[0];
            });
            System.out.println("   child " + r.pid() + ": " + r.status());
        }
        ChildResult term = forker.run(child -> {
            Syscalls.posix().kill(child.pid(), 15);
            return "still alive".getBytes(StandardCharsets.UTF_8);
        });
        System.out.println("   child " + term.pid() + " sent itself SIGTERM and is " + term.payloadAsString() + ": " + term.status());
        ChildResult threw = forker.run(child -> {
            throw new IllegalArgumentException("bad input in the child");
        });
        System.out.println("   child " + threw.pid() + ": " + threw.status() + ", and the parent got its exception: "
                + threw.failure().lines().findFirst().orElse(""));
        System.out.println("   notice: SIGTERM did not kill the child. HotSpot's handler only wakes its"
                + " signal-dispatcher thread, which a forked child does not have.\n");
    }

    private static void zombie(Forker forker) {
        System.out.println("-- 3. a zombie: exited, not yet reaped");
        ChildHandle child = forker.start(c -> new byte[0]);
        new PollSet(child.exitFd()).await(10_000); // the pidfd turns readable at exit
        System.out.println("   before waitpid: " + Processes.describe(child.pid()));
        ChildResult r = child.await();
        System.out.println("   after waitpid:  " + Processes.describe(r.pid()) + "; status: " + r.status());
        System.out.println("   notice: a zombie holds only its pid and exit status, until its parent reaps it.\n");
    }

    private static void stdoutPitfall(Forker forker) {
        System.out.println("-- 4. the stdout pitfall: a buffer copied by fork() is printed twice");
        for (boolean flush : new boolean[] {false, true}) {
            // A buffered stream, as a logger or a BufferedWriter keeps one. (System.out itself
            // flushes on every print; the recipe flushes it anyway, and System.err, before each fork.)
            PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192),
                    false, StandardCharsets.UTF_8);
            out.print("   [" + (flush ? "flushed before fork" : "not flushed") + "] parent wrote this before fork ");
            if (flush) {
                out.flush();
            }
            ChildResult r = forker.run(child -> {
                // Deliberately against the child rules, to show the pitfall: a Java stream in the child.
                out.println("| child " + child.pid());
                out.flush();
                return new byte[0];
            });
            out.println("| parent " + Processes.self() + " (child " + r.pid() + " " + r.status() + ")");
            out.flush();
        }
        System.out.println("   notice: unflushed, the parent's half-written line appears twice: the child got a copy"
                + " of the buffer. Flush every buffered stream before fork.\n");
    }

    private static void hangWithoutTheRecipe(long deadlineMillis) {
        System.out.println("-- 5. without the recipe a child hangs, and the watchdog kills it");
        for (boolean recipe : new boolean[] {false, true}) {
            Forker.Builder b = Forker.builder().deadline(Duration.ofMillis(deadlineMillis)).childHeapBudget(96L << 20);
            if (!recipe) {
                b.without(ForkRecipe.Precaution.COLLECT_GARBAGE);
            }
            Forker forker = b.build();
            long wanted = 64L << 20;
            List<byte[]> garbage = fillEdenWithGarbage(forker.recipe(), wanted);
            System.out.printf("   %s: eden has %d MiB free; the child will allocate %d MiB%n",
                    recipe ? "with the GC step" : "without the GC step", forker.recipe().edenFree() >> 20, wanted >> 20);
            garbage.clear(); // unreachable now, but still occupying eden until a collection
            try (ChildHandle child = forker.start(c -> {
                List<byte[]> keep = new ArrayList<>();
                for (long done = 0; done < wanted; done += 1 << 20) {
                    keep.add(new byte[1 << 20]); // needs a GC once eden is full: no VM thread will ever run it
                }
                return Integer.toString(keep.size()).getBytes(StandardCharsets.UTF_8);
            })) {
                Forker.ForkTimings t = forker.lastTimings();
                if (t.collected()) {
                    System.out.printf("   the recipe ran a full GC before fork (%.1f ms): eden had %d MiB free at fork%n",
                            t.gcNanos() / 1e6, forker.recipe().edenFree() >> 20);
                }
                if (new PollSet(child.exitFd()).await(deadlineMillis) == 0) {
                    System.out.println("   child still running after " + deadlineMillis + " ms: " + Processes.describe(child.pid()));
                    System.out.println("   (gdb -p " + child.pid() + " -batch -ex bt would show it waiting for the VM thread"
                            + " to run a garbage collection)");
                }
                ChildResult r = child.await();
                System.out.println("   child " + r.pid() + ": " + r.status()
                        + (r.succeeded() ? ", allocated " + r.payloadAsString() + " MiB" : ""));
            }
        }
        System.out.println("   notice: the hang is not random. The child needed a collection, and the thread that"
                + " runs collections does not exist after fork(). The recipe collects before fork, so eden is"
                + " free for the child's whole life.\n");
    }

    /** Allocates garbage until eden has less than {@code leave} bytes free; returns it so it stays live until cleared. */
    private static List<byte[]> fillEdenWithGarbage(ForkRecipe recipe, long leave) {
        List<byte[]> garbage = new ArrayList<>();
        while (recipe.edenFree() > leave / 2) {
            garbage.add(new byte[1 << 20]);
        }
        return garbage;
    }
}
