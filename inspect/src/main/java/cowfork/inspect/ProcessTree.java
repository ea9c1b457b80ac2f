// Which processes make up a pre-forking server: its master, the workers it forked, and their descendants, from /proc.
package cowfork.inspect;

import cowfork.support.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds the processes of a server from the outside, in one of two ways the kernel offers:
 * <pre>
 *   /proc/PID/task/TID/children   the children each thread of PID forked (CONFIG_PROC_CHILDREN;
 *                                 not every kernel has it: probed once, see {@link #CHILDREN_FILES})
 *   /proc/N/stat, field 4         the parent of every process N: one pass over /proc
 * </pre>
 * A pre-forking server's tree, and the role each process plays in it:
 * <pre>
 *   master 15020                  the pid you name (or the one --name finds)
 *   ├── worker 15021              a child of the master: forked from it, sharing its pages
 *   ├── worker 15022
 *   │   └── other 15090           a descendant further down (only with --tree)
 *   └── worker 15023
 * </pre>
 * A listing is a snapshot: a worker that exits and is replaced shows up as a new pid in the
 * next listing. Reading {@code /proc/N/stat} and {@code cmdline} needs no privilege.
 */
final class ProcessTree {
    private ProcessTree() {}

    /** What a process is to the server. */
    enum Role {
        MASTER("master"), WORKER("worker"), OTHER("other");

        private final String label;

        Role(String label) {
            this.label = label;
        }

        /** "master", "worker" or "other", as the table and the JSON print it. */
        String label() {
            return label;
        }
    }

    /** One process of the tree: its pid, its parent's, and its role. */
    record Member(int pid, int ppid, Role role) {
        @Override
        public String toString() {
            return role.label() + " " + pid;
        }
    }

    /** Whether this kernel has {@code /proc/PID/task/TID/children} (probed on our own process). */
    static final boolean CHILDREN_FILES = hasChildrenFiles();

    /**
     * The master {@code masterPid} and its workers (its children), master first, then by pid;
     * with {@code wholeTree}, every further descendant too (role {@link Role#OTHER}).
     *
     * @throws InspectFailure (exit code {@link InspectFailure#NO_SUCH_PROCESS}) if there is no process {@code masterPid}
     */
    static List<Member> list(int masterPid, boolean wholeTree) {
        return list(masterPid, wholeTree, CHILDREN_FILES);
    }

    /** As {@link #list(int, boolean)}, reading children from the children files or from one pass over /proc. Package-private for tests. */
    static List<Member> list(int masterPid, boolean wholeTree, boolean fromChildrenFiles) {
        int masterParent = Processes.parentOf(masterPid);
        if (masterParent < 0) {
            throw InspectFailure.noSuchProcess("no process " + masterPid + " (check the pid with ps; if /proc is mounted"
                    + " with hidepid, another user's processes are hidden from you)");
        }
        Map<Integer, Set<Integer>> byParent = fromChildrenFiles ? null : childrenByParent();
        List<Member> members = new ArrayList<>(List.of(new Member(masterPid, masterParent, Role.MASTER)));
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            if (m.role() != Role.MASTER && !wholeTree) {
                break; // master first, then its children: without --tree nothing below them
            }
            Set<Integer> children = fromChildrenFiles ? childrenFromFiles(m.pid()) : byParent.getOrDefault(m.pid(), Set.of());
            for (int child : children) {
                members.add(new Member(child, m.pid(), m.role() == Role.MASTER ? Role.WORKER : Role.OTHER));
            }
        }
        return members;
    }

    /**
     * The master of the one server whose command line matches {@code pattern}. Of the matching
     * processes, the master is one that has forked a matching child running the same program
     * (the same {@code comm}: a fork, not an exec), and whose parent is not such a master itself:
     * so a wrapper that also matches ({@code timeout 600 gunicorn ...}, {@code sudo}, a shell) is
     * passed over, and so are the workers (setproctitle's "gunicorn: worker" matches "gunicorn"
     * too). Where no matching process has forked one, the topmost matching process is taken.
     * This process and its ancestors are never matched: the pattern is on our own command line.
     *
     * @throws InspectFailure (exit code {@link InspectFailure#NO_SUCH_PROCESS}) if no process matches
     * @throws IllegalArgumentException if several unrelated processes match (the message lists
     *         them: name one by pid)
     */
    static int findMaster(Pattern pattern) {
        Set<Integer> skip = new HashSet<>();
        for (int p = Processes.self(); p > 0 && skip.add(p); p = Processes.parentOf(p)) {
            // this JVM and its ancestors (./cowfork's shell, the terminal's shell): their command lines hold the pattern
        }
        Map<Integer, String> matches = new HashMap<>();
        for (int pid : allPids()) {
            String cmd = commandLine(pid);
            if (!skip.contains(pid) && cmd != null && pattern.matcher(cmd).find()) {
                matches.put(pid, cmd);
            }
        }
        Map<Integer, Integer> parents = new HashMap<>();
        matches.keySet().forEach(pid -> parents.put(pid, Processes.parentOf(pid)));
        Set<Integer> forkers = new TreeSet<>();
        for (int pid : matches.keySet()) {
            Integer parent = parents.get(pid);
            if (matches.containsKey(parent) && Objects.equals(comm(pid), comm(parent))) {
                forkers.add(parent);
            }
        }
        Set<Integer> candidates = forkers.isEmpty() ? new TreeSet<>(matches.keySet()) : forkers;
        List<Integer> masters = new ArrayList<>();
        for (int pid : candidates) {
            if (!candidates.contains(parents.get(pid))) {
                masters.add(pid);
            }
        }
        if (masters.isEmpty()) {
            throw InspectFailure.noSuchProcess("no process's command line matches '" + pattern + "' (ps -eo pid,args shows them)");
        }
        if (masters.size() > 1) {
            StringBuilder sb = new StringBuilder(masters.size() + " unrelated processes match '" + pattern
                    + "'; name the master by its pid (./cowfork inspect PID) or narrow the pattern:");
            for (int pid : masters) {
                sb.append("\n  ").append(pid).append("  ").append(shorten(matches.get(pid), 100));
            }
            throw new IllegalArgumentException(sb.toString());
        }
        return masters.get(0);
    }

    /** The program name of {@code pid} (/proc/PID/comm, what a fork keeps and an exec changes); null if it is gone. */
    static String comm(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** The command line of {@code pid}, arguments separated by spaces; null if it is gone ("" for a kernel thread). */
    static String commandLine(int pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code s} cut to {@code max} characters, with "..." where it was cut. */
    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** Every process's children, from one pass over /proc/N/stat. */
    private static Map<Integer, Set<Integer>> childrenByParent() {
        Map<Integer, Set<Integer>> byParent = new HashMap<>();
        for (int pid : allPids()) {
            int parent = Processes.parentOf(pid);
            if (parent >= 0) {
                byParent.computeIfAbsent(parent, k -> new TreeSet<>()).add(pid);
            }
        }
        return byParent;
    }

    /** The children of every thread of {@code pid}, from /proc/PID/task/TID/children; empty if it is gone. */
    private static Set<Integer> childrenFromFiles(int pid) {
        Set<Integer> children = new TreeSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    for (String c : Files.readString(task.resolve("children")).split("\\s+")) {
                        if (!c.isEmpty()) {
                            children.add(Integer.parseInt(c));
                        }
                    }
                } catch (NoSuchFileException threadGone) {
                    // the thread ended between listing and reading: it has no children to give
                }
            }
        } catch (NoSuchFileException gone) {
            return Set.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the threads of process " + pid + ": " + e, e);
        }
        return children;
    }

    private static List<Integer> allPids() {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                pids.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return pids;
    }

    private static boolean hasChildrenFiles() {
        int self = Processes.self();
        return Files.exists(Path.of("/proc", Integer.toString(self), "task", Integer.toString(self), "children"));
    }
}
