// Reads a server's tree once: lists it, then each process's smaps (or smaps_rollup), without stopping or attaching to anything.
package cowfork.inspect;

import cowfork.cow.KernelProbe;
import cowfork.cow.Smaps;
import cowfork.support.Processes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes {@link Sample}s of one server's tree. Each sample lists the tree again (so workers
 * replaced meanwhile are followed) and reads, per process, only what the view needs:
 * <pre>
 *   regions shown    /proc/PID/smaps          one entry per mapping, summed by region
 *   totals only      /proc/PID/smaps_rollup   the same fields, summed by the kernel
 * </pre>
 * Both make the kernel walk every page table of the process (Pss needs each page's map
 * count), so a sample costs time in proportion to the tree's resident memory; the sample
 * carries that cost. Reading them needs ptrace read access to the process (same user, or
 * CAP_SYS_PTRACE) but never attaches to it or stops it.
 */
final class Sampler {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;

    private final int masterPid;
    private final boolean wholeTree;
    private final boolean regions;
    private boolean check;
    private long startNanos;
    private int samples;

    /**
     * @param wholeTree every descendant, not only the master's children
     * @param regions   read smaps (regions and mappings), not only smaps_rollup (totals)
     */
    Sampler(int masterPid, boolean wholeTree, boolean regions) {
        this.masterPid = masterPid;
        this.wholeTree = wholeTree;
        this.regions = regions;
    }

    /**
     * With {@code check}, each process's smaps_rollup is read right after its smaps, so that the
     * sums by region can be compared with the kernel's own ({@link ProcessMemory#rollup}). It
     * doubles the cost of a sample.
     */
    Sampler check(boolean check) {
        this.check = check;
        return this;
    }

    /**
     * Lists the tree and reads every process in it.
     *
     * @throws InspectFailure if the master is gone ({@link InspectFailure#NO_SUCH_PROCESS}), or
     *         the kernel refuses to show a process's memory ({@link InspectFailure#NOT_PERMITTED})
     */
    Sample sample() {
        long t0 = System.nanoTime();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        return read(ProcessTree.list(masterPid, wholeTree), t0, cpu0);
    }

    /**
     * Reads the processes of {@code listing} (the master first), as {@link #sample} does after
     * listing; a process that has exited since it was listed is left out and named.
     * Package-private: a test lists, ends a worker, then reads.
     */
    Sample read(List<ProcessTree.Member> listing) {
        return read(listing, System.nanoTime(), THREADS.getCurrentThreadCpuTime());
    }

    private Sample read(List<ProcessTree.Member> listing, long t0, long cpu0) {
        if (samples == 0) {
            startNanos = t0;
        }
        List<ProcessMemory> read = new ArrayList<>();
        List<Sample.LeftOut> leftOut = new ArrayList<>();
        for (ProcessTree.Member m : listing) {
            ProcessMemory pm = read(m, regions);
            if (pm != null && check && regions) {
                pm = withRollup(pm);
            }
            if (pm != null) {
                read.add(pm);
            } else if (m.role() == ProcessTree.Role.MASTER) {
                throw InspectFailure.noSuchProcess("the master " + m.pid() + " has exited");
            } else {
                leftOut.add(new Sample.LeftOut(m, "exited during the sample"));
            }
        }
        long t1 = System.nanoTime();
        double cpuMs = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6;
        samples++;
        return new Sample(samples, Instant.now(), (t0 - startNanos) / 1e9, (t1 - t0) / 1e6, cpuMs, read, leftOut);
    }

    /**
     * One process's memory; null if it has exited (or is a zombie, whose memory is already
     * gone) before or while it was read.
     *
     * @throws InspectFailure ({@link InspectFailure#NOT_PERMITTED}) if the kernel refuses to show it
     */
    static ProcessMemory read(ProcessTree.Member m, boolean regions) {
        ProcessMemory pm;
        try {
            if (regions) {
                List<Smaps.Mapping> mappings = Smaps.all(m.pid());
                Smaps.Fields total = Smaps.Fields.ZERO;
                for (Smaps.Mapping map : mappings) {
                    total = total.plus(map.fields());
                }
                pm = new ProcessMemory(m, total, Regions.sum(mappings), mappings, Regions.classify(mappings), null);
            } else {
                pm = new ProcessMemory(m, Smaps.rollup(m.pid()), null, List.of(), List.of(), null);
            }
        } catch (IllegalArgumentException noSuchProcess) {
            return null; // Smaps says so when /proc/PID has gone
        } catch (IllegalStateException e) {
            if (gone(m.pid())) {
                return null; // a zombie's smaps_rollup is empty, which Smaps refuses to parse
            }
            if (e.getCause() instanceof AccessDeniedException) {
                throw InspectFailure.notPermitted(notPermitted(m), e);
            }
            throw e;
        }
        // A process that exits while its file is read leaves the rest of the file empty: a part is not a figure.
        return gone(m.pid()) ? null : pm;
    }

    /** {@code pm} with the kernel's sums read now; as it was if the process has exited meanwhile. */
    private static ProcessMemory withRollup(ProcessMemory pm) {
        try {
            return pm.withRollup(Smaps.rollup(pm.pid()));
        } catch (IllegalArgumentException | IllegalStateException gone) {
            return pm;
        }
    }

    /** Gone, or a zombie (exited, not yet reaped: no memory left to show). */
    private static boolean gone(int pid) {
        char state = Processes.state(pid);
        return state == '?' || state == 'Z' || state == 'X';
    }

    /** What the operator must do to be allowed to read {@code m}'s memory map, in their terms. */
    static String notPermitted(ProcessTree.Member m) {
        String owner = owner(m.pid());
        int ourUid = uid("self");
        int theirUid = uid(Integer.toString(m.pid()));
        List<String> held = new ArrayList<>();
        for (int[] cap : new int[][] {{KernelProbe.CAP_SYS_PTRACE}, {CAP_PERFMON}, {CAP_SYS_ADMIN}}) {
            if (KernelProbe.hasCapability(cap[0])) {
                held.add(cap[0] == KernelProbe.CAP_SYS_PTRACE ? "CAP_SYS_PTRACE" : cap[0] == CAP_PERFMON ? "CAP_PERFMON" : "CAP_SYS_ADMIN");
            }
        }
        StringBuilder sb = new StringBuilder("the kernel does not let this process read /proc/" + m.pid()
                + "/smaps (" + m + ", owned by " + owner + "; inspect runs as uid " + ourUid
                + (held.isEmpty() ? " without CAP_SYS_PTRACE, CAP_PERFMON or CAP_SYS_ADMIN" : " with " + String.join(", ", held))
                + ").\n");
        sb.append("Reading another process's memory map needs ptrace read access to it (PTRACE_MODE_READ):\n"
                + "  - run as the server's own user: sudo -u " + owner + " ./cowfork inspect " + m.pid() + "\n"
                + "  - or with CAP_SYS_PTRACE (root has it, unless a container dropped it: docker run --cap-add SYS_PTRACE);\n"
                + "    newer kernels also accept CAP_PERFMON (or CAP_SYS_ADMIN) for this read\n");
        if (theirUid == ourUid) {
            sb.append("Same user and still refused: the process made itself non-dumpable (prctl PR_SET_DUMPABLE 0,"
                    + " or it changed uid, as setuid programs do), which only those capabilities override; or a security"
                    + " module (SELinux, AppArmor) forbids it.\n");
        }
        sb.append("Yama's kernel.yama.ptrace_scope restricts attaching a debugger, not this read, so changing it does"
                + " not help. inspect never attaches to a process or stops it: it only reads /proc.");
        return sb.toString();
    }

    private static String owner(int pid) {
        try {
            return Files.getOwner(Path.of("/proc", Integer.toString(pid))).getName();
        } catch (IOException e) {
            return "an unknown user";
        }
    }

    /** The real uid in /proc/WHO/status (world-readable), -1 if unreadable. */
    private static int uid(String who) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", who, "status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the message then says uid -1
        }
        return -1;
    }
}
