// The memory system calls jnr-posix lacks (mmap, munmap, mprotect, madvise), bound with jnr-ffi.
package cowfork.cow;

import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/**
 * {@code mmap(2)}, {@code munmap(2)}, {@code mprotect(2)} and {@code madvise(2)}, which jnr-posix lacks, bound with jnr-ffi.
 *
 * <p>{@code mmap} takes six arguments, and jnr-ffi issue #181 corrupts the sixth when all
 * six are plain integers: {@code long mmap(long, long, int, int, int, long)} returned
 * MAP_FAILED with EINVAL here. Declaring the address as a {@link Pointer} and the
 * sizes as {@code size_t} / {@code off_t} works; {@code MmanBindingTest} proves it.
 */
public interface Mman {
    int PROT_NONE = 0x0;
    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_PRIVATE = 0x02;
    int MAP_ANONYMOUS = 0x20;
    int MADV_HUGEPAGE = 14;
    int MADV_NOHUGEPAGE = 15;
    /** mmap's error return, (void *) -1. */
    long MAP_FAILED = -1L;

    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    int munmap(Pointer addr, @size_t long length);

    int mprotect(Pointer addr, @size_t long length, int prot);

    int madvise(Pointer addr, @size_t long length, int advice);
}
