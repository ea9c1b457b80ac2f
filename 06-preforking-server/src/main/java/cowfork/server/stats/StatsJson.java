// The /stats and /dashboard/data documents read back into records with a JSON parser, for the demo, watch and the tests.
package cowfork.server.stats;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import cowfork.support.StrictJson;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads what {@link StatsReport#toJson()} and {@link DashboardData} write, the way a script
 * would: with a parser ({@link StrictJson}), so the order of the fields does not matter and
 * fields added later are ignored. A field named here that is missing, or of another type, is an
 * {@link IllegalArgumentException} naming it ({@code the /stats document: processes[0].pid: missing}).
 * Only tools outside the server use this: the server itself writes its documents by hand.
 */
public final class StatsJson {
    private StatsJson() {}

    /** The /stats document, sizes in KiB. */
    public record Stats(String refcounts, long items, int workers, long totalPssKb, long masterRssKb,
                        List<Process> processes) {
        /** One process: "master" (slot 0) or "worker N". */
        public record Process(String name, int slot, int pid, String state, long requests, int restarts,
                              long javaHeapAllocatedBytes, long javaHeapLeftBytes, int connections,
                              Map<String, Region> memoryKb) {
            /** The figures of {@code memoryClass}: "object_heap", "refcount_table", "java_heap", "other", "total". */
            public Region region(String memoryClass) {
                return StatsJson.region(memoryKb, memoryClass, name);
            }
        }

        /** @throws IllegalArgumentException naming the process and those there are, if there is no such process */
        public Process process(String name) {
            return find(processes, Process::name, name);
        }
    }

    /** The /dashboard/data document: {@link Stats}'s figures and each process's object-heap pages. */
    public record Dashboard(String refcounts, long items, int workers, long round, long uptimeMs, int pageKb,
                            int objectHeapPages, List<Process> processes) {
        /** One process; {@code pages} is null when its page map could not be read. */
        public record Process(String name, int slot, int pid, String state, long requests, int restarts,
                              Map<String, Region> memoryKb, @JsonSetter(nulls = Nulls.SET) Pages pages) {
            public Region region(String memoryClass) {
                return StatsJson.region(memoryKb, memoryClass, name);
            }
        }

        /** @throws IllegalArgumentException naming the process and those there are, if there is no such process */
        public Process process(String name) {
            return find(processes, Process::name, name);
        }
    }

    /** Rss, Pss and private KiB of one class of memory of one process. */
    public record Region(@JsonProperty("rss") long rssKb, @JsonProperty("pss") long pssKb,
                         @JsonProperty("private") long privateKb) {}

    /** Pages of the object heap by state, and the strip: one character per page ({@code -#.S}). */
    public record Pages(int shared, @JsonProperty("private") int privat, int notPresent, int swapped, String map) {
        public int total() {
            return shared + privat + notPresent + swapped;
        }
    }

    /** @throws IllegalArgumentException if {@code json} is not a /stats document (the message names the field) */
    public static Stats stats(String json) {
        return StrictJson.read(json, Stats.class, "the /stats document");
    }

    /** @throws IllegalArgumentException if {@code json} is not a /dashboard/data document (the message names the field) */
    public static Dashboard dashboard(String json) {
        return StrictJson.read(json, Dashboard.class, "the /dashboard/data document");
    }

    private static Region region(Map<String, Region> memory, String memoryClass, String process) {
        Region r = memory.get(memoryClass);
        if (r == null) {
            throw new IllegalArgumentException("no memory class " + memoryClass + " for " + process + " (it has "
                    + memory.keySet() + ")");
        }
        return r;
    }

    private static <P> P find(List<P> processes, Function<P, String> name, String wanted) {
        for (P p : processes) {
            if (name.apply(p).equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException(wanted + " is not among the processes " + processes.stream().map(name).toList());
    }
}
