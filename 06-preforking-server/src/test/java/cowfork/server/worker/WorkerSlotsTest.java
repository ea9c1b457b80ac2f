// What a worker withstands: idle and slow connections filling every slot, and a master that stops reading its heartbeats.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerSlotsTest {
    private static final int SLOTS = 8;

    /** Opens {@code n} connections that each send {@code prefix} (maybe nothing) and then nothing more. */
    private static List<Socket> open(WorkerHarness h, int n, String prefix) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = h.connect(3_000);
            if (!prefix.isEmpty()) {
                RawHttp.send(s, prefix);
            }
            sockets.add(s);
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** GET /health on a new connection; fails if no answer within {@code bound} (a deadline, not a measure). */
    private static void health(WorkerHarness h, Duration bound) throws IOException {
        try (Socket s = h.connect((int) bound.toMillis())) {
            RawHttp.Response r = RawHttp.get(s, "/health");
            assertThat(r.status()).isEqualTo(200);
        }
    }

    /** Whether the server has neither answered nor closed {@code s} yet (looks without waiting; reads a byte if one came). */
    private static boolean stillWaiting(Socket s) throws IOException {
        int timeout = s.getSoTimeout();
        s.setSoTimeout(1);
        try {
            s.getInputStream().read();
            return false; // a byte of an answer, or end of stream
        } catch (java.net.SocketTimeoutException nothingYet) {
            return true;
        } catch (java.net.SocketException reset) {
            return false;
        } finally {
            s.setSoTimeout(timeout);
        }
    }

    @Test
    void idleConnectionsInEverySlotDoNotLockANewClientOut() throws Exception {
        // keep-alive 5 s: before, a newcomer waited in the accept queue until idle connections timed out.
        try (WorkerHarness h = new WorkerHarness(SLOTS, 5_000, 10_000, 1_000, new WorkerHarness.FakeStore(), true)) {
            List<Socket> idle = open(h, 4 * SLOTS, "");
            try {
                health(h, Duration.ofSeconds(30));
                // Served before any keep-alive ran out: the newest idle connections still wait.
                assertThat(stillWaiting(idle.get(idle.size() - 1))).as("an idle connection not yet timed out").isTrue();
                // The connection that lost its slot was closed, not left hanging.
                assertThat(RawHttp.isClosedByServer(idle.get(0))).isTrue();
            } finally {
                closeAll(idle);
            }
        }
    }

    @Test
    void headsTricklingInDoNotLockANewClientOut() throws Exception {
        // client timeout 10 s, header timeout 5 s: before, every slot stayed taken until a head timed out.
        try (WorkerHarness h = new WorkerHarness(SLOTS, 5_000, 10_000, 1_000, new WorkerHarness.FakeStore(), true)) {
            List<Socket> slow = open(h, 2 * SLOTS, "GET /health HTTP/1.1\r\nHo");
            try {
                health(h, Duration.ofSeconds(30));
                // Served before the header timeout freed a slot: the newest slow head still waits for it.
                assertThat(stillWaiting(slow.get(slow.size() - 1))).as("a slow head not yet timed out").isTrue();
                // The oldest slow head gave up its slot with a 408, the only response it ever gets.
                RawHttp.Response r = RawHttp.read(slow.get(0));
                assertThat(r == null || r.status() == 408).as("408 or closed").isTrue();
            } finally {
                closeAll(slow);
            }
        }
    }

    @Test
    void aHeadGetsTheHeaderTimeoutNotTheWholeClientTimeout() throws Exception {
        // Client timeout 10 s: the header timeout is capped at 5 s (nginx's client_header_timeout);
        // before, a head that never completed held its slot for the whole 10 s. A body that never
        // completes gets the whole client timeout: the head's 408 must come first.
        assertThat(WorkerConfig.HEADER_TIMEOUT_CAP_NANOS).isEqualTo(5_000_000_000L);
        try (WorkerHarness h = new WorkerHarness(SLOTS, 5_000, 10_000, 1_000, new WorkerHarness.FakeStore(), true);
             Socket head = h.connect(30_000);
             Socket body = h.connect(30_000)) {
            long t0 = System.nanoTime();
            RawHttp.send(body, "GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
            RawHttp.send(head, "GET /health HTTP/1.1\r\nHost: t\r\n");
            RawHttp.Response r = RawHttp.read(head);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(408);
            assertThat(took).as("not before the header timeout").isGreaterThanOrEqualTo(Duration.ofMillis(4_900));
            assertThat(stillWaiting(body)).as("the body, on the 10 s client timeout, still waits").isTrue();
            assertThat(RawHttp.read(body).status()).as("then it gets its own 408").isEqualTo(408);
        }
    }

    @Test
    void aFullWorkerWithNothingQueuedSleeps() throws Exception {
        // Two slots held by trickling heads past their grace period, nobody else waiting: the
        // worker must wait in poll, not wake up at once over and over until the header timeout.
        try (WorkerHarness h = new WorkerHarness(2, 5_000, 10_000, 1_000, new WorkerHarness.FakeStore(), true)) {
            List<Socket> slow = open(h, 2, "GET /health HTTP/1.1\r\nHo");
            try {
                slow.get(0).setSoTimeout(2_000);
                long before = h.workerCpuNanos();
                assertThat(RawHttp.isClosedByServer(slow.get(0))).as("a 2 s window: no answer yet").isFalse();
                long cpu = h.workerCpuNanos() - before;
                System.out.println("slots: a full, quiet worker used " + cpu / 1_000_000 + " ms of CPU in 2 s");
                assertThat(Duration.ofNanos(cpu)).isLessThan(Duration.ofMillis(100));
            } finally {
                closeAll(slow);
            }
        }
    }

    @Test
    void busyConnectionsAreNotShedForANewcomer() throws Exception {
        // Connections mid-request for less than half a second keep their slots: a burst of
        // real requests queues in the kernel instead of the worker closing its own clients.
        try (WorkerHarness h = new WorkerHarness(2, 5_000, 10_000, 1_000, new WorkerHarness.FakeStore(), true);
             Socket a = h.connect(3_000); Socket b = h.connect(3_000)) {
            RawHttp.send(a, "GET /item/1 HTTP/1.1\r\nHost: t\r\n");
            RawHttp.send(b, "GET /item/2 HTTP/1.1\r\nHost: t\r\n");
            try (Socket c = h.connect(3_000)) {
                RawHttp.send(c, "GET /item/3 HTTP/1.1\r\nHost: t\r\n\r\n");
                RawHttp.send(a, "\r\n");
                RawHttp.send(b, "\r\n");
                assertThat(RawHttp.read(a).body()).contains("item-1");
                assertThat(RawHttp.read(b).body()).contains("item-2");
                assertThat(RawHttp.read(c).body()).contains("item-3");
            }
        }
    }

    @Test
    void aMasterThatStopsReadingCostsHeartbeatsNotService() throws Exception {
        // Nobody reads the master's end of the pipe, and a heartbeat is due at every step:
        // the pipe fills within milliseconds. Before, the worker then blocked in write(2).
        try (WorkerHarness h = new WorkerHarness(SLOTS, 5_000, 10_000, 0, new WorkerHarness.FakeStore(), false)) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (h.worker.skippedBeats() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // bounded wait for the pipe to fill
            }
            assertThat(h.worker.skippedBeats()).as("beats skipped on a full pipe").isPositive();
            health(h, Duration.ofSeconds(30)); // and it still serves
        }
    }
}
