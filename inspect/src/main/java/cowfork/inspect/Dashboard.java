// --dashboard PORT: chapter 06's live page for any process tree, fed by inspect's samples.
package cowfork.inspect;

import com.sun.net.httpserver.HttpServer;
import cowfork.server.tools.DashboardPage;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Serves the page of {@code ./cowfork watch} on 127.0.0.1:PORT with one source, {@code /tree},
 * whose document ({@link DashboardDocument}) is the latest sample of the tree: memory by region
 * per process, charted as it changes, and the page strips of each process's largest anonymous
 * mappings. The page polls once a second; samples come every interval (2 s unless --watch says
 * otherwise, stretched to ten times a sample's cost), so it shows each sample for as long as it
 * is the latest. This process never forks, so the page server's threads are harmless.
 */
final class Dashboard {
    /** Seconds between samples when --watch does not say. */
    static final double DEFAULT_INTERVAL_S = 2;

    private Dashboard() {}

    /**
     * Takes the first sample (so a bad pid fails before anything listens), binds the page, prints
     * its URL, and samples until {@code count} samples were taken or the JVM is stopped.
     *
     * @param sleep how to wait between samples (nanoseconds; a test passes a no-op)
     * @throws IllegalStateException if the port cannot be bound
     */
    static void run(int master, Inspect.Options o, PrintStream out, LongConsumer sleep) {
        Sampler sampler = new Sampler(master, o.wholeTree(), true);
        DashboardDocument documents = new DashboardDocument();
        String title = "master " + master + " (" + ProcessTree.shorten(String.valueOf(ProcessTree.commandLine(master)), 80) + ")";
        AtomicReference<String> latest = new AtomicReference<>();
        int strips = o.pages() > 0 ? o.pages() : 2;
        Sample s = sampler.sample();
        latest.set(documents.json(s, PageStrips.read(s, strips), title));
        HttpServer page = DashboardPage.bind(o.dashboardPort(), Map.of("tree", () -> DashboardPage.Reply.json(latest.get())));
        page.start();
        try {
            out.println("inspect: open http://127.0.0.1:" + page.getAddress().getPort() + "/ (Ctrl-C stops)");
            double interval = o.watchSeconds() > 0 ? o.watchSeconds() : DEFAULT_INTERVAL_S;
            for (long n = 1; ; n++) {
                out.println(TextReport.summary(s).lines().findFirst().orElse(""));
                out.flush();
                if (n >= o.count()) {
                    return;
                }
                sleep.accept(Math.max((long) (interval * 1e9), (long) (s.costMs() * 1e7)));
                s = sampler.sample();
                latest.set(documents.json(s, PageStrips.read(s, strips), title));
            }
        } finally {
            page.stop(0);
        }
    }
}
