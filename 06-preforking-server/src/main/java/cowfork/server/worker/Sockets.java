// Opening the listening socket the master binds before it forks, and the few socket helpers around it.
package cowfork.server.worker;

import cowfork.fork.ForkException;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The loaded {@link SocketLib} and what the master does with it once: bind and listen on
 * an IPv4 address. The listening descriptor is inherited by every worker forked afterwards;
 * they all accept on it and the kernel hands each connection to one of them (the
 * gunicorn / unicorn model; see the README on SO_REUSEPORT for the alternative).
 *
 * <p>Loaded in the master before the first fork: jnr-ffi generates the binding's class on
 * first use, and a forked child must never need the class loader.
 */
public final class Sockets {
    private static final SocketLib LIB = LibraryLoader.create(SocketLib.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIB);

    private Sockets() {}

    /** The socket calls. */
    public static SocketLib lib() {
        return LIB;
    }

    /** errno after the last {@link #lib()} call on this thread. */
    public static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    /**
     * A non-blocking TCP socket listening on {@code host:port} ({@code port} 0: any free port)
     * with SO_REUSEADDR, so a restarted server can bind while old connections linger.
     *
     * @throws IllegalArgumentException if {@code host} is not a dotted IPv4 address
     * @throws ForkException if a socket call fails (e.g. EADDRINUSE: another server has the port)
     */
    public static int listen(String host, int port, int backlog) {
        byte[] addr = sockaddrIn(host, port);
        int fd = check(LIB.socket(SocketLib.AF_INET, SocketLib.SOCK_STREAM | SocketLib.SOCK_NONBLOCK, 0),
                "socket(AF_INET, SOCK_STREAM)", "the process may be out of file descriptors");
        try {
            check(LIB.setsockopt(fd, SocketLib.SOL_SOCKET, SocketLib.SO_REUSEADDR, new int[] {1}, 4),
                    "setsockopt(SO_REUSEADDR)", "");
            check(LIB.bind(fd, addr, addr.length), "bind(" + host + ":" + port + ")",
                    "EADDRINUSE: another process listens there (pick another --bind port, or 0 for any free port);"
                            + " EADDRNOTAVAIL: no interface of this machine has that address");
            check(LIB.listen(fd, backlog), "listen(" + backlog + ")", "");
            return fd;
        } catch (ForkException e) {
            LIB.close(fd);
            throw e;
        }
    }

    /** The port a bound socket got (useful after binding port 0). */
    public static int boundPort(int fd) {
        byte[] addr = new byte[16];
        int[] len = {16};
        check(LIB.getsockname(fd, addr, len), "getsockname(" + fd + ")", "the descriptor is not a socket");
        return ((addr[2] & 0xff) << 8) | (addr[3] & 0xff);
    }

    /**
     * A 16-byte {@code struct sockaddr_in}: family in host byte order (little-endian here),
     * port and address in network byte order, eight bytes of zero padding.
     *
     * @throws IllegalArgumentException for anything but a dotted-quad IPv4 address and a port in 0..65535
     */
    public static byte[] sockaddrIn(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + host + "' is not an IPv4 address like 127.0.0.1"
                    + " (names such as localhost are not resolved: give the address)");
        }
        byte[] addr = new byte[16];
        addr[0] = SocketLib.AF_INET;
        addr[2] = (byte) (port >>> 8);
        addr[3] = (byte) port;
        for (int i = 0; i < 4; i++) {
            int octet;
            try {
                octet = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv4 address: '" + parts[i]
                        + "' is not a number in 0..255");
            }
            addr[4 + i] = (byte) octet;
        }
        return addr;
    }

    private static int check(int result, String call, String advice) {
        if (result < 0) {
            throw new ForkException(call, errno(), advice);
        }
        return result;
    }
}
