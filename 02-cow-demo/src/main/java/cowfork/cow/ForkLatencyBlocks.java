// ./cowfork fork-latency: chapter 01's fork timing, with the touched memory in Regions of 4 KiB or 2 MiB pages.
package cowfork.cow;

import cowfork.fork.ForkLatency;
import cowfork.fork.Processes;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The memory {@link ForkLatency} forks with, as {@link Region}s: {@link Region.HugePages#NEVER}
 * (advised MADV_NOHUGEPAGE: 4 KiB pages, whatever the kernel's THP mode) or
 * {@link Region.HugePages#ALLOWED} (2 MiB-aligned, advised MADV_HUGEPAGE). Chapter 01 times
 * fork() but cannot map huge pages (mmap and madvise are bound here), so it takes its
 * blocks from this class; each block reports its own AnonHugePages from
 * {@code /proc/self/smaps} ({@link Smaps#of}).
 */
public final class ForkLatencyBlocks implements ForkLatency.Blocks {
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    private final String thpMode;

    /** Blocks for a kernel whose THP mode is {@code thpMode} (always, madvise, never or unsupported). */
    ForkLatencyBlocks(String thpMode) {
        this.thpMode = thpMode;
    }

    /** Blocks for the running kernel (its mode read from /sys/kernel/mm/transparent_hugepage/enabled). */
    public static ForkLatencyBlocks forThisKernel() {
        String enabled;
        try {
            enabled = Files.readString(THP_ENABLED);
        } catch (NoSuchFileException e) {
            enabled = null;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + THP_ENABLED + ": " + e, e);
        }
        return new ForkLatencyBlocks(KernelProbe.thpMode(enabled));
    }

    /** {@code ./cowfork fork-latency [--sizes 64m,1g,4g] [--forks 20] [--huge-pages no|yes|both]}. */
    public static void main(String[] args) throws Exception {
        ForkLatency.run(args, forThisKernel(), System.out);
    }

    @Override
    public String hugePagesRefusal() {
        return switch (thpMode) {
            case "always", "madvise" -> null;
            case "unsupported" -> "this kernel has no transparent huge pages (no " + THP_ENABLED + ")";
            default -> "transparent huge pages are '" + thpMode + "' here (" + THP_ENABLED + "), so madvise(MADV_HUGEPAGE)"
                    + " gets none; as root: echo madvise > " + THP_ENABLED;
        };
    }

    @Override
    public ForkLatency.Block touch(long bytes, boolean hugePages) {
        Region region = Region.allocate(bytes, hugePages ? Region.HugePages.ALLOWED : Region.HugePages.NEVER);
        region.fill(0, region.size(), (byte) 1); // every page present
        return new ForkLatency.Block() {
            @Override
            public long thpBytes() {
                return Smaps.of(Processes.self(), region).fields().anonHugePagesKb() << 10;
            }

            @Override
            public void close() {
                region.close();
            }
        };
    }
}
