// How fast each process's pages go private: growth per minute since it was first seen, by region and by mapping.
package cowfork.inspect;

import cowfork.cow.Smaps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Remembers each process's first reading and turns later ones into rates:
 * <pre>
 *   rate = (private kB now - private kB when first seen) / minutes since first seen
 * </pre>
 * per process and region, and per mapping summed over the workers ("which mapping is going
 * private fastest"). A worker that appears later (one replaced, or added) is measured from
 * its own first sample. Private is Private_Clean + Private_Dirty: in a forked worker, a page
 * goes private when it is copied on write, or when its sharers exit.
 */
final class Growth {
    /**
     * One process's private growth per minute, in kB, by region and in all, since it was first seen;
     * and in all over the last interval ({@code recent}, 0 when {@code recentMinutes} is 0): a decay
     * that has stopped shows as a high rate since start and none now.
     */
    record Rates(ProcessMemory now, double minutes, Map<String, Double> byRegion, double total, double recentMinutes,
                 double recent) {}

    /** A mapping's private growth per minute, summed over the workers that map it, and per worker on average. */
    record MappingRate(String description, double kbPerMinute, int workers) {
        double perWorker() {
            return kbPerMinute / workers;
        }
    }

    /** What changed since the previous sample: rates, and the workers that exited or appeared. */
    record Update(List<Rates> rates, List<MappingRate> fastest, Set<Integer> exited, Set<Integer> started) {}

    private final Map<Integer, ProcessMemory> first = new HashMap<>();
    private final Map<Integer, Double> firstSeenS = new HashMap<>();
    private final Map<Integer, Map<String, Long>> firstByMapping = new HashMap<>();
    private final Map<Integer, ProcessMemory> last = new HashMap<>();
    private final Map<Integer, Double> lastSeenS = new HashMap<>();
    private Set<Integer> previous;

    /** Takes in {@code s}: the first sample of each process becomes its baseline. */
    Update update(Sample s) {
        Set<Integer> now = new TreeSet<>();
        List<Rates> rates = new ArrayList<>();
        Map<String, double[]> mappingRates = new LinkedHashMap<>(); // key -> {kB per minute, workers}
        Map<String, String> descriptions = new HashMap<>();
        for (ProcessMemory p : s.processes()) {
            now.add(p.pid());
            if (!first.containsKey(p.pid())) {
                first.put(p.pid(), p);
                firstSeenS.put(p.pid(), s.elapsedS());
                firstByMapping.put(p.pid(), privateByMapping(p));
            }
            double minutes = (s.elapsedS() - firstSeenS.get(p.pid())) / 60;
            ProcessMemory base = first.get(p.pid());
            Map<String, Double> byRegion = new LinkedHashMap<>();
            if (p.hasRegions()) {
                for (Map.Entry<String, Smaps.Fields> r : p.regions().entrySet()) {
                    Smaps.Fields before = base.regions().getOrDefault(r.getKey(), Smaps.Fields.ZERO);
                    byRegion.put(r.getKey(), rate(ProcessMemory.privateKb(r.getValue()) - ProcessMemory.privateKb(before), minutes));
                }
            }
            double total = rate(ProcessMemory.privateKb(p.total()) - ProcessMemory.privateKb(base.total()), minutes);
            ProcessMemory previousReading = last.getOrDefault(p.pid(), p);
            double recentMinutes = (s.elapsedS() - lastSeenS.getOrDefault(p.pid(), s.elapsedS())) / 60;
            double recent = rate(ProcessMemory.privateKb(p.total()) - ProcessMemory.privateKb(previousReading.total()), recentMinutes);
            rates.add(new Rates(p, minutes, byRegion, total, recentMinutes, recent));
            last.put(p.pid(), p);
            lastSeenS.put(p.pid(), s.elapsedS());
            if (p.role() == ProcessTree.Role.WORKER && minutes > 0) {
                Map<String, Long> before = firstByMapping.get(p.pid());
                for (int i = 0; i < p.mappings().size(); i++) {
                    Smaps.Mapping m = p.mappings().get(i);
                    String key = key(m);
                    long grew = ProcessMemory.privateKb(m.fields()) - before.getOrDefault(key, 0L);
                    double[] acc = mappingRates.computeIfAbsent(key, k -> new double[2]);
                    acc[0] += grew / minutes;
                    acc[1]++;
                    descriptions.putIfAbsent(key, Regions.describe(m, p.mappingRegions().get(i)));
                }
            }
        }
        List<MappingRate> fastest = new ArrayList<>();
        mappingRates.forEach((k, v) -> fastest.add(new MappingRate(descriptions.get(k), v[0], (int) v[1])));
        fastest.sort(Comparator.comparingDouble(MappingRate::kbPerMinute).reversed());
        Set<Integer> exited = new TreeSet<>();
        Set<Integer> started = new TreeSet<>();
        if (previous != null) {
            previous.stream().filter(pid -> !now.contains(pid)).forEach(exited::add);
            now.stream().filter(pid -> !previous.contains(pid)).forEach(started::add);
        }
        last.keySet().retainAll(now);
        lastSeenS.keySet().retainAll(now);
        previous = now;
        return new Update(rates, fastest, exited, started);
    }

    private static double rate(long kb, double minutes) {
        return minutes > 0 ? kb / minutes : 0;
    }

    /** A mapping's identity across samples and across forked workers (which inherit the master's addresses). */
    private static String key(Smaps.Mapping m) {
        return Long.toHexString(m.start()) + " " + m.name();
    }

    private static Map<String, Long> privateByMapping(ProcessMemory p) {
        Map<String, Long> kb = new HashMap<>();
        for (Smaps.Mapping m : p.mappings()) {
            kb.merge(key(m), ProcessMemory.privateKb(m.fields()), Long::sum);
        }
        return kb;
    }
}
