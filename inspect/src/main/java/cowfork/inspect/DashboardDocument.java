// One sample of a tree as the dashboard page's data document: memory by region per process, and page strips.
package cowfork.inspect;

import cowfork.cow.PageMapPicture;
import cowfork.cow.Smaps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the document {@code GET /tree/dashboard/data} answers, in the shape chapter 06's page
 * reads (see its dashboard.html), with the regions of {@link Regions} as its memory classes:
 * <pre>
 *   {"title":"master 123 (gunicorn ...)","summary":"...","classes":["heap","file_data",...],"focus":"heap",
 *    "round":N,"uptime_ms":N,"page_kb":4,"object_heap_pages":N,
 *    "processes":[{"name":"worker 2","slot":2,"pid":N,"state":"running",
 *                  "memory_kb":{"heap":{"rss":N,"pss":N,"private":N},...,"total":{...}},
 *                  "strips":[{"label":"heap 7f..-7f.. (rw-p, 70.3 MiB)","shared":N,"private":N,"not_present":N,
 *                             "swapped":N,"map":"--#1-..."}]}, ...]}
 * </pre>
 * A worker keeps its name ("worker 2") when it is replaced: the new pid takes the slot of one
 * that exited, and the page marks the restart on that chart. {@code object_heap_pages} is the
 * master's heap in pages, so every private axis spans at least the master's heap. A strip has at
 * most 4,096 cells (02's {@link PageMapPicture} groups pages beyond that: digits are tenths private).
 */
final class DashboardDocument {
    private final Map<Integer, Integer> slots = new HashMap<>();
    private final TreeSet<Integer> freed = new TreeSet<>();
    private int nextSlot = 1;

    /** The document for {@code s}, with the page maps in {@code strips}. */
    String json(Sample s, List<PageStrips.Strip> strips, String title) {
        assignSlots(s);
        Set<String> classes = new LinkedHashSet<>();
        s.processes().forEach(p -> classes.addAll(p.regions().keySet()));
        long masterHeapKb = s.master().regions().getOrDefault(Regions.HEAP, Smaps.Fields.ZERO).rssKb();
        StringBuilder sb = new StringBuilder(4096 + strips.size() * 4200);
        sb.append("{\"title\":").append(JsonReport.string(title))
                .append(",\"summary\":").append(JsonReport.string(String.format(java.util.Locale.ROOT,
                        "%d workers; total PSS %.2f x the master's RSS; sample %d cost %.0f ms (cpu %.0f ms)",
                        s.withRole(ProcessTree.Role.WORKER).size(), (double) s.totalPssKb() / Math.max(1, s.master().total().rssKb()),
                        s.number(), s.costMs(), s.cpuMs())))
                .append(",\"classes\":[");
        int i = 0;
        for (String c : classes) {
            sb.append(i++ == 0 ? "" : ",").append(JsonReport.string(c));
        }
        sb.append("],\"focus\":\"").append(Regions.HEAP).append("\",\"round\":").append(s.number())
                .append(",\"uptime_ms\":").append(Math.round(s.elapsedS() * 1000)).append(",\"page_kb\":4")
                .append(",\"object_heap_pages\":").append(masterHeapKb / 4).append(",\"processes\":[");
        for (int k = 0; k < s.processes().size(); k++) {
            ProcessMemory p = s.processes().get(k);
            int slot = slots.getOrDefault(p.pid(), 0);
            String name = p.role() == ProcessTree.Role.MASTER ? "master" : p.role() == ProcessTree.Role.WORKER
                    ? "worker " + slot : "other " + p.pid();
            sb.append(k == 0 ? "" : ",").append("{\"name\":\"").append(name).append("\",\"slot\":").append(slot)
                    .append(",\"pid\":").append(p.pid()).append(",\"state\":\"running\",\"memory_kb\":{");
            for (Map.Entry<String, Smaps.Fields> r : p.regions().entrySet()) {
                sb.append(JsonReport.string(r.getKey())).append(':');
                figures(sb, r.getValue());
                sb.append(',');
            }
            sb.append("\"total\":");
            figures(sb, p.total());
            sb.append("},\"strips\":[");
            boolean first = true;
            for (PageStrips.Strip st : strips) {
                if (st.process().pid() == p.pid()) {
                    sb.append(first ? "" : ",");
                    strip(sb, st);
                    first = false;
                }
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    /** Workers keep small slot numbers: a new worker takes the lowest slot a gone one left. */
    private void assignSlots(Sample s) {
        Set<Integer> workers = new TreeSet<>();
        s.withRole(ProcessTree.Role.WORKER).forEach(w -> workers.add(w.pid()));
        for (Map.Entry<Integer, Integer> e : new ArrayList<>(slots.entrySet())) {
            if (!workers.contains(e.getKey())) {
                slots.remove(e.getKey());
                freed.add(e.getValue());
            }
        }
        for (int pid : workers) {
            if (!slots.containsKey(pid)) {
                slots.put(pid, freed.isEmpty() ? nextSlot++ : freed.pollFirst());
            }
        }
    }

    private static void figures(StringBuilder sb, Smaps.Fields f) {
        sb.append("{\"rss\":").append(f.rssKb()).append(",\"pss\":").append(f.pssKb()).append(",\"private\":")
                .append(ProcessMemory.privateKb(f)).append('}');
    }

    private static void strip(StringBuilder sb, PageStrips.Strip st) {
        PageMapPicture picture = PageMapPicture.forPages(st.map().pages(), 64, 64);
        char[] cells = new char[picture.cells()];
        for (int c = 0; c < cells.length; c++) {
            cells[c] = picture.symbol(st.map(), c);
        }
        sb.append("{\"label\":").append(JsonReport.string(Regions.describe(st.mapping(), st.region())
                + (picture.pagesPerCell() > 1 ? ", " + picture.pagesPerCell() + " pages a cell" : "")))
                .append(",\"shared\":").append(st.map().count(cowfork.cow.PageState.SHARED))
                .append(",\"private\":").append(st.map().count(cowfork.cow.PageState.PRIVATE))
                .append(",\"not_present\":").append(st.map().count(cowfork.cow.PageState.NOT_PRESENT))
                .append(",\"swapped\":").append(st.map().count(cowfork.cow.PageState.SWAPPED))
                .append(",\"map\":\"").append(cells).append("\"}");
    }
}
