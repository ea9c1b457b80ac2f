// Every second, the PSS of a server's master and all its descendants and the master's own RSS, from /proc/PID/smaps_rollup.
package cowfork.server.scale;

import cowfork.cow.Smaps;
import cowfork.support.Processes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples a process tree's memory once a second on a thread of its own, at a fixed rate
 * (a late sample does not shift the ones after it), from the kernel's per-process totals:
 * <pre>
 *   /proc/PID/smaps_rollup   Rss:  pages mapped by PID, shared or not (kB)
 *                            Pss:  each page divided by the number of processes mapping it (kB)
 * </pre>
 * The sum of Pss over the master and its workers counts every page once, so it is the
 * memory the server really costs; the master's Rss is what one process holding the whole
 * data set costs. A process that exits between listing and reading adds nothing.
 */
public final class MemorySampler implements AutoCloseable {
    /** One reading: seconds since {@link #start}, total PSS of the tree and RSS of its root, in kB. */
    public record Sample(double seconds, long pssKb, long masterRssKb, int processes) {
    }

    private final int rootPid;
    private final long t0 = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    /** How long each timer sample took to read, in ms: the sampler's own cost (it walks every process's page tables). */
    private final List<Double> readMillis = new ArrayList<>();
    private final ScheduledExecutorService timer;

    private MemorySampler(int rootPid, Consumer<Sample> each) {
        this.rootPid = rootPid;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-sampler-" + rootPid);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            long start = System.nanoTime();
            Sample s = sampleNow();
            synchronized (samples) {
                samples.add(s);
                readMillis.add((System.nanoTime() - start) / 1e6);
            }
            each.accept(s);
        }, 0, 1, TimeUnit.SECONDS);
    }

    /** Starts sampling {@code rootPid}'s tree now and every second; {@code each} sees every sample (on the sampler thread). */
    public static MemorySampler start(int rootPid, Consumer<Sample> each) {
        return new MemorySampler(rootPid, each);
    }

    /** A reading taken now, on the caller's thread (the window boundaries use it: they must not wait for the next tick). */
    public Sample sampleNow() {
        Memory m = read(rootPid);
        return new Sample((System.nanoTime() - t0) / 1e9, m.pssKb(), m.rootRssKb(), m.processes());
    }

    /** Every sample taken by the timer so far, oldest first. */
    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The median time one timer sample took to read, in ms; NaN before the first. */
    public double medianReadMillis() {
        synchronized (samples) {
            return Plateau.median(readMillis);
        }
    }

    /** Stops the timer (a sample in progress finishes). */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** The memory of one process tree. */
    public record Memory(long pssKb, long rootRssKb, int processes) {
    }

    /**
     * Sums {@code Pss:} over {@code rootPid} and every descendant, and reads the root's {@code Rss:}.
     *
     * @throws IllegalStateException if {@code rootPid} itself cannot be read (it has exited)
     */
    public static Memory read(int rootPid) {
        long[] root = rollup(rootPid);
        if (root == null) {
            throw new IllegalStateException("process " + rootPid + " has exited: no /proc/" + rootPid + "/smaps_rollup");
        }
        long pss = root[0];
        int processes = 1;
        List<ProcessHandle> descendants = ProcessHandle.of(rootPid).map(p -> p.descendants().toList()).orElse(List.of());
        for (ProcessHandle d : descendants) {
            long[] r = rollup((int) d.pid());
            if (r != null) {
                pss += r[0];
                processes++;
            }
        }
        return new Memory(pss, root[1], processes);
    }

    /**
     * {Pss, Rss} in kB from /proc/PID/smaps_rollup (02's {@link Smaps#rollup}); null if the
     * process is gone, or a zombie (which has no memory left to show).
     *
     * @throws IllegalStateException if the kernel refuses to show a live process's memory: a
     *         total that silently left a process out would be wrong
     */
    static long[] rollup(int pid) {
        try {
            Smaps.Fields f = Smaps.rollup(pid);
            return new long[] {f.pssKb(), f.rssKb()};
        } catch (IllegalArgumentException e) {
            return null; // exited between listing and reading
        } catch (IllegalStateException e) {
            char state = Processes.state(pid);
            if (state == '?' || state == 'Z' || state == 'X') {
                return null; // a zombie's smaps_rollup is empty
            }
            throw e;
        }
    }
}
