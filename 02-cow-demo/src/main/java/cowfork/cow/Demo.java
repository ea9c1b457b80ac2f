// ./cowfork demo 02: fork children over a filled region and show, page by page, what each one's writes copied.
package cowfork.cow;

import cowfork.fork.ChildHandle;
import cowfork.fork.ChildTask;
import cowfork.fork.Forker;
import cowfork.support.Cli;
import cowfork.support.Processes;
import cowfork.support.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The parent fills a region (64 MiB by default), then forks three children:
 * <pre>
 *   reader           reads every byte
 *   writer-every-K   writes one byte in every K-th page (pages 0, K, 2K, ...)
 *   writer-all       writes one byte in every page
 * </pre>
 * While they wait, the parent writes one byte in every K-th page of the first half of
 * the region, shifted by K/2 (pages K/2, K + K/2, ...), so it pays for its own copies
 * without touching the pages writer-every-K copied. Then it reads every process's page
 * map and smaps entry for the region, draws them and prints one grep-able line per child:
 * <pre>
 *   cow: child=NAME pages=TOTAL written=W private=P shared=S
 * </pre>
 * Before all that it prints what this kernel does where kernels differ ({@link KernelProbe}):
 * <pre>
 *   kernel: release=... read_fault=zero-page|private-page thp=... page_size=4096 pidfd=... ptrace=...
 * </pre>
 * Run {@code ./cowfork demo 02 --help} for the options.
 */
public final class Demo {
    private Demo() {}

    /** The largest region --size accepts. */
    static final long MAX_SIZE = 64L << 30;

    /** The demo's command line. */
    @Command(name = "./cowfork demo 02", sortOptions = false, sortSynopsis = false,
            description = "Fills a region, forks a reader, a writer-every-K and a writer-all, and shows page by page what"
                    + " each one's writes copied.")
    static final class Flags {
        @Mixin
        Cli.Help help;

        long size = 64L << 20;

        @Option(names = "--every", paramLabel = "K", order = 2, converter = Every.class,
                description = "writer-every-K writes one byte in every K-th page; K >= 2, default: ${DEFAULT-VALUE}")
        int every = 8;

        @Option(names = "--svg", paramLabel = "DIR", order = 3, description = "also write the figure DIR/02-cow-pagemaps.svg")
        Path svg;

        @Option(names = "--huge-pages", order = 4,
                description = "also measure what a one-byte write costs a child with huge pages allowed")
        boolean hugePages;

        @Option(names = "--size", paramLabel = "SIZE", order = 1, converter = RegionSize.class,
                description = "region size: bytes, or with K, M or G (KiB, MiB, GiB); default 64M")
        void size(long bytes) {
            size = bytes;
        }

        @Option(names = "--quick", order = 5, description = "a small run: a 1 MiB region, one character per page")
        void quick(boolean given) {
            size = 1L << 20;
        }
    }

    /** {@code --size}: up to {@link #MAX_SIZE}. */
    static final class RegionSize implements Cli.Converter<Long> {
        @Override
        public Long parse(String text) {
            return Sizes.parse(text, MAX_SIZE);
        }
    }

    /** {@code --every}: a whole number of pages, 2 or more. */
    static final class Every implements Cli.Converter<Integer> {
        @Override
        public Integer parse(String s) {
            try {
                int k = Integer.parseInt(s.strip());
                if (k >= 2) {
                    return k;
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("'" + s + "': give a whole number of pages, 2 or more"
                    + " (1 would make writer-every-K the same as writer-all)");
        }
    }

    /** The demo's settings, from the command line. */
    record Options(long size, int every, Path svgDir, boolean hugePages) {
        /**
         * The settings {@code args} give, or null for {@code --help} (its usage printed).
         *
         * @throws IllegalArgumentException naming the flag that is wrong and why
         */
        static Options parse(String... args) {
            Flags f = Cli.parse(new Flags(), args);
            return f == null ? null : new Options(f.size, f.every, f.svg, f.hugePages);
        }
    }

    /** One process of the demo and what it wrote. */
    record Process(String name, int pid, int written, PageMap map, Smaps.Fields region) {}

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args); // a bad flag: ./cowfork says why and exits with 2
        if (options == null) {
            return;
        }
        run(options, System.out);
    }

    /** Runs the demo and prints to {@code out}; the processes it forks are reaped before it returns. */
    static List<Process> run(Options o, PrintStream out) throws IOException {
        Workloads.warmUp();
        Forker forker = Forker.builder().warmUp(Workloads::warmUp).build();
        int k = o.every();
        List<Process> processes = new ArrayList<>();
        try (Region region = Region.allocate(o.size())) {
            int pages = Math.toIntExact(region.pages());
            // Fill first: a page never touched is not present, and there is nothing to share.
            region.fill(0, region.size(), (byte) 0x11);
            out.printf("02-cow-demo: copy-on-write, page by page%n");
            // What differs between kernels, probed before anything is measured (see KernelProbe).
            out.println(KernelProbe.probe().line());
            out.printf("region: %s = %d pages of 4 KiB at 0x%x, MADV_NOHUGEPAGE, filled by the parent before fork%n",
                    human(region.size()), pages, region.address());
            out.printf("children: reader reads every byte; writer-every-%d writes one byte in pages 0, %d, %d, ...;"
                    + " writer-all writes one byte in every page%n", k, k, 2 * k);
            out.printf("parent: after the fork, writes one byte in pages %d, %d, %d, ... of the first half%n%n",
                    k / 2, k + k / 2, 2 * k + k / 2);

            String everyName = "writer-every-" + k;
            List<String> names = List.of("reader", everyName, "writer-all");
            List<Integer> written = List.of(0, Workloads.countEvery(region, k, 0, pages), pages);
            List<ChildTask> tasks = List.of(
                    waitAfter(() -> Workloads.readAll(region)),
                    waitAfter(() -> Workloads.writeEvery(region, k, 0, pages, (byte) 0x22)),
                    waitAfter(() -> Workloads.writeEvery(region, 1, 0, pages, (byte) 0x33)));
            List<ChildHandle> children = new ArrayList<>();
            try {
                for (ChildTask task : tasks) {
                    children.add(forker.start(task));
                }
                for (ChildHandle child : children) {
                    ChildSnapshot.awaitReady(child);
                }
                int parentWrote = Workloads.writeEvery(region, k, k / 2, pages / 2, (byte) 0x44);
                int self = Processes.self();
                processes.add(new Process("parent", self, parentWrote, PageMap.of(self, region), Smaps.of(self, region).fields()));
                for (int i = 0; i < children.size(); i++) {
                    int pid = children.get(i).pid();
                    processes.add(new Process(names.get(i), pid, written.get(i), PageMap.of(pid, region),
                            Smaps.of(pid, region).fields()));
                }
                for (ChildHandle child : children) {
                    child.send("done");
                    child.await().orThrow();
                }
            } finally {
                children.forEach(ChildHandle::close);
            }
            print(out, processes, pages);
            if (o.svgDir() != null) {
                Path file = writeSvg(o, processes, pages);
                out.printf("%nfigure: %s%n", file);
            }
        }
        if (o.hugePages()) {
            out.printf("%nWhat does a one-byte write in a child cost? (4 MiB region, filled by the parent, measured by the kernel)%n");
            out.println(HugePageCost.measure(forker, Region.HugePages.NEVER, 4L << 20).describe());
            out.println(HugePageCost.measure(forker, Region.HugePages.ALLOWED, 4L << 20).describe());
        }
        return processes;
    }

    /** A child task that runs {@code work}, says "ready", and waits for the parent to finish measuring it. */
    private static ChildTask waitAfter(Runnable work) {
        return c -> {
            work.run();
            c.send("ready");
            c.receive();
            return new byte[0];
        };
    }

    private static void print(PrintStream out, List<Process> processes, int pages) {
        PageMapPicture picture = PageMapPicture.forPages(pages);
        List<PageMap> family = processes.stream().map(Process::map).toList();
        for (Process p : processes) {
            out.printf("%s (pid %d), wrote %d pages:%n%s%n", p.name(), p.pid(), p.written(), picture.strip(p.map(), "  "));
        }
        out.printf("  (%s)%n%n", picture.legend());
        out.printf("%-16s %7s %8s %8s %8s %12s %10s %14s %10s%n", "process", "pid", "written", "private", "shared",
                "Private_Dirty", "Pss", "Pss(pagemap)", "Rss");
        for (Process p : processes) {
            out.printf("%-16s %7d %8d %8d %8d %9d kB %7d kB %11.0f kB %7d kB%n", p.name(), p.pid(), p.written(),
                    p.map().count(PageState.PRIVATE), p.map().count(PageState.SHARED), p.region().privateDirtyKb(),
                    p.region().pssKb(), p.map().pssBytesAmong(family) / 1024, p.region().rssKb());
        }
        out.println();
        for (Process p : processes.subList(1, processes.size())) {
            out.println(cowLine(p, pages));
        }
    }

    /** The grep-able line: {@code cow: child=NAME pages=TOTAL written=W private=P shared=S}. */
    static String cowLine(Process p, int pages) {
        return "cow: child=" + p.name() + " pages=" + pages + " written=" + p.written() + " private="
                + p.map().count(PageState.PRIVATE) + " shared=" + p.map().count(PageState.SHARED);
    }

    private static Path writeSvg(Options o, List<Process> processes, int pages) throws IOException {
        // A figure has room for more rows than a terminal: up to 1024 cells, one per page up to 4 MiB.
        PageMapPicture picture = PageMapPicture.forPages(pages, PageMapPicture.DEFAULT_COLUMNS, 16);
        List<PageMapPicture.Panel> panels = new ArrayList<>();
        for (Process p : processes) {
            panels.add(new PageMapPicture.Panel(p.name() + " wrote " + p.written() + " pages",
                    String.format(Locale.ROOT, "private %d, shared %d; Private_Dirty %d kB, Pss %d kB",
                            p.map().count(PageState.PRIVATE), p.map().count(PageState.SHARED),
                            p.region().privateDirtyKb(), p.region().pssKb()), p.map()));
        }
        String title = "Copy-on-write after fork: a " + human(pages * (long) Region.PAGE_SIZE) + " region in 4 processes";
        long bytes = pages * (long) Region.PAGE_SIZE;
        String size = bytes % (1L << 20) == 0 ? (bytes >> 20) + "M" : (bytes >> 10) + "K";
        String footer = "./cowfork demo 02 --size " + size + " --every " + o.every()
                + " --svg DIR   (Linux " + System.getProperty("os.version") + ", JDK " + System.getProperty("java.version") + ")";
        Files.createDirectories(o.svgDir());
        Path file = o.svgDir().resolve("02-cow-pagemaps.svg");
        Files.writeString(file, picture.svg(title, panels, footer));
        return file;
    }

    private static String human(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
