// A forked worker at the kernel's limits: out of descriptors it pauses accepting instead of spinning; a failing poll ends it with a clear status.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Lowers a running worker's RLIMIT_NOFILE from outside with prlimit(1) (util-linux), so the
 * worker meets EMFILE and EINVAL for real, in the process the master forked.
 */
class WorkerLimitsTest {

    /** Sets {@code pid}'s soft and hard RLIMIT_NOFILE with prlimit(1), within 10 s. */
    private static void limitDescriptors(int pid, int limit) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + limit + ":" + limit)
                .redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("prlimit did not finish within 10 s");
        }
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    /**
     * The RLIMIT_NOFILE that leaves {@code pid} exactly {@code room} new descriptors. A new
     * descriptor takes the lowest free number and must be below the limit, so the free numbers
     * under it count, holes included: the highest open number plus a few can leave room for far
     * more, when numbers below it are free.
     */
    private static int limitLeavingRoomFor(int pid, int room) throws IOException {
        java.util.Set<Integer> open;
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            open = fds.map(f -> Integer.parseInt(f.getFileName().toString())).collect(java.util.stream.Collectors.toSet());
        }
        int free = 0;
        int fd = 0;
        while (free < room) {
            if (!open.contains(fd)) {
                free++;
            }
            fd++;
        }
        return fd;
    }

    /** User plus system CPU time of {@code pid}, in clock ticks (/proc/PID/stat fields 14 and 15). */
    private static long cpuTicks(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    void outOfDescriptorsTheWorkerPausesAcceptingAndLosesNoConnection() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            int worker = server.workerPids().get(0);
            limitDescriptors(worker, limitLeavingRoomFor(worker, 3)); // room for three connections: five silent ones fill it
            int mark = server.lineCount();
            List<Socket> clients = new ArrayList<>();
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    silent.add(server.socket()); // they take the descriptors left, and keep them
                }
                for (int i = 0; i < 20; i++) {
                    Socket s = server.socket();
                    RawHttp.send(s, "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                    clients.add(s);
                }
                server.awaitLineAfter(mark, l -> l.contains("accept4: EMFILE"), Duration.ofSeconds(10));
                // A window of one second while connections wait in the queue: the worker must not spin on accept4.
                long before = cpuTicks(worker);
                try (Socket probe = server.socket()) {
                    probe.setSoTimeout(1_000);
                    probe.getInputStream().read(); // nothing comes: the window ends by its timeout
                } catch (SocketTimeoutException expected) {
                    // the measurement window
                }
                long ticks = cpuTicks(worker) - before;
                System.out.println("emfile: worker used " + ticks + " clock ticks of CPU in a 1 s stall");
                assertThat(ticks).as("CPU ticks (100 a second) while out of descriptors").isLessThan(30);
                // Descriptors come free: every queued client is served in the end (each answer closes its connection).
                for (Socket s : silent) {
                    s.close();
                }
                for (Socket s : clients) {
                    RawHttp.Response r = RawHttp.read(s);
                    assertThat(r).isNotNull();
                    assertThat(r.status()).isEqualTo(200);
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aWorkerWhosePollFailsExitsWith71AndIsReplaced() throws Exception {
        try (ServerProcess server = ServerProcess.start("--workers", "1")) {
            int worker = server.workerPids().get(0);
            int mark = server.lineCount();
            limitDescriptors(worker, 1); // poll(2) over more descriptors than RLIMIT_NOFILE fails with EINVAL
            server.awaitLineAfter(mark, l -> l.contains("poll(2) failed") && l.contains("EINVAL"), Duration.ofSeconds(10));
            server.awaitLineAfter(mark, l -> l.contains("pid " + worker) && l.contains("exited with code " + Worker.EXIT_POLL_FAILED),
                    Duration.ofSeconds(10));
            server.awaitLineAfter(mark, l -> l.contains("booted"), Duration.ofSeconds(20));
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
        }
    }
}
