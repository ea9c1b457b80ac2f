// The /dashboard page in a real headless Chromium: live charts and page strips, inline decaying and immortal flat; writes the screenshot.
package cowfork.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import cowfork.support.WatchedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Runs {@code ./cowfork watch} (two servers, inline and immortal, the same load), opens the
 * one URL it prints in headless Chromium and reads the page's DOM, as a student would read
 * the screen:
 * <ul>
 *   <li>every process gets a chart whose points grow once a second;</li>
 *   <li>an inline worker's private object-heap KiB (text and strip) rise while it serves;</li>
 *   <li>no immortal worker's strip or figure ever shows a private object-heap page;</li>
 *   <li>a worker killed with -9 gets its restart marked on its chart (and only there).</li>
 * </ul>
 * Then it saves a screenshot to {@code docs/figures/watch-dashboard.png}. Only under
 * {@code -P browser} (Selenium, and Debian's {@code chromium} and {@code chromium-driver}).
 * Every wait has a deadline; the watch process and every process it started are killed at the end.
 */
class DashboardBrowserTest {
    private static final Pattern URL = Pattern.compile("watch: open (http://127\\.0\\.0\\.1:\\d+/)");
    private static final Path SCREENSHOT = Path.of("..", "docs", "figures", "watch-dashboard.png");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** What the page shows of one process, read from its DOM and its strip's pixels. */
    private static final String READ = """
            const out = [];
            for (const s of document.querySelectorAll('section.server')) {
              for (const p of s.querySelectorAll('.process')) {
                const c = p.querySelector('canvas.strip');
                let red = 0, painted = 0;
                if (c.width > 0 && c.height > 0) {
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  for (let i = 0; i < d.length; i += 4) {
                    if (d[i + 3] > 0) painted++;
                    if (d[i] === 0xd6 && d[i + 1] === 0x27 && d[i + 2] === 0x28) red++;
                  }
                }
                out.push({ server: s.dataset.server, process: p.dataset.process,
                           privateKb: Number(p.dataset.objectHeapPrivateKb || -1),
                           stripPrivate: Number(c.dataset.private || -1), points: Number(p.querySelector('.chart').dataset.points),
                           redPixels: red, paintedPixels: painted, plotted: p.querySelectorAll('.uplot canvas').length,
                           pid: Number(p.dataset.pid), restartMarks: Number(p.dataset.restartMarks || 0) });
              }
            }
            return out;""";

    record Shown(String server, String process, long privateKb, long stripPrivate, long points, long redPixels,
                 long paintedPixels, long plotted, long pid, long restartMarks) {
        static Shown of(Map<?, ?> m) {
            return new Shown((String) m.get("server"), (String) m.get("process"), n(m, "privateKb"), n(m, "stripPrivate"),
                    n(m, "points"), n(m, "redPixels"), n(m, "paintedPixels"), n(m, "plotted"), n(m, "pid"),
                    n(m, "restartMarks"));
        }

        boolean is(String server, String process) {
            return this.server.equals(server) && this.process.equals(process);
        }

        private static long n(Map<?, ?> m, String k) {
            return ((Number) m.get(k)).longValue();
        }

        boolean worker() {
            return process.startsWith("worker");
        }
    }

    @SuppressWarnings("unchecked")
    static List<Shown> read(ChromeDriver browser) {
        return ((List<Map<?, ?>>) ((JavascriptExecutor) browser).executeScript(READ)).stream().map(Shown::of).toList();
    }

    static long inlineWorkersPrivateKb(List<Shown> shown) {
        return shown.stream().filter(s -> s.server().equals("/inline") && s.worker()).mapToLong(Shown::privateKb).sum();
    }

    @Test
    void thePageShowsInlineDecayingAndImmortalFlat(@TempDir Path profile) throws IOException {
        assumeThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("%s and %s installed (Debian: apt-get install chromium chromium-driver)", CHROMIUM, CHROMEDRIVER).isTrue();
        try (WatchedProcess watch = WatchedProcess.start(WatchTest.command("--port", "0", "--workers", "2",
                "--data-size", "8m", "--warmup", "4000", "--rate", "300"), line -> { })) {
            List<ProcessHandle> started = List.of();
            ChromeDriver browser = null;
            try {
                Matcher m = URL.matcher(watch.awaitLine(0, l -> URL.matcher(l).find(), Duration.ofMinutes(2)));
                assertThat(m.find()).isTrue();
                started = watch.process().descendants().toList();
                ChromeOptions options = new ChromeOptions();
                options.setBinary(CHROMIUM.toString());
                options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--window-size=1600,1250", "--hide-scrollbars");
                browser = new ChromeDriver(new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
                browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
                browser.get(m.group(1));

                // live data: both servers' processes on the page, each with a drawn chart and strip
                ChromeDriver b = browser;
                new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(250)).until(x -> {
                    List<Shown> s = read(b);
                    return s.size() >= 6 && s.stream().allMatch(p -> p.points() >= 2 && p.paintedPixels() > 0);
                });
                List<Shown> first = read(browser);
                // a restart, marked on the time axis: kill -9 immortal's worker 2 (its replacement shares every page too)
                Shown victim = first.stream().filter(p -> p.is("/immortal", "worker 2")).findFirst().orElseThrow();
                ServerLauncher.signal((int) victim.pid(), "KILL");
                // decay: wait until the inline workers have copied a good part of the heap (at 150 requests/s each, ~20 s)
                long firstPrivate = inlineWorkersPrivateKb(first);
                new WebDriverWait(browser, Duration.ofSeconds(120), Duration.ofMillis(500)).until(x -> {
                    List<Shown> s = read(b);
                    long heapKb = 8 * 1024; // 8m data set: the inline workers together hold 2 x ~8 MiB; wait for half of one
                    return inlineWorkersPrivateKb(s) > firstPrivate + heapKb / 2 && s.stream().allMatch(p -> p.points() >= 20)
                            && s.stream().anyMatch(p -> p.is("/immortal", "worker 2") && p.restartMarks() == 1);
                });
                List<Shown> last = read(browser);
                Files.createDirectories(SCREENSHOT.getParent());
                Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

                for (Shown s : last) {
                    Shown before = first.stream().filter(f -> f.server().equals(s.server()) && f.process().equals(s.process()))
                            .findFirst().orElseThrow();
                    assertThat(s.points()).as("%s: chart points grow", s).isGreaterThan(before.points());
                    assertThat(s.plotted()).as("%s: uPlot drew its canvas", s).isPositive();
                    if (s.server().equals("/immortal") && s.worker()) {
                        assertThat(s.privateKb()).as("%s: immortal worker's private object heap", s).isZero();
                        assertThat(s.stripPrivate()).as("%s", s).isZero();
                        assertThat(s.redPixels()).as("%s: no private page drawn", s).isZero();
                    }
                    if (s.server().equals("/inline") && s.worker() && s.stripPrivate() > 0) {
                        assertThat(s.redPixels()).as("%s: its private pages are drawn red", s).isPositive();
                    }
                }
                assertThat(inlineWorkersPrivateKb(last)).isGreaterThan(inlineWorkersPrivateKb(first));
                Shown replaced = last.stream().filter(p -> p.is("/immortal", "worker 2")).findFirst().orElseThrow();
                assertThat(replaced.pid()).as("a new worker 2 after kill -9").isNotEqualTo(victim.pid());
                assertThat(last.stream().filter(p -> p != replaced).mapToLong(Shown::restartMarks).sum())
                        .as("restart marks on any other chart").isZero();
                System.out.println("browser: screenshot " + SCREENSHOT.toAbsolutePath().normalize() + "; inline workers'"
                        + " private object heap " + inlineWorkersPrivateKb(first) + " KiB -> " + inlineWorkersPrivateKb(last)
                        + " KiB; immortal workers' 0 KiB");
            } finally {
                if (browser != null) {
                    browser.quit();
                }
                if (watch.process().isAlive()) {
                    ServerLauncher.signal(watch.pid(), "INT");
                    watch.awaitExit(Duration.ofSeconds(30));
                }
                started.forEach(ProcessHandle::destroyForcibly); // whatever outlived the watch: by pid
            }
        }
    }
}
