// What the demo's processes do to a region after fork: read it all, or write one byte in some of its pages.
package cowfork.cow;

/**
 * The loops a forked child (or the parent) runs over a {@link Region}. They allocate
 * nothing on the Java heap, so a child can run them within any heap budget, and
 * {@link #warmUp()} runs each of them in the parent first so that a child never needs
 * the class loader or the JIT (see module 01, "The recipe").
 */
public final class Workloads {
    private Workloads() {}

    /**
     * Reads every byte of the region (eight at a time) and returns their sum, so the
     * loads cannot be skipped. Reading never copies a page.
     */
    public static long readAll(Region region) {
        long sum = 0;
        for (long offset = 0; offset < region.size(); offset += 8) {
            sum += region.getLong(offset);
        }
        return sum;
    }

    /**
     * Writes one byte into every {@code k}-th page, starting at page {@code first}
     * (pages first, first + k, first + 2k, ... below {@code endPage}), and returns how
     * many pages it wrote. The byte goes in the middle of the page: one byte anywhere in
     * a page makes the kernel copy all 4096.
     *
     * @throws IllegalArgumentException unless k >= 1 and 0 <= first
     */
    public static int writeEvery(Region region, int k, long first, long endPage, byte value) {
        if (k < 1 || first < 0) {
            throw new IllegalArgumentException("write every k-th page needs k >= 1 and a first page >= 0, got k=" + k
                    + ", first=" + first);
        }
        long end = Math.min(endPage, region.pages());
        int written = 0;
        for (long page = first; page < end; page += k) {
            region.putByte(page * Region.PAGE_SIZE + Region.PAGE_SIZE / 2, value);
            written++;
        }
        return written;
    }

    /** How many pages {@link #writeEvery} writes for the same arguments. */
    public static int countEvery(Region region, int k, long first, long endPage) {
        long end = Math.min(endPage, region.pages());
        return end <= first ? 0 : (int) ((end - first + k - 1) / k);
    }

    /**
     * Writes {@code values[i]} at {@code offsets[i]} for every i.
     *
     * @throws IllegalArgumentException if the arrays differ in length
     * @throws IndexOutOfBoundsException if an offset lies outside the region
     */
    public static void writeBytes(Region region, long[] offsets, byte[] values) {
        if (offsets.length != values.length) {
            throw new IllegalArgumentException(offsets.length + " offsets but " + values.length + " values");
        }
        for (int i = 0; i < offsets.length; i++) {
            region.putByte(offsets[i], values[i]);
        }
    }

    /**
     * Runs every loop above in this process, often enough for the JIT to compile them,
     * on a scratch region that is unmapped afterwards. Call it before forking children
     * that run them.
     */
    public static void warmUp() {
        try (Region scratch = Region.allocate(256 * Region.PAGE_SIZE)) {
            long sum = 0;
            for (int round = 0; round < 40; round++) {
                sum += readAll(scratch);
                sum += writeEvery(scratch, 1 + round % 8, round % 3, scratch.pages(), (byte) round);
                sum += countEvery(scratch, 1 + round % 8, 0, scratch.pages());
                writeBytes(scratch, new long[] {round, 4096L + round}, new byte[] {1, 2});
            }
            if (sum == 42) { // keep the loops' results alive; never true in practice
                scratch.putByte(0, (byte) 1);
            }
        }
    }
}
