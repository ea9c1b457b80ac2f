// A named range of virtual addresses: how the stats tell the object heap's pages from the Java heap's and the rest.
package cowfork.server.stats;

/**
 * {@code [start, end)} in a process's address space, with the name the memory report gives
 * the pages in it. A child inherits its parent's mappings at the same addresses, so a
 * range taken in the master holds in every worker.
 */
public record AddressRange(String name, long start, long end) {
    public AddressRange {
        if (Long.compareUnsigned(start, end) > 0) {
            throw new IllegalArgumentException("address range " + name + " ends (0x" + Long.toHexString(end)
                    + ") before it starts (0x" + Long.toHexString(start) + ")");
        }
    }

    /** Whether {@code address} lies in the range. */
    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    @Override
    public String toString() {
        return name + " [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")";
    }
}
