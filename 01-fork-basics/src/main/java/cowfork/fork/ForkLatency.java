// How long fork() takes as resident memory grows, for this JVM and for a C program of the same size.
package cowfork.fork;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sun.misc.Unsafe;

/**
 * How long fork() takes as the parent's resident memory grows, next to a C program with
 * the same resident size, forking the same way, in the same run.
 *
 * <p>fork() copies the parent's page tables (not its pages), so its cost grows with
 * resident memory: Redis reports 9-13 ms per GB on bare metal. A JVM forks through the
 * same system call, so it should cost about the same per GB; the goal is at most 1.2x C.
 *
 * <p>Run: {@code ./cowfork fork-latency [--sizes 64m,1g,4g] [--forks 20]}. Needs gcc.
 * Each size touches that much off-heap memory (so every page is present), then forks
 * children that exit at once; the fork() call is timed in the parent.
 */
public final class ForkLatency {
    private ForkLatency() {}

    public static void main(String[] args) throws Exception {
        List<Long> sizes = List.of(64L << 20, 1L << 30, 4L << 30);
        int forks = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = Sizes.parseList(CommandLine.value(args, ++i, "--sizes"), 1, Long.MAX_VALUE);
                case "--forks" -> forks = Integer.parseInt(CommandLine.value(args, ++i, "--forks"));
                case "--help", "-h" -> {
                    System.out.println("usage: fork-latency [--sizes 64m,1g,4g] [--forks 20]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; try --help");
            }
        }
        if (forks < 3) {
            throw new IllegalArgumentException("--forks must be at least 3 for a median, got " + forks);
        }
        Unsafe unsafe = unsafe();
        Forker forker = Forker.safe();
        List<long[]> java = new ArrayList<>(); // {touched bytes, rss bytes, median fork ns}
        for (long size : sizes) {
            long block = unsafe.allocateMemory(size);
            try {
                unsafe.setMemory(block, size, (byte) 1); // every page present
                long[] took = new long[forks];
                for (int f = 0; f < forks; f++) {
                    forker.run(c -> new byte[0]);
                    took[f] = forker.lastTimings().forkNanos();
                }
                Arrays.sort(took);
                java.add(new long[] {size, residentBytes(), took[forks / 2]});
            } finally {
                unsafe.freeMemory(block);
            }
        }
        // Only now start other processes: ProcessBuilder starts a reaper thread, and a JVM
        // that forks should have no extra threads.
        Path exe = compileC();
        System.out.println("| touched | JVM RSS | JVM fork() median | C fork() median, same RSS | JVM / C | JVM ms per GB RSS | C ms per GB RSS |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (long[] row : java) {
            long rssMib = row[1] >> 20;
            long cMedianUs = runC(exe, rssMib, forks);
            double javaUs = row[2] / 1000.0;
            double gb = row[1] / (double) (1L << 30);
            System.out.printf("| %s | %d MiB | %.0f us | %d us | %.2fx | %.1f | %.1f |%n", human(row[0]), rssMib, javaUs, cMedianUs,
                    javaUs / cMedianUs, javaUs / 1000 / gb, cMedianUs / 1000.0 / gb);
        }
        System.out.println("fork-latency: java " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + forks + " forks per size; medians");
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

    private static Path compileC() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cowfork-fork-latency");
        Path src = dir.resolve("fork_latency.c");
        try (InputStream in = ForkLatency.class.getResourceAsStream("fork_latency.c")) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path exe = dir.resolve("fork_latency");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", exe.toString(), src.toString()).inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("gcc failed to compile " + src + " (is gcc installed?)");
        }
        return exe;
    }

    private static long runC(Path exe, long rssMib, int forks) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(exe.toString(), Long.toString(rssMib), Integer.toString(forks)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || !out.contains("median_us=")) {
            throw new IllegalStateException("the C baseline failed: " + out);
        }
        return Long.parseLong(out.substring(out.indexOf("median_us=") + 10));
    }

    private static Unsafe unsafe() throws ReflectiveOperationException {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return (Unsafe) f.get(null);
    }
}
