// Proves each jnr-ffi binding in Mman reaches the kernel with the arguments we meant (jnr-ffi issue #181).
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.fork.Syscalls;
import cowfork.support.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmanBindingTest {
    private static final Mman MMAN = LibraryLoader.create(Mman.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(MMAN);
    private static final int EINVAL = 22;
    private static final int O_RDONLY = 0;

    @Test
    void anonymousMappingIsPageAlignedWritableAndUnmaps() {
        long length = 3 * Region.PAGE_SIZE;
        Pointer p = MMAN.mmap(null, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        assertThat(p.address()).isNotEqualTo(Mman.MAP_FAILED);
        assertThat(p.address() % Region.PAGE_SIZE).isZero();
        Region.UNSAFE.putLong(p.address() + length - 8, 0x1122334455667788L);
        assertThat(Region.UNSAFE.getLong(p.address() + length - 8)).isEqualTo(0x1122334455667788L);
        Smaps.Mapping m = Smaps.mappingAt(Processes.self(), p.address());
        assertThat(m.perms()).isEqualTo("rw-p");
        assertThat(MMAN.munmap(p, length)).isZero();
        assertThat(Smaps.all(Processes.self())).noneMatch(x -> x.contains(p.address()) && x.start() == p.address());
    }

    /**
     * The sixth argument is the one issue #181 corrupts. Map page 1 of a file: if the
     * offset arrived as anything but 4096 we would read page 0's bytes, or fail.
     */
    @Test
    void sixthArgumentOffsetReachesTheKernel(@TempDir Path dir) throws IOException {
        byte[] content = new byte[2 * Region.PAGE_SIZE];
        content[0] = 'A';
        content[Region.PAGE_SIZE] = 'B';
        content[Region.PAGE_SIZE + 1] = 'C';
        Path file = Files.write(dir.resolve("two-pages"), content);
        int fd = Syscalls.posix().open(file.toString(), O_RDONLY, 0);
        assertThat(fd).as("open(%s)", file).isNotNegative();
        try {
            Pointer p = MMAN.mmap(null, Region.PAGE_SIZE, Mman.PROT_READ, Mman.MAP_PRIVATE, fd, Region.PAGE_SIZE);
            assertThat(p.address()).isNotEqualTo(Mman.MAP_FAILED);
            assertThat(Region.UNSAFE.getByte(p.address())).isEqualTo((byte) 'B');
            assertThat(Region.UNSAFE.getByte(p.address() + 1)).isEqualTo((byte) 'C');
            assertThat(MMAN.munmap(p, Region.PAGE_SIZE)).isZero();

            // An offset that is not a page multiple must be refused: proof the kernel sees it as we passed it.
            Pointer bad = MMAN.mmap(null, Region.PAGE_SIZE, Mman.PROT_READ, Mman.MAP_PRIVATE, fd, 100);
            assertThat(bad.address()).isEqualTo(Mman.MAP_FAILED);
            assertThat(LastError.getLastError(RUNTIME)).isEqualTo(EINVAL);
        } finally {
            Syscalls.posix().close(fd);
        }
    }

    @Test
    void madviseSetsTheHugePageFlagsSmapsReports() {
        long length = 4 * Region.PAGE_SIZE;
        Pointer p = MMAN.mmap(null, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            assertThat(MMAN.madvise(p, length, Mman.MADV_NOHUGEPAGE)).isZero();
            assertThat(Smaps.mappingAt(Processes.self(), p.address()).vmFlags()).contains("nh").doesNotContain("hg");
            assertThat(MMAN.madvise(p, length, Mman.MADV_HUGEPAGE)).isZero();
            assertThat(Smaps.mappingAt(Processes.self(), p.address()).vmFlags()).contains("hg").doesNotContain("nh");
            assertThat(MMAN.madvise(p, length, 9999)).as("an unknown advice").isEqualTo(-1);
            assertThat(LastError.getLastError(RUNTIME)).isEqualTo(EINVAL);
        } finally {
            MMAN.munmap(p, length);
        }
    }

    @Test
    void mprotectChangesThePermissionsOfExactlyTheRangeGiven() {
        long length = 3 * Region.PAGE_SIZE;
        Pointer p = MMAN.mmap(null, length, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            Pointer middle = Pointer.wrap(RUNTIME, p.address() + Region.PAGE_SIZE);
            assertThat(MMAN.mprotect(middle, Region.PAGE_SIZE, Mman.PROT_READ | Mman.PROT_WRITE)).isZero();
            int self = Processes.self();
            assertThat(Smaps.mappingAt(self, p.address()).perms()).isEqualTo("---p");
            Smaps.Mapping rw = Smaps.mappingAt(self, middle.address());
            assertThat(rw.perms()).isEqualTo("rw-p");
            assertThat(rw.start()).isEqualTo(middle.address());
            assertThat(rw.end()).isEqualTo(middle.address() + Region.PAGE_SIZE);
            assertThat(Smaps.mappingAt(self, p.address() + 2 * Region.PAGE_SIZE).perms()).isEqualTo("---p");
        } finally {
            MMAN.munmap(p, length);
        }
    }
}
