// ./cowfork inspect --dashboard on a gunicorn tree in a real headless Chromium: its regions charted live, its heap going private; writes the screenshot.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * Starts gunicorn --preload (06's bench/app.py, two workers), points {@code inspect --dashboard 0}
 * at it (a JVM of its own), opens the URL it prints in headless Chromium, then serves items
 * from the test and reads the page as an operator would:
 * <ul>
 *   <li>the master and both workers get a chart whose points grow, and painted page strips;</li>
 *   <li>the workers' private heap, in the figures line and in the strips, rises under the load.</li>
 * </ul>
 * Then it saves {@code docs/figures/inspect-dashboard.png}. Only under {@code -P browser}
 * (Selenium, Debian's chromium and chromium-driver), and skipped without gunicorn. Every wait has
 * a deadline; gunicorn and the inspector are killed at the end.
 */
class InspectDashboardBrowserTest {
    private static final Path SCREENSHOT = Path.of("..", "docs", "figures", "inspect-dashboard.png");
    private static final Pattern URL = Pattern.compile("inspect: open (http://127\\.0\\.0\\.1:\\d+/)");

    private static final String READ = """
            const out = [];
            for (const p of document.querySelectorAll('section.server .process')) {
              let red = 0, painted = 0;
              for (const c of p.querySelectorAll('canvas.strip')) {
                if (c.width === 0 || c.height === 0) continue;
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 0; i < d.length; i += 4) {
                  if (d[i + 3] > 0) painted++;
                  if (d[i] === 0xd6 && d[i + 1] === 0x27 && d[i + 2] === 0x28) red++;
                }
              }
              out.push({ process: p.dataset.process, heapPrivateKb: Number(p.dataset.objectHeapPrivateKb || -1),
                         points: Number(p.querySelector('.chart').dataset.points), redPixels: red, paintedPixels: painted,
                         strips: p.querySelectorAll('canvas.strip').length, plotted: p.querySelectorAll('.uplot canvas').length });
            }
            return out;""";

    record Shown(String process, long heapPrivateKb, long points, long redPixels, long paintedPixels, long strips, long plotted) {
        static Shown of(Map<?, ?> m) {
            return new Shown((String) m.get("process"), n(m, "heapPrivateKb"), n(m, "points"), n(m, "redPixels"),
                    n(m, "paintedPixels"), n(m, "strips"), n(m, "plotted"));
        }

        private static long n(Map<?, ?> m, String k) {
            return ((Number) m.get(k)).longValue();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Shown> read(ChromeDriver browser) {
        return ((List<Map<?, ?>>) ((JavascriptExecutor) browser).executeScript(READ)).stream().map(Shown::of).toList();
    }

    static long workersHeapPrivateKb(List<Shown> shown) {
        return shown.stream().filter(s -> s.process().startsWith("worker")).mapToLong(Shown::heapPrivateKb).sum();
    }

    @Test
    void theDashboardShowsAGunicornTreeGoingPrivate(@TempDir Path profile) throws IOException {
        assumeTrue(Executables.find("gunicorn") != null, "gunicorn is not installed (Debian: apt-get install gunicorn)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver")),
                "Chromium is not installed (Debian: apt-get install chromium chromium-driver)");
        try (Launched server = Launched.start(List.of("gunicorn", "--preload", "-w", "2", "-b", "127.0.0.1:0", "app:app"),
                Map.of("ITEMS", "50000"), RealServersTest.BENCH)) {
            int port = Integer.parseInt(server.awaitLine(Pattern.compile("Listening at: http://127\\.0\\.0\\.1:(\\d+)"),
                    RealServersTest.BOOT).group(1));
            server.awaitChildren(2, RealServersTest.BOOT);
            try (Launched inspector = Launched.start(Launched.java(Inspect.class.getName(), Integer.toString(server.pid()),
                    "--dashboard", "0", "--watch", "1"), Map.of(), Path.of("."))) {
                String url = inspector.awaitLine(URL, Duration.ofMinutes(1)).group(1);
                ChromeOptions options = new ChromeOptions();
                options.setBinary("/usr/bin/chromium");
                options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--window-size=1400,1500", "--hide-scrollbars");
                ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                        .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).build(), options);
                try {
                    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
                    browser.get(url);
                    new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(250)).until(x -> {
                        List<Shown> s = read(browser);
                        return s.size() == 3 && s.stream().allMatch(p -> p.points() >= 2 && p.paintedPixels() > 0);
                    });
                    List<Shown> first = read(browser);
                    RealServersTest.get(port, 12_000); // each request increfs one item's objects in the worker that serves it
                    new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(250))
                            .until(x -> workersHeapPrivateKb(read(browser)) > workersHeapPrivateKb(first) + 2048
                                    && read(browser).stream().allMatch(p -> p.points() >= 10));
                    List<Shown> last = read(browser);
                    Files.createDirectories(SCREENSHOT.getParent());
                    Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                    for (Shown s : last) {
                        Shown before = first.stream().filter(f -> f.process().equals(s.process())).findFirst().orElseThrow();
                        assertThat(s.points()).as("%s: chart points grow", s).isGreaterThan(before.points());
                        assertThat(s.plotted()).as("%s: uPlot drew", s).isPositive();
                        assertThat(s.strips()).as("%s: two largest anonymous mappings", s).isEqualTo(2);
                    }
                    assertThat(last.stream().filter(s -> s.process().startsWith("worker")).mapToLong(Shown::redPixels).sum())
                            .as("the workers' copied pages are drawn red").isPositive();
                    System.out.println("browser: screenshot " + SCREENSHOT.toAbsolutePath().normalize() + "; gunicorn workers'"
                            + " private heap " + workersHeapPrivateKb(first) + " KiB -> " + workersHeapPrivateKb(last) + " KiB");
                } finally {
                    browser.quit();
                }
            }
        }
    }
}
