// The socket system calls a worker makes, bound straight to libc with jnr-ffi: no java.nio, no per-call objects.
package cowfork.server.worker;

import cowfork.fork.Syscalls;
import java.nio.ByteBuffer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * {@code socket(2)}, {@code bind(2)}, {@code accept4(2)}, {@code recv(2)}, {@code send(2)}...
 * as a C server calls them. A worker makes these calls millions of times in a process that
 * can never collect garbage, so the bindings take what needs no allocation: ints, and heap
 * {@link ByteBuffer}s whose position and limit say which part of the array to use (jnr-ffi
 * passes {@code array + arrayOffset + position} and {@code remaining()}; the {@code count}
 * argument still bounds the call). {@code SocketLibTest} checks every binding.
 *
 * <p>Constants are Linux's (x86-64 and arm64 agree on all of them).
 */
public interface SocketLib {
    int AF_INET = 2;
    int SOCK_STREAM = 1;
    int SOCK_NONBLOCK = 0x800;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_REUSEADDR = 2;
    int IPPROTO_TCP = 6;
    int TCP_NODELAY = 1;
    /** send(2) flag: report EPIPE instead of raising SIGPIPE when the peer has gone. */
    int MSG_NOSIGNAL = 0x4000;
    int SHUT_WR = 1;

    /** connect(2) on a non-blocking socket: the connection is under way. (EAGAIN and EINTR are {@link Syscalls}'.) */
    int EINPROGRESS = 115;

    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int option, @In int[] value, int valueLength);

    /** {@code addr} is a 16-byte {@code struct sockaddr_in} (see {@link Sockets#sockaddrIn}). */
    int bind(int fd, @In byte[] addr, int addrLength);

    int connect(int fd, @In byte[] addr, int addrLength);

    int listen(int fd, int backlog);

    int getsockname(int fd, @Out byte[] addr, @In @Out int[] addrLength);

    /** Accepts without asking for the peer's address (both pointers NULL, passed as 0). */
    int accept4(int fd, long addrNull, long addrLengthNull, int flags);

    /** Reads into {@code buf} from its position, at most {@code count} bytes (count ≤ remaining). */
    @ssize_t long recv(int fd, @Out ByteBuffer buf, @size_t long count, int flags);

    /** Sends from {@code buf}'s position, {@code count} bytes (count ≤ remaining). */
    @ssize_t long send(int fd, @In ByteBuffer buf, @size_t long count, int flags);

    int shutdown(int fd, int how);

    int close(int fd);
}
