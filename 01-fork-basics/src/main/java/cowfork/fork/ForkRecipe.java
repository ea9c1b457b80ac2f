package cowfork.fork;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Makes a HotSpot JVM quiet enough to fork: the steps of the recipe in
 * {@code forking-hotspot.md}, each one the cure for a hang that was seen.
 *
 * <ol>
 *   <li>{@link Precaution#FLUSH_STDIO}: flush System.out / System.err, or the child
 *       prints the parent's buffered bytes a second time.</li>
 *   <li>{@link Precaution#COLLECT_GARBAGE}: a child has no VM thread and so can never
 *       collect; it must start with enough free eden for its whole life.</li>
 *   <li>{@link Precaution#QUIET_JIT}: exclude every method from compilation (a compiler
 *       directive), then wait until no compile is running or queued. A compiler thread
 *       holding a lock, or waiting on a condition variable, at fork time hangs the child
 *       the first time it touches that lock or variable.</li>
 * </ol>
 *
 * The JVM must also run with the flags in {@link #REQUIRED_FLAGS}; {@code ./cowfork}
 * and the build's surefire configuration pass them.
 */
public final class ForkRecipe {

    /** One step of the recipe; {@link Forker.Builder#without} turns one off to show why it exists. */
    public enum Precaution { FLUSH_STDIO, COLLECT_GARBAGE, QUIET_JIT }

    /** JVM options a forking JVM must run with, as "Name=value" for HotSpot's diagnostic bean. */
    public static final List<String> REQUIRED_FLAGS = List.of(
            "UseSerialGC=true", "UsePerfData=false", "GuaranteedSafepointInterval=0");

    /** How long the JIT may take to finish what it is compiling before we give up. */
    private static final long DRAIN_TIMEOUT_NANOS = 30_000_000_000L;

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";
    private static final String[] STRING_ARRAY_SIGNATURE = {String[].class.getName()};

    /** The directive file, written once per JVM (a child that forks again must not create files). */
    private static Path excludeAllDirective;

    private final Set<Precaution> precautions;
    private final long childHeapBudget;
    private final MemoryPoolMXBean eden;
    private MBeanServer mbeans;
    private ObjectName diagnosticCommand;

    /** Nanoseconds spent in each step by the most recent {@link #quiet()}; for fork-stress. */
    private long lastGcNanos;
    private long lastJitNanos;
    private boolean lastCollected;

    ForkRecipe(Set<Precaution> precautions, long childHeapBudget) {
        this.precautions = precautions.isEmpty() ? EnumSet.noneOf(Precaution.class) : EnumSet.copyOf(precautions);
        this.childHeapBudget = childHeapBudget;
        if (this.precautions.contains(Precaution.QUIET_JIT)) {
            prepareJitControl();
        }
        this.eden = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getName().contains("Eden"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no eden memory pool; run with -XX:+UseSerialGC"));
    }

    /** Connects to the DiagnosticCommand MBean and writes the exclude-all directive file. */
    private void prepareJitControl() {
        try {
            mbeans = ManagementFactory.getPlatformMBeanServer();
            diagnosticCommand = new ObjectName(DIAGNOSTIC_COMMAND);
            synchronized (ForkRecipe.class) {
                if (excludeAllDirective == null) {
                    Path file = Files.createTempFile("cowfork-exclude-all-", ".json");
                    Files.writeString(file, "[{ match: \"*.*\", Exclude: true }]");
                    file.toFile().deleteOnExit();
                    excludeAllDirective = file;
                }
            }
        } catch (JMException | IOException e) {
            throw new IllegalStateException("cannot prepare the compiler directive the fork recipe needs: " + e, e);
        }
    }

    /**
     * Throws, with the flags to add, unless this JVM runs with every flag in
     * {@link #REQUIRED_FLAGS}. Forking without them hangs children (see the module README).
     */
    public static void requireForkFlags() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        StringBuilder missing = new StringBuilder();
        for (String flag : REQUIRED_FLAGS) {
            String name = flag.substring(0, flag.indexOf('='));
            String want = flag.substring(flag.indexOf('=') + 1);
            String have = hotspot.getVMOption(name).getValue();
            if (!have.equals(want)) {
                missing.append(' ').append(asCommandLine(name, want));
            }
        }
        if (missing.length() > 0) {
            throw new IllegalStateException("this JVM is not set up to fork safely; start it with"
                    + missing + " (./cowfork does this for you; see 01-fork-basics/README.md)");
        }
    }

    private static String asCommandLine(String name, String value) {
        return switch (value) {
            case "true" -> "-XX:+" + name;
            case "false" -> "-XX:-" + name;
            default -> "-XX:+UnlockDiagnosticVMOptions -XX:" + name + "=" + value;
        };
    }

    /**
     * Runs the enabled steps and returns a handle whose {@code close()} lets the JIT work
     * again. Call {@code fork()} between the two, and {@code close()} in the parent only.
     */
    public Quiet quiet() {
        if (precautions.contains(Precaution.FLUSH_STDIO)) {
            System.out.flush();
            System.err.flush();
        }
        long t0 = System.nanoTime();
        lastCollected = false;
        if (precautions.contains(Precaution.COLLECT_GARBAGE) && edenFree() < childHeapBudget) {
            System.gc(); // Serial GC: a full, compacting collection on this thread's VM operation
            lastCollected = true;
        }
        long t1 = System.nanoTime();
        boolean excluded = false;
        if (precautions.contains(Precaution.QUIET_JIT)) {
            dcmd("compilerDirectivesAdd", excludeAllDirective.toString());
            excluded = true;
            drainCompiler();
        }
        long t2 = System.nanoTime();
        lastGcNanos = t1 - t0;
        lastJitNanos = t2 - t1;
        return new Quiet(excluded);
    }

    /** Bytes a child may allocate before it would need a GC it can never run. */
    public long edenFree() {
        MemoryUsage u = eden.getUsage();
        long capacity = u.getMax() > 0 ? u.getMax() : u.getCommitted();
        return capacity - u.getUsed();
    }

    long lastGcNanos() {
        return lastGcNanos;
    }

    long lastJitNanos() {
        return lastJitNanos;
    }

    boolean lastCollected() {
        return lastCollected;
    }

    /** Waits until the JIT has no compile running and every queue is empty. */
    private void drainCompiler() {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        String queue = dcmd("compilerQueue");
        while (!isDrained(queue)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the JIT did not finish its compiles within 30 s; queue:\n" + queue);
            }
            // The compiler threads need time to finish the method in hand; nothing to wait on.
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the JIT to drain", e);
            }
            queue = dcmd("compilerQueue");
        }
    }

    /**
     * The {@code Compiler.queue} report lists one line per running compile under
     * "Current compiles:" and one per queued method under each "... compile queue:";
     * an idle JIT prints only the headings and "Empty".
     */
    static boolean isDrained(String compilerQueueReport) {
        for (String line : compilerQueueReport.split("\n")) {
            String l = line.strip();
            if (!(l.isEmpty() || l.startsWith("Current compiles:") || l.endsWith("compile queue:") || l.equals("Empty"))) {
                return false;
            }
        }
        return true;
    }

    private String dcmd(String operation, String... args) {
        try {
            Object out = mbeans.invoke(diagnosticCommand, operation, new Object[] {args}, STRING_ARRAY_SIGNATURE);
            return out == null ? "" : out.toString();
        } catch (JMException e) {
            throw new IllegalStateException("diagnostic command " + operation + " failed: " + e, e);
        }
    }

    /** The JVM's quiet state; {@link #close()} (parent only) removes the exclude-all directive. */
    public final class Quiet implements AutoCloseable {
        private boolean excluded;

        private Quiet(boolean excluded) {
            this.excluded = excluded;
        }

        @Override
        public void close() {
            if (excluded) {
                excluded = false;
                dcmd("compilerDirectivesRemove");
            }
        }
    }
}
