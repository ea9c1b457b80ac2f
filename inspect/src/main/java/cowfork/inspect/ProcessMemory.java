// One process's memory as one sample read it: totals, and (when the view needs them) its regions and mappings.
package cowfork.inspect;

import cowfork.cow.Smaps;
import java.util.List;
import java.util.Map;

/**
 * What one sample read of one process, in kB as the kernel prints them:
 * <pre>
 *   total      smaps_rollup's fields (totals only), or the sum over every mapping of smaps
 *   regions    the sums by region ({@link Regions}); null when only totals were read
 *   mappings   every mapping of smaps with its region, in address order; empty when only totals were read
 *   rollup     with --check, smaps_rollup read right after smaps: the kernel's own sums to compare; else null
 * </pre>
 */
record ProcessMemory(ProcessTree.Member member, Smaps.Fields total, Map<String, Smaps.Fields> regions,
                     List<Smaps.Mapping> mappings, List<String> mappingRegions, Smaps.Fields rollup) {

    /** This reading with smaps_rollup's figures beside it. */
    ProcessMemory withRollup(Smaps.Fields kernelSums) {
        return new ProcessMemory(member, total, regions, mappings, mappingRegions, kernelSums);
    }

    /** Pages of this process's own: Private_Clean + Private_Dirty (what copy-on-write has cost it, and more). */
    static long privateKb(Smaps.Fields f) {
        return f.privateCleanKb() + f.privateDirtyKb();
    }

    /** Pages it maps that another process maps too: Shared_Clean + Shared_Dirty. */
    static long sharedKb(Smaps.Fields f) {
        return f.sharedCleanKb() + f.sharedDirtyKb();
    }

    int pid() {
        return member.pid();
    }

    ProcessTree.Role role() {
        return member.role();
    }

    /** Whether the regions were read (a view that shows them asked for smaps, not smaps_rollup). */
    boolean hasRegions() {
        return regions != null;
    }
}
