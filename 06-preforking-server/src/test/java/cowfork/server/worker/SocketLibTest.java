// Every socket binding checked against a real loopback connection: a wrong jnr-ffi signature passes garbage, it does not fail to link.
package cowfork.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cowfork.fork.ForkException;
import cowfork.fork.Syscalls;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SocketLibTest {
    private final SocketLib net = Sockets.lib();

    @Test
    void listenAcceptSendAndReceiveHonourBufferPositions() {
        int listener = Sockets.listen("127.0.0.1", 0, 8);
        int port = Sockets.boundPort(listener);
        assertThat(port).isBetween(1, 65535);
        int client = net.socket(SocketLib.AF_INET, SocketLib.SOCK_STREAM, 0);
        int server = -1;
        try {
            byte[] addr = Sockets.sockaddrIn("127.0.0.1", port);
            assertThat(net.connect(client, addr, addr.length)).isZero();
            server = net.accept4(listener, 0, 0, SocketLib.SOCK_NONBLOCK);
            assertThat(server).isPositive();

            byte[] out = "xxHELLOyy".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer ob = ByteBuffer.wrap(out);
            ob.position(2).limit(7);
            assertThat(net.send(client, ob, 5, SocketLib.MSG_NOSIGNAL)).isEqualTo(5);

            byte[] in = new byte[16];
            ByteBuffer ib = ByteBuffer.wrap(in);
            long n = 0;
            while (n <= 0) { // the bytes are on loopback already; EAGAIN at most for an instant
                ib.position(3).limit(16);
                n = net.recv(server, ib, 13, 0);
            }
            assertThat(n).isEqualTo(5);
            assertThat(new String(in, 3, 5, StandardCharsets.US_ASCII)).isEqualTo("HELLO");

            ib.position(0).limit(16);
            assertThat(net.recv(server, ib, 16, 0)).isEqualTo(-1); // non-blocking, nothing there
            assertThat(Sockets.errno()).isEqualTo(Syscalls.EAGAIN);
            assertThat(net.accept4(listener, 0, 0, SocketLib.SOCK_NONBLOCK)).isEqualTo(-1); // the listener is non-blocking
        } finally {
            net.close(client);
            net.close(server);
            net.close(listener);
        }
    }

    @Test
    void theSocketCallsAllocateNothingOnTheJavaHeap() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int listener = Sockets.listen("127.0.0.1", 0, 8);
        byte[] in = new byte[1024];
        ByteBuffer ib = ByteBuffer.wrap(in);
        try {
            for (int round = 0; round < 2; round++) { // the first round loads and links
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10_000; i++) {
                    ib.position(0).limit(1024);
                    net.accept4(listener, 0, 0, SocketLib.SOCK_NONBLOCK);
                    net.recv(listener, ib, 1024, 0);
                    Sockets.errno();
                }
                long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 10_000;
                if (round == 1) {
                    assertThat(perCall).isZero();
                }
            }
        } finally {
            net.close(listener);
        }
    }

    @Test
    void aTakenPortIsReportedWithAdvice() {
        int listener = Sockets.listen("127.0.0.1", 0, 8);
        try {
            int port = Sockets.boundPort(listener);
            assertThatThrownBy(() -> Sockets.listen("127.0.0.1", port, 8))
                    .isInstanceOf(ForkException.class).hasMessageContaining("EADDRINUSE");
        } finally {
            net.close(listener);
        }
    }
}
