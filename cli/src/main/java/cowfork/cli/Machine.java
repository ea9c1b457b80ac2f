package cowfork.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line about the machine a result was measured on, from /proc and the JVM. */
final class Machine {
    private Machine() {}

    static String describe() {
        String cpu = firstMatch(Path.of("/proc/cpuinfo"), "model name").replaceFirst(".*:\\s*", "");
        long memKb = Long.parseLong(firstMatch(Path.of("/proc/meminfo"), "MemTotal").replaceAll("[^0-9]", ""));
        return String.format("%s, %d cores, %d GiB RAM, Linux %s, THP %s, %s %s",
                cpu.isEmpty() ? "unknown CPU" : cpu, Runtime.getRuntime().availableProcessors(), Math.round(memKb / 1048576.0),
                read(Path.of("/proc/sys/kernel/osrelease")), thpMode(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"));
    }

    /** The bracketed word of /sys/kernel/mm/transparent_hugepage/enabled, e.g. "madvise". */
    static String thpMode() {
        String s = read(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        int a = s.indexOf('[');
        int b = s.indexOf(']');
        return a >= 0 && b > a ? s.substring(a + 1, b) : "unknown";
    }

    private static String firstMatch(Path file, String prefix) {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
