// Every second, the PSS of a server's master and all its descendants and the master's own RSS, from /proc/PID/smaps_rollup.
package cowfork.bench.scale;

import cowfork.cow.Smaps;
import cowfork.support.Processes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Samples a process tree's memory once a second on a thread of its own, on a fixed
 * schedule: the k-th tick is due k seconds after {@link #start}, so a late sample does not
 * shift the ones after it, and a read that overruns its second skips the ticks it missed
 * (they are not taken late, bunched together). Each sample comes from the kernel's
 * per-process totals:
 * <pre>
 *   /proc/PID/smaps_rollup   Rss:  pages mapped by PID, shared or not (kB)
 *                            Pss:  each page divided by the number of processes mapping it (kB)
 * </pre>
 * The sum of Pss over the master and its workers counts every page once, so it is the
 * memory the server really costs; the master's Rss is what one process holding the whole
 * data set costs. A process that exits between listing and reading adds nothing.
 */
public final class MemorySampler implements AutoCloseable {
    /** The time between two ticks. */
    static final long PERIOD_NANOS = 1_000_000_000L;

    /** One reading: seconds since {@link #start} when the read began, total PSS of the tree and RSS of its root, in kB. */
    public record Sample(double seconds, long pssKb, long masterRssKb, int processes) {
    }

    /** Where the sampler reads the time and how it waits for a tick: the system's clock, or a test's. */
    interface Clock {
        long nanoTime();

        /** Returns once {@link #nanoTime()} has reached {@code deadlineNanos}, never before. */
        void sleepUntil(long deadlineNanos) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepUntil(long deadlineNanos) throws InterruptedException {
                for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
            }
        };
    }

    private final int rootPid;
    private final Clock clock;
    private final IntFunction<Memory> reader;
    private final Consumer<Sample> each;
    private final long t0;
    private final List<Sample> samples = new ArrayList<>();
    /** How long each timer sample took to read, in ms: the sampler's own cost (it walks every process's page tables). */
    private final List<Double> readMillis = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    MemorySampler(int rootPid, Consumer<Sample> each, Clock clock, IntFunction<Memory> reader) {
        this.rootPid = rootPid;
        this.each = each;
        this.clock = clock;
        this.reader = reader;
        this.t0 = clock.nanoTime();
        this.thread = new Thread(this::run, "memory-sampler-" + rootPid);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts sampling {@code rootPid}'s tree now and every second; {@code each} sees every sample (on the sampler thread). */
    public static MemorySampler start(int rootPid, Consumer<Sample> each) {
        return new MemorySampler(rootPid, each, Clock.SYSTEM, MemorySampler::read);
    }

    /** The sampler thread: wait for the next tick, read, repeat until closed. */
    private void run() {
        long due = t0;
        while (!closed) {
            try {
                clock.sleepUntil(due);
            } catch (InterruptedException e) {
                return; // closed while waiting for the tick
            }
            long start = clock.nanoTime();
            Sample s;
            try {
                s = sampleAt(start);
            } catch (RuntimeException e) {
                if (closed) {
                    return; // the read was cut short by close()
                }
                throw e; // the root exited, or the kernel refused a read: sampling stops, and says why
            }
            if (closed) {
                return; // read while closing: not kept
            }
            synchronized (samples) {
                samples.add(s);
                readMillis.add((clock.nanoTime() - start) / 1e6);
            }
            each.accept(s);
            due = nextTick(t0, clock.nanoTime());
        }
    }

    /** The first tick of the schedule that starts at {@code t0} which is after {@code now}: ticks already missed are skipped. */
    static long nextTick(long t0, long now) {
        return t0 + ((now - t0) / PERIOD_NANOS + 1) * PERIOD_NANOS;
    }

    /** A reading taken now, on the caller's thread (the window boundaries use it: they must not wait for the next tick). */
    public Sample sampleNow() {
        return sampleAt(clock.nanoTime());
    }

    private Sample sampleAt(long startNanos) {
        Memory m = reader.apply(rootPid);
        return new Sample((startNanos - t0) / 1e9, m.pssKb(), m.rootRssKb(), m.processes());
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

    /** Stops the timer and waits for its thread to end (a sample in progress finishes first): no sample comes after. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
