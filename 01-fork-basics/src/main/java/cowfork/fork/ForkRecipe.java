// The recipe that makes a HotSpot JVM quiet enough to fork: flags, flush, GC, JIT excluded and drained, threads quiet.
package cowfork.fork;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Makes a HotSpot JVM quiet enough to fork: the steps of the recipe in the module
 * README ("The recipe"), each one the cure for a hang that was seen.
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
 *   <li>{@link Precaution#QUIET_THREADS}: wait until no other Java thread is running Java
 *       code (each is waiting, blocked, or inside a native call). A collection wakes the
 *       Reference Handler and Cleaner threads; a thread running Java code may hold a VM
 *       lock (the inline-cache lock was caught held this way) that the child will need.</li>
 * </ol>
 *
 * The JVM must also run with the flags in {@link #REQUIRED_FLAGS}; {@code ./cowfork}
 * and the build's surefire configuration pass them.
 */
public final class ForkRecipe {

    /** One step of the recipe; {@link Forker.Builder#without} turns one off to show why it exists. */
    public enum Precaution { FLUSH_STDIO, COLLECT_GARBAGE, QUIET_JIT, QUIET_THREADS }

    /** JVM options a forking JVM must run with, as "Name=value" for HotSpot's diagnostic bean. */
    public static final List<String> REQUIRED_FLAGS = List.of(
            "UseSerialGC=true", "UsePerfData=false", "GuaranteedSafepointInterval=0");

    /** How long other threads may keep running Java code before we give up on them (default). */
    static final long THREADS_TIMEOUT_NANOS = 10_000_000_000L;

    /** How long the JIT may take to finish what it is compiling before we give up. */
    private static final long DRAIN_TIMEOUT_NANOS = 30_000_000_000L;

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";
    private static final String[] STRING_ARRAY_SIGNATURE = {String[].class.getName()};

    /** The directive file, written once per JVM (a child that forks again must not create files). */
    private static Path excludeAllDirective;

    private final Set<Precaution> precautions;
    private final long childHeapBudget;
    private final long threadsTimeoutNanos;
    /** Null in a JVM whose collector has no eden (Shenandoah, ZGC); then the recipe has no GC step. */
    private final MemoryPoolMXBean eden;
    private MBeanServer mbeans;
    private ObjectName diagnosticCommand;

    /** Nanoseconds spent in each step by the most recent {@link #quiet()}; for fork-stress. */
    private long lastGcNanos;
    private long lastQuietNanos;
    private boolean lastCollected;

    ForkRecipe(Set<Precaution> precautions, long childHeapBudget) {
        this(precautions, childHeapBudget, THREADS_TIMEOUT_NANOS);
    }

    /** With a shorter wait for quiet threads: tests use it to make that step fail fast. */
    ForkRecipe(Set<Precaution> precautions, long childHeapBudget, long threadsTimeoutNanos) {
        this.precautions = precautions.isEmpty() ? EnumSet.noneOf(Precaution.class) : EnumSet.copyOf(precautions);
        this.childHeapBudget = childHeapBudget;
        this.threadsTimeoutNanos = threadsTimeoutNanos;
        if (this.precautions.contains(Precaution.QUIET_JIT)) {
            prepareJitControl();
        }
        this.eden = edenPool().orElse(null);
        if (eden == null && this.precautions.contains(Precaution.COLLECT_GARBAGE)) {
            throw new IllegalStateException("this JVM's collector has no eden memory pool, so the recipe cannot tell"
                    + " whether a child has room to allocate: run with -XX:+UseSerialGC, or leave out COLLECT_GARBAGE"
                    + " for a child that allocates next to nothing (Forker.Builder.without)");
        }
    }

    private static java.util.Optional<MemoryPoolMXBean> edenPool() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getName().contains("Eden")).findFirst();
    }

    /**
     * The most a child forked from this JVM can ever allocate: the whole eden, free after a
     * collection (-Xmn sizes it); -1 if this JVM's collector has no eden.
     */
    public static long edenCapacity() {
        return edenPool().map(p -> capacity(p.getUsage())).orElse(-1L);
    }

    private static long capacity(MemoryUsage u) {
        return u.getMax() > 0 ? u.getMax() : u.getCommitted();
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
            String have;
            try {
                have = hotspot.getVMOption(name).getValue();
            } catch (IllegalArgumentException invisible) {
                // A diagnostic flag does not even exist for the bean until
                // -XX:+UnlockDiagnosticVMOptions: then it is missing, and the advice says so.
                have = null;
            }
            if (!want.equals(have)) {
                missing.append(' ').append(asCommandLine(name, want));
            }
        }
        if (missing.length() > 0) {
            throw new IllegalStateException("this JVM is not set up to fork safely; start it with"
                    + missing + " (./cowfork does this for you; see 01-fork-basics/README.md)");
        }
    }

    /**
     * {@code java <this JVM's fork flags> -cp <this class path> mainClass}: the start of the command
     * line of another JVM that may fork, started as this one was (a mutable list: add the program's
     * arguments). The flags are this JVM's -XX: and -Xmn options and the native-access options of
     * JDK 22+, so a JVM started by a test or a tool runs with the recipe's flags too.
     */
    public static List<String> javaCommand(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:") || a.startsWith("-Xmn") || a.startsWith("--enable-native-access")
                    || a.startsWith("--sun-misc-unsafe")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return cmd;
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
     *
     * @throws IllegalStateException if the JIT does not drain or other threads do not go
     *         quiet in time. The exclude-all directive is removed again before the exception
     *         leaves: a directive left behind would silently stop this JVM from ever
     *         compiling another method.
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
        try {
            if (precautions.contains(Precaution.QUIET_JIT)) {
                dcmd("compilerDirectivesAdd", excludeAllDirective.toString());
                excluded = true;
                drainCompiler();
            }
            if (precautions.contains(Precaution.QUIET_THREADS)) {
                awaitQuietThreads();
            }
        } catch (RuntimeException | Error e) {
            // No fork follows, so no Quiet handle will ever remove the directive: do it here.
            if (excluded) {
                try {
                    dcmd("compilerDirectivesRemove");
                } catch (RuntimeException removeFailed) {
                    e.addSuppressed(removeFailed);
                }
            }
            throw e;
        }
        long t2 = System.nanoTime();
        lastGcNanos = t1 - t0;
        lastQuietNanos = t2 - t1;
        return new Quiet(excluded);
    }

    /**
     * Bytes a child may allocate before it would need a GC it can never run; 0 in a JVM whose
     * collector has no eden (Shenandoah, ZGC), where no amount is known to be safe.
     */
    public long edenFree() {
        if (eden == null) {
            return 0;
        }
        MemoryUsage u = eden.getUsage();
        return capacity(u) - u.getUsed();
    }

    long lastGcNanos() {
        return lastGcNanos;
    }

    long lastQuietNanos() {
        return lastQuietNanos;
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
     * Waits until every other live Java thread is waiting, blocked, or running native code.
     * Such a thread holds no VM-internal lock; one running Java code might (resolving a
     * call site takes the inline-cache lock, allocating a new TLAB takes the heap lock).
     * Each look at the threads is two reads ({@link #busyThreads}): the first, of states
     * only, needs no VM operation; the second takes one stack frame from each thread still
     * RUNNABLE, which HotSpot does in a VM operation (a thread dump) that the VM thread runs
     * at a safepoint. The JVM's own Signal Dispatcher is such a thread, so expect one
     * safepoint per look. It ends before this method returns, so it is over before the
     * fork, while the parent's VM thread is still there to end it.
     *
     * @throws IllegalStateException naming the threads, if they keep running Java code
     *         for 10 s (the default): stop your own threads and executors before forking.
     */
    private void awaitQuietThreads() {
        long deadline = System.nanoTime() + threadsTimeoutNanos;
        long self = Thread.currentThread().getId();
        while (true) {
            String busy = busyThreads(self);
            if (busy.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("threads kept running Java code for " + threadsTimeoutNanos / 1_000_000
                        + " ms, so forking now could copy"
                        + " a lock they hold:" + busy + ". Stop and join your threads and executors before fork.");
            }
            Thread.onSpinWait();
            Thread.yield(); // let them finish what they are doing; nothing to wait on
        }
    }

    /**
     * The names of threads that may be running Java code now. A first look without stacks
     * finds the RUNNABLE ones outside native code; a second, with one frame each, lets off
     * those parked inside the VM (the JVM's own Signal Dispatcher and Notification threads
     * have no Java frame; the Reference Handler waits in a native method).
     */
    private static String busyThreads(long self) {
        java.util.List<Long> candidates = new java.util.ArrayList<>();
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds(), 0)) {
            if (t != null && t.getThreadId() != self && t.getThreadState() == Thread.State.RUNNABLE && !t.isInNative()) {
                candidates.add(t.getThreadId());
            }
        }
        StringBuilder busy = new StringBuilder();
        if (candidates.isEmpty()) {
            return "";
        }
        long[] ids = candidates.stream().mapToLong(Long::longValue).toArray();
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(ids, 1)) {
            if (t == null || t.getThreadState() != Thread.State.RUNNABLE || t.isInNative()) {
                continue;
            }
            StackTraceElement[] top = t.getStackTrace();
            if (top.length > 0 && !top[0].isNativeMethod()) {
                busy.append(" '").append(t.getThreadName()).append("' at ").append(top[0]);
            }
        }
        return busy.toString();
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

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
