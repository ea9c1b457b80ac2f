// What /proc says about processes: state, parent, children, wait channel; read by tests and demos.
package cowfork.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /proc} says about processes: a process's state letter, its parent, and
 * the children of a process. Used by tests ("no child is left behind") and by demos
 * (a zombie, a hung child). Never used inside a child.
 */
public final class Processes {
    private Processes() {}

    /**
     * This process's id, read from the {@code /proc/self} link on every call, so that a
     * forked child gets its own ({@code ProcessHandle.current()} keeps the pid of the
     * process that first asked, and a forked JVM child inherits that answer).
     */
    public static int self() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self: " + e, e);
        }
    }

    /**
     * The state letter of {@code pid} from {@code /proc/PID/stat}: R running, S sleeping,
     * D uninterruptible, Z zombie, T stopped... or '?' if there is no such process.
     */
    public static char state(int pid) {
        String stat = stat(pid);
        return stat == null ? '?' : stat.charAt(stat.lastIndexOf(')') + 2);
    }

    /** The parent pid of {@code pid}, or -1 if there is no such process. */
    public static int parentOf(int pid) {
        String stat = stat(pid);
        if (stat == null) {
            return -1;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[1]);
    }

    /** The pids whose parent is {@code pid}, including zombies not yet reaped. */
    public static List<Integer> childrenOf(int pid) {
        List<Integer> children = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                int candidate = Integer.parseInt(p.getFileName().toString());
                if (parentOf(candidate) == pid) {
                    children.add(candidate);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return children;
    }

    /** "pid 42 state S (sleeping) waiting in futex_wait_queue": what ps and wchan would tell. */
    public static String describe(int pid) {
        char s = state(pid);
        if (s == '?') {
            return "pid " + pid + " (gone)";
        }
        String wchan = read(Path.of("/proc", String.valueOf(pid), "wchan"));
        return "pid " + pid + " state " + s + " (" + stateName(s) + ")"
                + (wchan == null || wchan.isBlank() || wchan.equals("0") ? "" : ", waiting in " + wchan.strip());
    }

    /**
     * The system call {@code pid} is blocked in, from {@code /proc/PID/syscall} (x86-64
     * numbers named for the ones a stuck JVM child shows: futex is a lock or condition
     * variable, read/poll a pipe), e.g. "in system call 202 (futex)".
     */
    public static String syscall(int pid) {
        String s = read(Path.of("/proc", String.valueOf(pid), "syscall"));
        if (s == null || s.isBlank()) {
            return "system call unknown";
        }
        String nr = s.strip().split(" ")[0];
        String name = switch (nr) {
            case "0" -> "read";
            case "1" -> "write";
            case "7" -> "poll";
            case "202" -> "futex";
            case "61" -> "wait4";
            case "running" -> "none: running";
            default -> "";
        };
        return "in system call " + nr + (name.isEmpty() ? "" : " (" + name + ")");
    }

    /** How long gdb may take to attach and print a backtrace before we give up on it. */
    private static final long GDB_TIMEOUT_SECONDS = 30;

    /**
     * Every thread's backtrace in {@code pid}, from {@code gdb -p PID -batch -ex "thread apply
     * all bt"}: where a hung child is stuck, frame by frame. Never throws: if gdb is missing,
     * may not attach (Yama's ptrace_scope), or takes more than 30 s (it is then killed), the
     * text says so instead. The process is stopped only while gdb is attached.
     */
    public static String backtrace(int pid) {
        Path out = null;
        Process gdb = null;
        try {
            // gdb writes to a file, not a pipe: reading a pipe with a deadline would need a
            // second thread, and a thread the test JVM did not have before is one more thread
            // running at the next fork.
            out = Files.createTempFile("cowfork-gdb-" + pid + "-", ".txt");
            gdb = new ProcessBuilder("gdb", "-p", Integer.toString(pid), "-batch", "-ex", "thread apply all bt")
                    .redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!gdb.waitFor(GDB_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                gdb.destroyForcibly().waitFor();
                return "(gdb did not finish within " + GDB_TIMEOUT_SECONDS + " s and was killed)\n" + Files.readString(out);
            }
            return Files.readString(out);
        } catch (IOException e) {
            return "(no backtrace: cannot run gdb: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gdb.destroyForcibly();
            return "(no backtrace: interrupted while gdb ran)";
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a stray file in /tmp is not worth failing a diagnosis for
                }
            }
        }
    }

    /**
     * The conventional name of a Linux signal number, e.g. "SIGSEGV" for 11. (Our own table:
     * jnr-constants names 6 by its alias SIGIOT, which nobody recognises.)
     */
    public static String signalName(int signal) {
        if (signal >= 1 && signal < LINUX_SIGNALS.size()) {
            return "SIG" + LINUX_SIGNALS.get(signal);
        }
        if (signal >= 34 && signal <= 64) {
            return "SIGRTMIN+" + (signal - 34);
        }
        return "signal " + signal;
    }

    /** Linux signal names by number (x86-64 and arm64 share them). */
    private static final List<String> LINUX_SIGNALS = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** The meaning of a {@code /proc/PID/stat} state letter. */
    public static String stateName(char s) {
        return switch (s) {
            case 'R' -> "running";
            case 'S' -> "sleeping";
            case 'D' -> "uninterruptible sleep";
            case 'Z' -> "zombie: exited, not yet reaped";
            case 'T' -> "stopped";
            case 't' -> "traced";
            case 'X' -> "dead";
            case 'I' -> "idle";
            default -> "unknown";
        };
    }

    private static String stat(int pid) {
        return read(Path.of("/proc", String.valueOf(pid), "stat"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return null; // the process is gone, or never was
        }
    }
}
