// "/proc/PID/NAME" as NUL-terminated bytes in one array, opened read-only without allocating.
package cowfork.server.stats;

import cowfork.fork.Syscalls;
import java.nio.charset.StandardCharsets;

/** The path of one {@code /proc/PID/} file, written for each pid into the same array, and opened with 01's {@code LibC.open}. */
final class ProcPath {
    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private final byte[] name;
    private final byte[] path;
    private int length;

    ProcPath(String file) {
        this.name = ("/" + file + "\0").getBytes(StandardCharsets.US_ASCII);
        this.path = new byte[PROC.length + 11 + name.length];
    }

    /** Opens {@code /proc/PID/FILE} read-only: a descriptor, or -1 with errno set ({@link Syscalls#libcErrno}). */
    int open(int pid) {
        System.arraycopy(PROC, 0, path, 0, PROC.length);
        int p = cowfork.server.http.Bytes.putDecimal(path, PROC.length, path.length, pid);
        System.arraycopy(name, 0, path, p, name.length);
        length = p + name.length - 1;
        return Syscalls.libc().open(path, 0);
    }

    /** The path last opened, for a message. */
    @Override
    public String toString() {
        return new String(path, 0, length, StandardCharsets.US_ASCII);
    }
}
