// Where inside a mapping the pages went private: chapter 02's page strips of each process's largest anonymous mappings.
package cowfork.inspect;

import cowfork.cow.PageMap;
import cowfork.cow.PageMapPicture;
import cowfork.cow.PageState;
import cowfork.cow.Region;
import cowfork.cow.Smaps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads {@code /proc/PID/pagemap} for the largest anonymous mappings of each process and
 * draws them as 02's {@link PageMapPicture} strips: '#' private, '-' shared, '.' not present,
 * digits for cells partly private. Smaps says how much of a mapping went private; the strip
 * says where (a few hot pages, or a sweep through all of them).
 *
 * <p>It needs the pagemap's flags: bit 63 (present) and bit 56 (exclusively mapped, Linux
 * 4.2+). {@link #requirePagemapFlags} checks that they work on a page of our own before any
 * strip is drawn.
 */
final class PageStrips {
    private PageStrips() {}

    /** One mapping's page map, with what to call it. */
    record Strip(ProcessMemory process, Smaps.Mapping mapping, String region, PageMap map) {}

    /**
     * Writes one byte to a fresh page of our own and reads its pagemap entry: it must say
     * present and exclusively mapped.
     *
     * @throws InspectFailure ({@link InspectFailure#NO_PAGEMAP_FLAGS}) if it does not
     */
    static void requirePagemapFlags() {
        try (Region page = Region.allocate(Region.PAGE_SIZE)) {
            page.putByte(0, (byte) 1);
            requirePagemapFlags(PageMap.ofSelf(page).state(0));
        }
    }

    /**
     * Judges what pagemap said about a page this process alone has just written. Package-private for tests.
     *
     * @throws InspectFailure ({@link InspectFailure#NO_PAGEMAP_FLAGS}) unless it is {@link PageState#PRIVATE}
     */
    static void requirePagemapFlags(PageState writtenPage) {
        String why = switch (writtenPage) {
            case PRIVATE -> null;
            case SHARED -> "it shows a page only this process maps as shared: no 'exclusively mapped' flag"
                    + " (bit 56, Linux 4.2 and later)";
            case NOT_PRESENT, SWAPPED -> "it shows a page this process has just written as not present: its entries"
                    + " carry no flags (a kernel or sandbox that hides them)";
        };
        if (why != null) {
            throw InspectFailure.noPagemapFlags("this kernel's /proc/PID/pagemap cannot say which pages are shared: "
                    + why + ". Page strips need it; run without --pages (smaps' figures need no pagemap).");
        }
    }

    /**
     * The page maps of each process's {@code perProcess} largest anonymous mappings (by Rss)
     * in {@code s}; a process that exited since is skipped.
     */
    static List<Strip> read(Sample s, int perProcess) {
        List<Strip> strips = new ArrayList<>();
        for (ProcessMemory p : s.processes()) {
            List<Integer> anonymous = new ArrayList<>();
            for (int i = 0; i < p.mappings().size(); i++) {
                if (isAnonymous(p.mappings().get(i)) && p.mappings().get(i).fields().rssKb() > 0) {
                    anonymous.add(i);
                }
            }
            anonymous.sort(Comparator.comparingLong((Integer i) -> p.mappings().get(i).fields().rssKb()).reversed());
            for (int i : anonymous.subList(0, Math.min(perProcess, anonymous.size()))) {
                Smaps.Mapping m = p.mappings().get(i);
                try {
                    strips.add(new Strip(p, m, p.mappingRegions().get(i), PageMap.of(p.pid(), m.start(), m.end() - m.start())));
                } catch (IllegalArgumentException gone) {
                    break; // the process exited after its smaps was read
                }
            }
        }
        return strips;
    }

    /** The strips of {@link #read} as text: one block per mapping, its counts, then the picture. */
    static String draw(Sample s, int perProcess) {
        StringBuilder sb = new StringBuilder();
        String legend = null;
        long t0 = System.nanoTime();
        List<Strip> strips = read(s, perProcess);
        double readMs = (System.nanoTime() - t0) / 1e6;
        for (Strip st : strips) {
            PageMapPicture picture = PageMapPicture.forPages(st.map().pages(), 64, 4);
            sb.append(String.format("  %s: %s%n    %d private, %d shared, %d not present, %d swapped pages%n%s%n",
                    st.process().member(), Regions.describe(st.mapping(), st.region()), st.map().count(PageState.PRIVATE),
                    st.map().count(PageState.SHARED), st.map().count(PageState.NOT_PRESENT),
                    st.map().count(PageState.SWAPPED), picture.strip(st.map(), "    ")));
            legend = picture.pagesPerCell() == 1 ? legend == null ? picture.legend() : legend
                    : "each cell is one page or a group of pages: '#' private, '-' shared, '.' not present, 'S' swapped,"
                    + " 1-9 tenths private";
        }
        return legend == null ? "  (no anonymous mapping holds resident pages)"
                : String.format("  page strips (pagemap read in %.0f ms), %s%n%s", readMs, legend, sb.toString().stripTrailing());
    }

    /** Anonymous memory: no file behind it ([heap], [anon:NAME], or no name), [stack] excepted. */
    static boolean isAnonymous(Smaps.Mapping m) {
        return m.name().isEmpty() || m.name().equals("[heap]") || m.name().startsWith("[anon:");
    }
}
