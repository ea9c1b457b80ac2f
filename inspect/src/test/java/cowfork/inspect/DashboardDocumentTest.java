// The dashboard's document: the page's shape, a replaced worker keeps its chart, and strips fit the page.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Smaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DashboardDocumentTest {
    static ProcessMemory process(int pid, ProcessTree.Role role, long heapRssKb) {
        Smaps.Fields f = new Smaps.Fields(heapRssKb, heapRssKb / 2, 0, 0, 0, 0, 0, heapRssKb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return new ProcessMemory(new ProcessTree.Member(pid, role == ProcessTree.Role.MASTER ? 1 : 100, role), f,
                Map.of(Regions.HEAP, f), List.of(), List.of(), null);
    }

    static Sample sample(int number, int... workers) {
        List<ProcessMemory> processes = new ArrayList<>(List.of(process(100, ProcessTree.Role.MASTER, 4096)));
        for (int w : workers) {
            processes.add(process(w, ProcessTree.Role.WORKER, 4096));
        }
        return new Sample(number, Instant.EPOCH, number, 1, 1, processes, List.of());
    }

    static List<String> names(String json) {
        List<String> names = new ArrayList<>();
        for (InspectJson.DashboardProcess p : InspectJson.dashboard(json).processes()) {
            names.add(p.name() + "=" + p.pid());
        }
        return names;
    }

    @Test
    void aReplacedWorkerTakesTheSlotOfTheOneThatExited() {
        DashboardDocument d = new DashboardDocument();
        assertThat(names(d.json(sample(1, 201, 202, 203), List.of(), "t")))
                .containsExactly("master=100", "worker 1=201", "worker 2=202", "worker 3=203");
        assertThat(names(d.json(sample(2, 201, 203, 204), List.of(), "t")))
                .containsExactly("master=100", "worker 1=201", "worker 3=203", "worker 2=204");
        assertThat(names(d.json(sample(3, 201, 203, 204, 205), List.of(), "t"))).contains("worker 4=205");
    }

    @Test
    void theDocumentHasThePagesFields() {
        String json = new DashboardDocument().json(sample(7, 201), List.of(), "master 100 (x)");
        InspectJson.Dashboard doc = InspectJson.dashboard(json);
        assertThat(doc.title()).isEqualTo("master 100 (x)");
        assertThat(doc.classes()).containsExactly(Regions.HEAP);
        assertThat(doc.focus()).isEqualTo(Regions.HEAP);
        assertThat(doc.round()).isEqualTo(7);
        assertThat(doc.objectHeapPages()).isEqualTo(1024);
        // the page draws one chart per class, in this order, then the total
        assertThat(InspectJson.keys(json, "processes", 1, "memory_kb")).containsExactly(Regions.HEAP, "total");
        assertThat(InspectJson.keys(json, "processes", 1, "memory_kb", "total")).containsExactly("rss", "pss", "private");
    }
}
