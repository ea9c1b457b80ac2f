// A pre-forking server whose copy-on-write figures are known in advance: this JVM maps and fills a region, its forked children write chosen pages.
package cowfork.inspect;

import cowfork.cow.ChildSnapshot;
import cowfork.cow.Region;
import cowfork.cow.Workloads;
import cowfork.fork.ChildHandle;
import cowfork.fork.Forker;
import java.util.ArrayList;
import java.util.List;

/**
 * The smallest pre-forking server: this JVM is the master; it maps a {@link Region} of
 * {@code pages} pages and writes every one, then forks {@code workers} children. In each round,
 * child {@code i} writes one byte into each of {@code pagesPerRound} pages of its own (pages
 * i, i + workers, i + 2 workers... of that round's slice), says "ready" and waits. So after
 * {@code r} rounds the figures are known exactly:
 * <pre>
 *   each worker's region mapping   Private_Dirty = r x pagesPerRound x 4 kB
 *   the master's                   Private = 0 (every original is still mapped by another worker)
 *   the tree's Pss of the region   (pages + workers x r x pagesPerRound) x 4 kB
 * </pre>
 * (with at least two workers: a page one worker copied is still shared by the master and the others).
 */
final class ForkedTree implements AutoCloseable {
    static final Forker FORKER = Forker.builder().warmUp(Workloads::warmUp).build();

    final Region region;
    final List<ChildHandle> workers = new ArrayList<>();
    final int pagesPerRound;
    private int rounds;

    private ForkedTree(Region region, int pagesPerRound) {
        this.region = region;
        this.pagesPerRound = pagesPerRound;
    }

    /**
     * Maps and fills the region, forks the workers, and waits until each has written its first round.
     *
     * @throws IllegalArgumentException if the region cannot hold {@code rounds} rounds
     */
    static ForkedTree start(int pages, int workers, int pagesPerRound, int maxRounds) {
        if ((long) workers * pagesPerRound * maxRounds > pages || workers < 2) {
            throw new IllegalArgumentException(workers + " workers x " + pagesPerRound + " pages x " + maxRounds
                    + " rounds do not fit " + pages + " pages (or fewer than two workers)");
        }
        ForkedTree tree = new ForkedTree(Region.allocate((long) pages * Region.PAGE_SIZE), pagesPerRound);
        try {
            tree.region.fill(0, tree.region.size(), (byte) 7);
            int n = workers;
            int per = pagesPerRound;
            for (int i = 0; i < workers; i++) {
                int first = i;
                Region r = tree.region;
                tree.workers.add(FORKER.start(child -> {
                    for (int round = 0; ; round++) {
                        long slice = (long) round * n * per;
                        Workloads.writeEvery(r, n, slice + first, slice + (long) n * per, (byte) 9);
                        child.send("ready");
                        byte[] next = child.receive();
                        if (next.length == 0 || next[0] != 'm') {
                            return new byte[0]; // "done"
                        }
                    }
                }));
            }
            tree.awaitRound();
            return tree;
        } catch (RuntimeException e) {
            tree.close();
            throw e;
        }
    }

    /** Every worker writes one more round; returns when all have. */
    void writeMore() {
        for (ChildHandle w : workers) {
            w.send("more");
        }
        awaitRound();
    }

    private void awaitRound() {
        for (ChildHandle w : workers) {
            ChildSnapshot.awaitReady(w);
        }
        rounds++;
    }

    /** Pages each worker has written so far. */
    int writtenPerWorker() {
        return rounds * pagesPerRound;
    }

    /** Tells worker {@code i} to finish, and reaps it: afterwards its pid is gone from /proc. */
    void end(int i) {
        ChildHandle w = workers.get(i);
        w.send("done");
        w.await().orThrow();
    }

    List<Integer> pids() {
        return workers.stream().map(ChildHandle::pid).toList();
    }

    @Override
    public void close() {
        for (ChildHandle w : workers) {
            w.close();
        }
        region.close();
    }
}
