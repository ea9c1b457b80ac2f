// What this kernel does where kernels can differ (read faults, huge pages, page size, pidfds, ptrace): probed, never assumed.
package cowfork.cow;

import cowfork.fork.ForkException;
import cowfork.fork.Syscalls;
import cowfork.support.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Asks the running kernel, by experiment or from {@code /proc} and {@code /sys}, the facts
 * this project's measurements depend on and that can differ from one kernel to another:
 * <pre>
 *   read_fault   what reading a never-written anonymous page maps. Mainline Linux maps
 *                the shared zero page (present, pagemap bit 56 clear); a sandboxed
 *                kernel build this project ran on (6.18 too) was measured mapping a
 *                fresh private page instead (present, bit 56 set). The probe decides.
 *   thp          /sys/kernel/mm/transparent_hugepage/enabled: always, madvise, never,
 *                or unsupported (no such file)
 *   thp_backed   whether a 2 MiB huge page really backed a MADV_HUGEPAGE region here
 *                (AnonHugePages in smaps), which also depends on free memory
 *   page_size    the kernel's page size; this project counts in 4 KiB pages and refuses
 *                any other ({@link Region#requireKernelPageSize})
 *   pidfd        whether pidfd_open(2) works (Linux 5.3+); module 01's watchdog needs it
 *   ptrace       Yama's ptrace_scope, or no-yama when the file is absent (then only the
 *                classic rule applies: same user, or CAP_SYS_PTRACE)
 *   gdb_attach   whether gdb -p, started from a shell, may attach to a forked child
 * </pre>
 * {@link Facts#line()} is one grep-able line; the chapter 02 demo prints it first.
 */
public final class KernelProbe {
    private KernelProbe() {}

    /** What a read fault of a never-written anonymous page maps. */
    public enum ReadFault {
        /** The one shared zero page, mapped read-only everywhere: costs nothing, never exclusive. */
        ZERO_PAGE("zero-page"),
        /** A freshly zeroed page of this process's own: counts in Rss, exclusively mapped. */
        PRIVATE_PAGE("private-page");

        private final String label;

        ReadFault(String label) {
            this.label = label;
        }

        /** The value printed after {@code read_fault=}. */
        public String label() {
            return label;
        }
    }

    /** Everything {@link #probe()} found; see the class comment for each field. */
    public record Facts(String release, ReadFault readFault, String thp, boolean thpBacked, long pageSize,
                        String pidfd, String ptrace, boolean gdbAttach) {
        /** {@code kernel: release=6.18.44 read_fault=zero-page thp=madvise thp_backed=yes page_size=4096 pidfd=yes ptrace=no-yama gdb_attach=yes}. */
        public String line() {
            return "kernel: release=" + release + " read_fault=" + readFault.label() + " thp=" + thp + " thp_backed="
                    + yesNo(thpBacked) + " page_size=" + pageSize + " pidfd=" + pidfd + " ptrace=" + ptrace
                    + " gdb_attach=" + yesNo(gdbAttach);
        }
    }

    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    private static final Path PTRACE_SCOPE = Path.of("/proc/sys/kernel/yama/ptrace_scope");
    private static final int ENOSYS = 38;
    /** The capability that lets a process read (and attach to) any other process of any user. */
    public static final int CAP_SYS_PTRACE = 19;

    /** Prints {@link Facts#line()} for this kernel. */
    public static void main(String[] args) {
        System.out.println(probe().line());
    }

    /**
     * Runs every probe. Maps and unmaps two small regions (8 KiB and 4 MiB) and opens and
     * closes one pidfd; leaves nothing behind.
     *
     * @throws IllegalStateException if the page size is not 4 KiB, or a read fault maps
     *         nothing at all (a kernel this project cannot read)
     */
    public static Facts probe() {
        Region.requireKernelPageSize();
        String thp = thpMode(readOrNull(THP_ENABLED));
        String scope = readOrNull(PTRACE_SCOPE);
        return new Facts(System.getProperty("os.version"), readFault(), thp, !thp.equals("unsupported") && thpBacks(),
                Region.KERNEL_PAGE_SIZE, pidfd(), ptraceScope(scope), gdbMayAttach(scope, hasCapability(CAP_SYS_PTRACE)));
    }

    /**
     * Reads one byte of each of two never-written pages of a fresh region and classifies
     * what the page map then says about them ({@link #classifyReadFault}).
     */
    public static ReadFault readFault() {
        try (Region r = Region.allocate(2 * Region.PAGE_SIZE)) {
            long sum = r.getByte(0) + r.getByte(Region.PAGE_SIZE + 100); // the loads are the experiment
            PageMap map = PageMap.ofSelf(r);
            if (sum != 0) {
                throw new IllegalStateException("a fresh anonymous mapping read back non-zero bytes: " + r);
            }
            return classifyReadFault(map.entry(0), map.entry(1));
        }
    }

    /**
     * The read-fault behaviour two pagemap entries of freshly read, never-written pages
     * show: both present and not exclusively mapped (bit 56 clear) is the shared zero
     * page; both present and exclusive is a private page per read.
     *
     * @throws IllegalStateException if a page is not present (the read mapped nothing) or
     *         the two pages disagree; the message shows both entries
     */
    static ReadFault classifyReadFault(long first, long second) {
        boolean present = (first & PageMap.PRESENT) != 0 && (second & PageMap.PRESENT) != 0;
        boolean firstExclusive = (first & PageMap.EXCLUSIVE) != 0;
        if (!present || firstExclusive != ((second & PageMap.EXCLUSIVE) != 0)) {
            throw new IllegalStateException("after reading two never-written pages the page map shows entries 0x"
                    + Long.toHexString(first) + " and 0x" + Long.toHexString(second) + ": expected both present, both"
                    + " exclusive (bit 56) or both not. This kernel's read faults are not ones cowfork knows");
        }
        return firstExclusive ? ReadFault.PRIVATE_PAGE : ReadFault.ZERO_PAGE;
    }

    /** The bracketed choice in the THP {@code enabled} file ("always [madvise] never" is madvise); "unsupported" for null. */
    static String thpMode(String enabledFile) {
        if (enabledFile == null) {
            return "unsupported";
        }
        int open = enabledFile.indexOf('[');
        int close = enabledFile.indexOf(']', open + 1);
        if (open < 0 || close < 0) {
            throw new IllegalStateException(THP_ENABLED + " reads '" + enabledFile.strip() + "': no [selected] mode");
        }
        return enabledFile.substring(open + 1, close);
    }

    /** Whether a huge page really backs a filled 4 MiB MADV_HUGEPAGE region now (smaps AnonHugePages). */
    static boolean thpBacks() {
        try (Region r = Region.allocate(2 * Region.HUGE_PAGE_SIZE, Region.HugePages.ALLOWED)) {
            r.fill(0, r.size(), (byte) 1);
            return Smaps.of(Processes.self(), r).fields().anonHugePagesKb() > 0;
        } catch (ForkException e) {
            return false; // madvise(MADV_HUGEPAGE) refused: no THP in this kernel
        }
    }

    /** "yes" if pidfd_open(2) works, else "no:" and the errno name (ENOSYS before Linux 5.3). */
    static String pidfd() {
        int fd = Syscalls.libc().pidfd_open(Processes.self(), 0);
        if (fd >= 0) {
            Syscalls.posix().close(fd);
            return "yes";
        }
        int errno = Syscalls.libcErrno();
        return "no:" + (errno == ENOSYS ? "ENOSYS" : "errno-" + errno);
    }

    /** Yama's scope as "yama-N", or "no-yama" when the file is absent (null). */
    static String ptraceScope(String scopeFile) {
        return scopeFile == null ? "no-yama" : "yama-" + scopeFile.strip();
    }

    /**
     * Whether a debugger started from a shell (not an ancestor of the child) may attach to
     * a forked child of the same user. Without Yama, and with scope 0, the classic rule
     * allows it; scope 1 (descendants only) and 2 (admin only) need CAP_SYS_PTRACE;
     * scope 3 forbids every attach.
     */
    static boolean gdbMayAttach(String scopeFile, boolean capSysPtrace) {
        if (scopeFile == null) {
            return true;
        }
        return switch (scopeFile.strip()) {
            case "0" -> true;
            case "1", "2" -> capSysPtrace;
            default -> false;
        };
    }

    /** Whether this process has capability {@code bit} in its effective set (CapEff in /proc/self/status). */
    public static boolean hasCapability(int bit) {
        String status = readOrNull(Path.of("/proc/self/status"));
        if (status != null) {
            for (String line : status.split("\n")) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) >>> bit & 1) != 0;
                }
            }
        }
        return false;
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e, e);
        }
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
