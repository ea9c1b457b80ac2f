// How long fork() takes as resident memory grows, in 4 KiB and in 2 MiB pages, for this JVM and for a C program of the same size.
package cowfork.cow;

import cowfork.fork.Forker;
import cowfork.support.Cli;
import cowfork.support.Processes;
import cowfork.support.Sizes;
import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long fork() takes as the parent's resident memory grows, next to a C program with
 * the same resident size, forking the same way, in the same run; with the touched block
 * in 4 KiB pages and in 2 MiB transparent huge pages.
 *
 * <p>fork() copies the parent's page tables (not its pages), so its cost grows with
 * resident memory: Redis reports 9-13 ms per GB on bare metal. A JVM forks through the
 * same system call, so it should cost about the same per GB; the goal is at most 1.2x C.
 * A huge page is one page-table entry (a PMD) where 4 KiB pages need 512, so a block on
 * huge pages should fork many times faster.
 *
 * <p>Run: {@code ./cowfork fork-latency [--sizes 64m,1g,4g] [--forks 20] [--huge-pages no|yes|both]}.
 * Needs gcc. Each size touches that much off-heap memory in a {@link Region} (so every
 * page is present): {@link Region.HugePages#NEVER} (advised MADV_NOHUGEPAGE: 4 KiB pages,
 * whatever the kernel's THP mode) or {@link Region.HugePages#ALLOWED} (2 MiB-aligned,
 * advised MADV_HUGEPAGE). Then it forks children that exit at once; the fork() call is
 * timed in the parent. Every row says how much of the block the kernel really put on huge
 * pages ({@code thp_mib}, the block's AnonHugePages in {@code /proc/self/smaps}): asking
 * is not getting.
 */
public final class ForkLatency {
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    /** How long gcc may take to compile the C baseline. */
    private static final Duration COMPILE_DEADLINE = Duration.ofSeconds(120);

    /** How long the C baseline may take for one size: touching 4 GiB and 20 forks take seconds. */
    private static final Duration C_RUN_DEADLINE = Duration.ofMinutes(5);

    private ForkLatency() {}

    /** {@code ./cowfork fork-latency [--sizes 64m,1g,4g] [--forks 20] [--huge-pages no|yes|both]}. */
    public static void main(String[] args) throws Exception {
        run(args, thpModeOfThisKernel(), System.out);
    }

    /** The command line of {@code ./cowfork fork-latency}. */
    @Command(name = "./cowfork fork-latency", sortOptions = false, sortSynopsis = false,
            description = "fork() time against resident memory, with 4 KiB and 2 MiB pages, next to a C program with the same"
                    + " resident memory (needs gcc).")
    static final class Flags implements Cli.Checked {
        @Mixin
        Cli.Help help;

        @Option(names = "--sizes", paramLabel = "LIST", order = 1, converter = SizeList.class,
                description = "the memory touched before fork, comma-separated, each 1m or more (default: ${DEFAULT-VALUE})")
        String sizes = "64m,1g,4g";

        @Option(names = "--forks", paramLabel = "N", order = 2,
                description = "forks per size, 3 or more, for a median (default: ${DEFAULT-VALUE})")
        int forks = 20;

        @Option(names = "--huge-pages", paramLabel = "no|yes|both", order = 3, converter = HugePages.class,
                description = "measure with 4 KiB pages (no), 2 MiB pages (yes), or both (default: ${DEFAULT-VALUE})")
        String hugePages = "both";

        @Override
        public void check() {
            if (forks < 3) {
                throw new IllegalArgumentException("--forks must be at least 3 for a median, got " + forks);
            }
        }
    }

    /**
     * {@code --sizes}: byte sizes, comma-separated, each 1m or more, kept as written: one value
     * (a second {@code --sizes} replaces the first), read by {@link #sizes(String)}.
     */
    static final class SizeList implements Cli.Converter<String> {
        @Override
        public String parse(String text) {
            sizes(text);
            return text;
        }
    }

    /** The sizes {@code --sizes} lists. @throws IllegalArgumentException at the first bad one */
    static List<Long> sizes(String list) {
        return Sizes.parseList(list, 1 << 20, Long.MAX_VALUE);
    }

    /** {@code --huge-pages}: no, yes or both. */
    static final class HugePages extends Cli.OneOf {
        HugePages() {
            super(List.of("no", "yes", "both"));
        }
    }

    /** This kernel's THP mode (always, madvise, never or unsupported), from /sys/kernel/mm/transparent_hugepage/enabled. */
    static String thpModeOfThisKernel() {
        String enabled;
        try {
            enabled = Files.readString(THP_ENABLED);
        } catch (NoSuchFileException e) {
            enabled = null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + THP_ENABLED + ": " + e, e);
        }
        return KernelProbe.thpMode(enabled);
    }

    /** Null if a kernel in THP mode {@code thpMode} can back memory with transparent huge pages at all, else why not. */
    static String hugePagesRefusal(String thpMode) {
        return switch (thpMode) {
            case "always", "madvise" -> null;
            case "unsupported" -> "this kernel has no transparent huge pages (no " + THP_ENABLED + ")";
            default -> "transparent huge pages are '" + thpMode + "' here (" + THP_ENABLED + "), so madvise(MADV_HUGEPAGE)"
                    + " gets none; as root: echo madvise > " + THP_ENABLED;
        };
    }

    /** One measurement: who forked, in which pages, how much was touched and how long fork() took. */
    record Row(String runtime, boolean huge, long touchedMib, long thpMib, long rssMib, long medianUs) {
        /** {@code fork: runtime=jvm pages=2m touched_mib=1024 thp_mib=1024 rss_mib=1190 median_us=420 ms_per_gb=0.4}. */
        String line() {
            return String.format(Locale.ROOT, "fork: runtime=%s pages=%s touched_mib=%d thp_mib=%d rss_mib=%d median_us=%d"
                    + " ms_per_gb=%.1f", runtime, pages(huge), touchedMib, thpMib, rssMib, medianUs, msPerGb());
        }

        /** fork() milliseconds per GiB of resident memory. */
        double msPerGb() {
            return medianUs / 1000.0 / (rssMib / 1024.0);
        }
    }

    private static final Pattern C_LINE = Pattern.compile(
            "c_fork pages=(4k|2m) touched_mib=(\\d+) thp_mib=(\\d+) rss_mib=(\\d+) forks=\\d+ median_us=(\\d+)");

    /**
     * Parses {@code args}, measures and prints to {@code out}, on a kernel whose THP mode is
     * {@code thpMode} ({@link #thpModeOfThisKernel}; tests pass "never" to see the refusals).
     *
     * @throws IllegalArgumentException for a bad option, or {@code --huge-pages yes} on a kernel
     *         without transparent huge pages (the message says why)
     * @throws IllegalStateException if gcc or the C program fails (its output in the message)
     */
    static void run(String[] args, String thpMode, PrintStream out) throws IOException {
        Flags flags = Cli.parse(new Flags(), args, out);
        if (flags == null) {
            return;
        }
        List<Long> sizes = sizes(flags.sizes);
        int forks = flags.forks;
        String huge = flags.hugePages;
        String refusal = hugePagesRefusal(thpMode);
        List<Boolean> kinds = switch (huge) {
            case "no" -> List.of(false);
            case "yes" -> {
                if (refusal != null) {
                    throw new IllegalArgumentException("--huge-pages yes: " + refusal);
                }
                yield List.of(true);
            }
            case "both" -> refusal == null ? List.of(false, true) : List.of(false);
            default -> throw new IllegalStateException("--huge-pages " + huge + " passed the converter"); // HugePages refuses it
        };
        Forker forker = Forker.safe();
        List<Row> java = new ArrayList<>();
        for (long size : sizes) {
            for (boolean h : kinds) {
                java.add(measure(forker, size, h, forks));
            }
        }
        // Only now start other processes: ProcessBuilder starts a reaper thread, and a JVM
        // that forks should have no extra threads.
        Path exe = compileC();
        out.println("| touched | pages | JVM RSS | JVM THP | JVM fork() median | C fork() median, same RSS | C THP | JVM / C"
                + " | JVM ms per GB RSS | C ms per GB RSS |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        List<String> lines = new ArrayList<>();
        List<Row> c = new ArrayList<>();
        for (Row j : java) {
            // The C program touches the same block in the same pages, and the rest of the JVM's
            // resident memory (its heap, code, libraries) as 4 KiB filler: the same page tables.
            Row r = runC(exe, j.touchedMib(), Math.max(0, j.rssMib() - j.touchedMib()), j.huge(), forks);
            c.add(r);
            out.printf(Locale.ROOT, "| %s | %s | %d MiB | %d MiB | %d us | %d us | %d MiB | %.2fx | %.1f | %.1f |%n",
                    human(j.touchedMib() << 20), pages(j.huge()), j.rssMib(), j.thpMib(), j.medianUs(), r.medianUs(),
                    r.thpMib(), j.medianUs() / (double) r.medianUs(), j.msPerGb(), r.msPerGb());
            lines.add(j.line());
            lines.add(r.line());
        }
        lines.forEach(out::println);
        for (int i = 0; i + 1 < java.size(); i++) {
            if (kinds.size() == 2 && !java.get(i).huge()) { // rows come in pairs: 4k, then 2m of the same size
                out.printf(Locale.ROOT, "fork-ratio: touched_mib=%d jvm_4k_over_2m=%.1f c_4k_over_2m=%.1f%n",
                        java.get(i).touchedMib(), ratio(java.get(i), java.get(i + 1)), ratio(c.get(i), c.get(i + 1)));
            }
        }
        if (huge.equals("both") && refusal != null) {
            out.println("fork-latency: no huge-page rows: " + refusal);
        }
        out.println("fork-latency: java " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + forks + " forks per size; medians");
    }

    /** Touches a block of {@code size} bytes and times {@code forks} forks of this JVM holding it. */
    private static Row measure(Forker forker, long size, boolean huge, int forks) throws IOException {
        try (Region block = Region.allocate(size, huge ? Region.HugePages.ALLOWED : Region.HugePages.NEVER)) {
            block.fill(0, block.size(), (byte) 1); // every page present
            // what the forks below copy the page tables of
            long thpBytes = Smaps.of(Processes.self(), block).fields().anonHugePagesKb() << 10;
            long[] took = new long[forks];
            for (int f = 0; f < forks; f++) {
                forker.run(c -> new byte[0]);
                took[f] = forker.lastTimings().forkNanos();
            }
            Arrays.sort(took);
            return new Row("jvm", huge, size >> 20, thpBytes >> 20, residentBytes() >> 20, took[forks / 2] / 1000);
        }
    }

    private static double ratio(Row fourK, Row twoM) {
        return fourK.medianUs() / (double) Math.max(1, twoM.medianUs());
    }

    private static String pages(boolean huge) {
        return huge ? "2m" : "4k";
    }

    private static String human(long bytes) {
        return bytes >= 1L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
    }

    /** VmRSS of this process, from /proc/self/status. */
    static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** Compiles fork_latency.c into a temporary directory; package-private for tests. */
    static Path compileC() throws IOException {
        Path dir = Files.createTempDirectory("cowfork-fork-latency");
        Path src = dir.resolve("fork_latency.c");
        try (InputStream in = ForkLatency.class.getResourceAsStream("fork_latency.c")) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path exe = dir.resolve("fork_latency");
        try (WatchedProcess gcc = WatchedProcess.start(List.of("gcc", "-O2", "-o", exe.toString(), src.toString()),
                System.err::println)) {
            if (gcc.awaitExit(COMPILE_DEADLINE) != 0) {
                throw new IllegalStateException("gcc failed to compile " + src);
            }
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (is gcc installed?)", e);
        }
        return exe;
    }

    /** Runs the C baseline; package-private for tests. */
    static Row runC(Path exe, long touchedMib, long fillerMib, boolean huge, int forks) {
        try (WatchedProcess p = WatchedProcess.start(List.of(exe.toString(), Long.toString(touchedMib),
                Long.toString(fillerMib), pages(huge), Integer.toString(forks)), line -> { })) {
            int status = p.awaitExit(C_RUN_DEADLINE);
            String output = p.output().strip();
            if (status != 0) {
                throw new IllegalStateException("the C baseline failed (exit " + status + "): " + output);
            }
            return parseC(output);
        }
    }

    /**
     * The row a {@code c_fork pages=P touched_mib=T thp_mib=H rss_mib=R forks=F median_us=M}
     * line reports; package-private for tests.
     *
     * @throws IllegalStateException if {@code output} holds no such line (it is in the message)
     */
    static Row parseC(String output) {
        Matcher m = C_LINE.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("the C baseline printed no c_fork line: " + output);
        }
        return new Row("c", m.group(1).equals("2m"), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
    }
}
