// /dashboard/data against running servers: its shape, counters that only grow, page counts that add up, and decay by strategy.
package cowfork.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.app.Endpoints;
import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Starts one server per strategy (1 worker, a 4m data set) and reads its dashboard document
 * as a script would. The private pages counted from the page map must agree with what smaps
 * says of the same region in the same step, and after the same queries over every item a
 * worker's object heap has gone private under inline counts and not at all under immortal
 * ones.
 */
class DashboardDataTest {
    static StatsJson.Pages pages(StatsJson.Dashboard doc, String process) {
        StatsJson.Pages p = doc.process(process).pages();
        assertThat(p).as("%s has page counts in %s", process, doc).isNotNull();
        return p;
    }

    static String body(ServerProcess server) {
        var r = server.get("/dashboard/data");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return r.body();
    }

    static StatsJson.Dashboard data(ServerProcess server) {
        return StatsJson.dashboard(body(server));
    }

    /** Has the server's one worker run a query over every item (reading each one, so inline counts write each one's page). */
    static void readEveryItem(ServerProcess server) throws IOException {
        long items = data(server).items();
        try (Socket s = server.socket()) {
            for (long from = 0; from < items; from += Endpoints.MAX_QUERY_COUNT) {
                RawHttp.Response r = RawHttp.get(s, "/query?from=" + from + "&count="
                        + Math.min(Endpoints.MAX_QUERY_COUNT, items - from));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void inlineTheDocumentsShapeCountersPageCountsAndPagesGoingPrivateUnderLoad() throws IOException {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--refcounts", "inline")) {
            String firstBody = body(server);
            assertThat(firstBody).startsWith("{\"refcounts\":\"inline\",\"items\":");
            StatsJson.Dashboard first = StatsJson.dashboard(firstBody);
            long heapPages = first.objectHeapPages();
            assertThat(first.refcounts()).isEqualTo("inline");
            assertThat(first.pageKb()).isEqualTo(4);
            assertThat(heapPages).isPositive();
            for (String process : new String[] {"master", "worker 1"}) {
                StatsJson.Pages p = pages(first, process);
                assertThat(p.total()).as("%s: shared + private + not present + swapped", process).isEqualTo(heapPages);
                assertThat(p.map()).hasSize((int) heapPages).matches("[-#.S]*");
                assertThat(p.map().chars().filter(c -> c == '#').count()).isEqualTo(p.privat());
                // smaps and pagemap were read in the same step of the master, with no request served in between
                assertThat(p.privat() * 4L).as("%s: private pages from pagemap, in KiB, against smaps", process)
                        .isEqualTo(first.process(process).region("object_heap").privateKb());
                assertThat((p.shared() + p.privat()) * 4L).as("%s: present pages against smaps Rss", process)
                        .isEqualTo(first.process(process).region("object_heap").rssKb());
            }
            // 'Shared' means shared with someone: an idle worker shares every present page with the master
            assertThat(pages(first, "worker 1").shared()).isPositive();

            server.get("/item/1");
            StatsJson.Dashboard second = data(server);
            assertThat(second.round()).isGreaterThan(first.round());
            assertThat(second.uptimeMs()).isGreaterThan(first.uptimeMs());
            StatsJson.Dashboard.Process w1 = first.process("worker 1");
            StatsJson.Dashboard.Process w2 = second.process("worker 1");
            assertThat(w2.pid()).isEqualTo(w1.pid());
            // the document is asked for through a worker, which counts it as a request; /item/1 is one more
            assertThat(w2.requests()).isGreaterThan(w1.requests());

            StatsJson.Pages before = pages(second, "worker 1");
            readEveryItem(server);
            StatsJson.Pages after = pages(data(server), "worker 1");
            int present = after.shared() + after.privat();
            assertThat(after.privat()).as("private pages before %d, after %d of %d present", before.privat(),
                    after.privat(), present).isGreaterThan(before.privat() + present / 2);
        }
    }

    @Test
    void immortalUnderTheSameLoadEveryPageStaysSharedAndThePageIsServed() throws IOException {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--refcounts", "immortal")) {
            thePageAndItsVendoredChartLibraryAreServed(server);
            readEveryItem(server);
            StatsJson.Pages after = pages(data(server), "worker 1");
            assertThat(after.shared()).isPositive();
            assertThat(after.privat()).as("private object-heap pages of an immortal worker after reading every item")
                    .isZero();
        }
    }

    /** The page, the vendored uPlot byte for byte, its licence; nothing else under /dashboard/. */
    private static void thePageAndItsVendoredChartLibraryAreServed(ServerProcess server) {
        var page = server.get("/dashboard");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("/dashboard/uPlot.iife.min.js", "/dashboard/data");
        var js = server.get("/dashboard/uPlot.iife.min.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).startsWith("/*! https://github.com/leeoniya/uPlot").hasSize(DashboardAssets.UPLOT_JS.length);
        assertThat(server.get("/dashboard/LICENSE.uPlot").body()).contains("MIT");
        assertThat(server.get("/dashboard/nothing").statusCode()).isEqualTo(404);
    }
}
