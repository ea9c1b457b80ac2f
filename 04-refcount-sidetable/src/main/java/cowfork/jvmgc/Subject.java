// Runs inside one measured JVM: builds a live set, forks a parked child before each event, prints what the event un-shared.
package cowfork.jvmgc;

import cowfork.cow.PageMap;
import cowfork.cow.PageState;
import cowfork.fork.ChildHandle;
import cowfork.fork.ExitStatus;
import cowfork.fork.ForkRecipe;
import cowfork.fork.Forker;
import cowfork.support.Processes;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The measured JVM's side of {@link JvmCollectors}: started by it with one collector and
 * a fixed, pre-touched heap, it builds a live set (a binary tree of small objects), moves
 * it into the old generation with {@code System.gc()}, leaves some garbage in the young
 * generation, and then for each event:
 * <pre>
 *   fork an idle child          the child holds every page as it was at fork
 *   snapshot A                  heap pages shared with the child (pagemap bit 56 clear)
 *   run the event               young | full | concurrent | cycle (then a read-only walk)
 *   snapshot B                  which of A's pages are no longer shared
 *   release the child
 * </pre>
 * and prints one {@code jvm-gc:} line per event to standard output. No old object refers
 * to a young one when the events run: the tree is built, then promoted, then left alone.
 *
 * <p>A heap that is a shared mapping (ZGC's: a {@code MAP_SHARED} memfd) is not copied on
 * write at all: parent and child would write the same physical pages, and in this project's
 * runs that crashed one or the other. Such a JVM does not fork unless the last argument is
 * {@code fork-shared-heap}; it prints one {@code event=not-forked} line instead.
 *
 * <p>Usage: {@code Subject COLLECTOR LIVE_MB EVENT[,EVENT...] [fork-shared-heap]}, e.g.
 * {@code Subject Serial 64 none,young,full}. {@code -Dcowfork.jvmgc.trace=true} prints
 * when each setup step ended, to standard error.
 */
public final class Subject {
    /** A tree node: two references, a long and an int, 32 bytes with compressed pointers. */
    static final class Node {
        final Node left;
        final Node right;
        final long payload;
        final int id;

        Node(Node left, Node right, long payload, int id) {
            this.left = left;
            this.right = right;
            this.payload = payload;
            this.id = id;
        }
    }

    /** Bytes one {@link Node} takes with compressed class pointers and oops (12-byte header). */
    static final int NODE_BYTES = 32;

    /** How long the child may take to say it waits, and to exit once released; then it is killed. */
    private static final Duration CHILD_DEADLINE = Duration.ofSeconds(10);
    private static final Duration RELEASE_GRACE = Duration.ofSeconds(5);

    private Subject() {}

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4 || args.length == 4 && !args[3].equals("fork-shared-heap")) {
            System.err.println("usage: Subject COLLECTOR LIVE_MB EVENT[,EVENT...] [fork-shared-heap]"
                    + "  (events: none young full concurrent cycle)");
            System.exit(2);
        }
        String collector = args[0];
        int liveMb = Integer.parseInt(args[1]);
        List<String> events = List.of(args[2].split(","));
        for (String e : events) {
            if (!List.of("none", "young", "full", "concurrent", "cycle").contains(e)) {
                System.err.println("unknown event '" + e + "': use none, young, full, concurrent or cycle");
                System.exit(2);
            }
        }
        // Asked once: the reserved ranges never move. Also loads what asking needs, so that
        // it is old before the tree is built.
        List<HeapLayout.Range> heap = HeapLayout.ofThisJvm().heap();
        trace("layout");
        System.gc();
        Optional<HeapLayout.Range> oldBeforeTree = HeapLayout.oldInUseNow();
        trace("gc1");
        Node live = build(depthFor(liveMb), 0);
        trace("build");
        System.gc(); // moves the live set into the old generation (or, for ZGC and Shenandoah, compacts it)
        HeapLayout layout = new HeapLayout(heap, treePages(oldBeforeTree, HeapLayout.oldInUseNow()));
        trace("gc2");
        garbage(Math.max(1, liveMb / 4));
        trace("garbage");
        // Chapter 01's forker, for a JVM that may run any collector: no check for the recipe's
        // Serial GC flags, and no collection before a fork, which would change the heap being
        // measured. It still flushes stdio, quiets the JIT and the other Java threads, and forks
        // again a child stuck in the return from fork(); its idle child (Forker.startIdle) runs
        // only code warmed up here, so it never needs the class loader, the JIT or a collection
        // (NOTES.md, "Why the child is safe").
        Forker forker = Forker.builder().checkFlags(false).without(ForkRecipe.Precaution.COLLECT_GARBAGE).build();
        forker.warmUp(); // now, so its allocations and class loading fall in no event's counts
        String mapping = Snapshot.take(layout).mapping();
        if (mapping.equals("shared") && args.length < 4) {
            System.out.println("jvm-gc: jdk=" + Runtime.version().feature() + " collector=" + collector
                    + " event=not-forked live_mb=" + liveMb + " heap_pages_shared_at_fork=0 unshared_after=0"
                    + " live_pages=- live_unshared=- heap_pages=" + layout.heapPages() + " mapping=shared gcs=none"
                    + " event_ms=0 child=none");
            return;
        }
        for (String event : events) {
            for (String line : measure(forker, collector, liveMb, event, live, layout)) {
                System.out.println(line);
            }
        }
        System.out.flush();
    }

    /**
     * The whole pages the tree fills in the old generation, when that generation is one
     * contiguous space (Serial, Parallel): a full collection slides objects down in address
     * order, so the tree, allocated after everything already old, lands just above it.
     */
    static Optional<HeapLayout.Range> treePages(Optional<HeapLayout.Range> before, Optional<HeapLayout.Range> after) {
        if (before.isEmpty() || after.isEmpty()) {
            return Optional.empty();
        }
        long start = (before.get().end() + 4095) & ~4095L; // the page the tree starts in may hold older objects
        long end = after.get().end() & ~4095L;
        return end > start ? Optional.of(new HeapLayout.Range(start, end)) : Optional.empty();
    }

    private static final long T0 = System.nanoTime();

    /** With -Dcowfork.jvmgc.trace=true: "trace: build at 1243 ms" (since this class was loaded) on standard error. */
    static void trace(String what) {
        if (Boolean.getBoolean("cowfork.jvmgc.trace")) {
            System.err.println("trace: " + what + " at " + (System.nanoTime() - T0) / 1_000_000 + " ms");
        }
    }

    /** Depth of a full binary tree of {@link Node}s that fills about {@code liveMb} MiB. */
    static int depthFor(int liveMb) {
        long nodes = ((long) liveMb << 20) / NODE_BYTES;
        return 63 - Long.numberOfLeadingZeros(nodes + 1);
    }

    private static Node build(int depth, int id) {
        if (depth == 0) {
            return null;
        }
        return new Node(build(depth - 1, 2 * id + 1), build(depth - 1, 2 * id + 2), id * 31L, id);
    }

    /** Sums the tree without writing to it. */
    static long walk(Node n) {
        long sum = 0;
        while (n != null) {
            sum += n.payload + walk(n.right);
            n = n.left;
        }
        return sum;
    }

    /** Allocates about {@code mb} MiB of short-lived arrays; returns something so the JIT keeps them. */
    private static int garbage(int mb) {
        int h = 0;
        for (int i = 0; i < mb * 1024; i++) {
            byte[] b = new byte[1000];
            b[i % 1000] = (byte) i;
            h += b[0];
        }
        return h;
    }

    /**
     * Forks, snapshots, runs {@code event}, snapshots again; one line per snapshot after the
     * event, each ending with how the child ended once released ({@code child=}).
     */
    private static List<String> measure(Forker forker, String collector, int liveMb, String event, Node live,
                                        HeapLayout layout) {
        List<String> lines = new ArrayList<>();
        ChildHandle child = forker.startIdle(CHILD_DEADLINE);
        boolean sharedHeap = false;
        try {
            // Counted from here: a collection before snapshot A (one the fork's own allocations
            // caused, say) is already in A, and un-shares nothing the line counts.
            Map<String, Long> gcsBefore = collections();
            Snapshot atFork = Snapshot.take(layout);
            sharedHeap = atFork.mapping().equals("shared");
            long t0 = System.nanoTime();
            run(event);
            long t1 = System.nanoTime();
            Snapshot after = Snapshot.take(layout);
            lines.add(line(collector, liveMb, event, atFork, after, gcsBefore, t1 - t0));
            if (event.equals("cycle")) {
                long sum = walk(live); // reads only; a load barrier may still write
                Snapshot walked = Snapshot.take(layout);
                lines.add(line(collector, liveMb, "cycle+walk", atFork, walked, gcsBefore, System.nanoTime() - t1));
                if (sum == 42) {
                    System.err.print(""); // uses the sum, so the walk is not optimised away
                }
            }
        } finally {
            if (sharedHeap) {
                child.kill(); // released, it would run on objects the parent has moved (see the README)
            } else {
                release(child);
            }
        }
        String ending = " child=" + childEnding(child.result().status());
        return lines.stream().map(l -> l + ending).toList();
    }

    /**
     * Tells the idle child to go, and reaps it: it exits by itself, or, still there
     * {@link #RELEASE_GRACE} later, is killed. Never throws for the child's sake: a child that
     * died meanwhile (its pipe gone) is reported by {@code await}.
     */
    private static void release(ChildHandle child) {
        try {
            child.send("go");
        } catch (RuntimeException childGone) {
            // await says how it ended
        }
        child.await(RELEASE_GRACE);
    }

    /** "exited", "SIGKILL" (killed on purpose: shared heap), "SIGSEGV" (crashed), or "hung" (the watchdog killed it). */
    static String childEnding(ExitStatus status) {
        if (status instanceof ExitStatus.Exited e) {
            return e.code() == 0 ? "exited" : "exit-" + e.code();
        }
        if (status instanceof ExitStatus.Signaled s) {
            return s.signalName();
        }
        return "hung";
    }

    private static void run(String event) {
        switch (event) {
            case "none" -> { } // the baseline: what measuring and the JVM's own threads un-share
            case "young" -> youngCollection();
            default -> System.gc(); // full; concurrent with -XX:+ExplicitGCInvokesConcurrent; ZGC/Shenandoah: a cycle
        }
    }

    /**
     * Allocates short-lived arrays until some collection has run: with the live set in the
     * old generation, that is a young collection. Nothing old is written: the arrays are
     * referenced only from this frame.
     */
    private static void youngCollection() {
        Map<String, Long> before = collections();
        byte[] keep = null;
        int h = 0;
        while (collections().equals(before)) {
            for (int i = 0; i < 1000; i++) {
                keep = new byte[1000];
                keep[i % 1000] = (byte) i;
            }
            h += keep[0];
        }
        if (h == 42) {
            System.out.print(""); // uses h, so the arrays are not optimised away
        }
    }

    /** Collections so far, per collector bean ("Copy", "PS Scavenge", "G1 Young Generation", ...). */
    static Map<String, Long> collections() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            m.put(gc.getName().replace(' ', '_'), gc.getCollectionCount());
        }
        return m;
    }

    private static String line(String collector, int liveMb, String event, Snapshot atFork, Snapshot after,
                               Map<String, Long> gcsBefore, long nanos) {
        Map<String, Long> now = collections();
        StringBuilder gcs = new StringBuilder();
        now.forEach((name, count) -> {
            long d = count - gcsBefore.getOrDefault(name, 0L);
            if (d > 0) {
                gcs.append(gcs.length() == 0 ? "" : ",").append(name).append('+').append(d);
            }
        });
        String livePart = atFork.old.isPresent()
                ? " live_pages=" + sharedIn(atFork.old.get()) + " live_unshared=" + unshared(atFork.old.get(), after.old.get())
                : " live_pages=- live_unshared=-";
        return "jvm-gc: jdk=" + Runtime.version().feature() + " collector=" + collector + " event=" + event
                + " live_mb=" + liveMb + " heap_pages_shared_at_fork=" + atFork.sharedInHeap()
                + " unshared_after=" + atFork.unsharedInHeap(after) + livePart
                + " heap_pages=" + atFork.layout.heapPages() + " mapping=" + atFork.mapping()
                + " gcs=" + (gcs.length() == 0 ? "none" : gcs) + " event_ms=" + nanos / 1_000_000;
    }

    /** The heap's page maps (and the old generation's in-use part's) at one moment. */
    record Snapshot(HeapLayout layout, List<PageMap> heap, Optional<PageMap> old) {
        static Snapshot take(HeapLayout layout) {
            int self = Processes.self();
            List<PageMap> heap = new ArrayList<>();
            for (HeapLayout.Range r : layout.heap()) {
                heap.add(PageMap.of(self, r.start(), r.length()));
            }
            return new Snapshot(layout, heap, layout.oldInUse().map(r -> PageMap.of(self, r.start(), r.length())));
        }

        long sharedInHeap() {
            return heap.stream().mapToLong(Subject::sharedIn).sum();
        }

        long unsharedInHeap(Snapshot later) {
            long n = 0;
            for (int i = 0; i < heap.size(); i++) {
                n += unshared(heap.get(i), later.heap.get(i));
            }
            return n;
        }

        /** "shared" when the heap is a MAP_SHARED mapping (pagemap bit 61), which fork never copies; else "private". */
        String mapping() {
            for (PageMap m : heap) {
                for (int i = 0; i < m.pages(); i++) {
                    if (m.state(i) != PageState.NOT_PRESENT) {
                        return (m.entry(i) & (1L << 61)) != 0 ? "shared" : "private";
                    }
                }
            }
            return "none";
        }
    }

    static long sharedIn(PageMap m) {
        return m.count(PageState.SHARED);
    }

    /** Pages shared in {@code atFork} that are not shared in {@code later}: copied, or given back. */
    static long unshared(PageMap atFork, PageMap later) {
        long n = 0;
        for (int i = 0; i < atFork.pages(); i++) {
            if (atFork.state(i) == PageState.SHARED && later.state(i) != PageState.SHARED) {
                n++;
            }
        }
        return n;
    }
}
