/*
 * fork_latency.c: the C baseline for ForkLatency. Touches a block of TOUCHED_MIB
 * mebibytes in PAGES (4k: advised MADV_NOHUGEPAGE; 2m: 2 MiB-aligned and advised
 * MADV_HUGEPAGE, as chapter 02's Region maps it), plus FILLER_MIB more in 4 KiB pages
 * (standing for the rest of the JVM's resident memory), so that every page is present.
 * Then forks FORKS children that _exit(0) at once, and prints the median time of the
 * fork() call in microseconds, as the parent sees it, with how much of the block the
 * kernel really backed by huge pages (AnonHugePages of its mapping in /proc/self/smaps).
 *
 *   usage: fork_latency TOUCHED_MIB FILLER_MIB 4k|2m FORKS
 *   prints: c_fork pages=P touched_mib=T thp_mib=H rss_mib=R forks=F median_us=M
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HUGE_PAGE (2UL << 20)

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Maps bytes (2 MiB-aligned, with room to align), advises them, touches every page; exits on failure. */
static char *touch_block(size_t bytes, int advice) {
    char *base = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    char *block = (char *)(((unsigned long)base + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
    if (madvise(block, bytes, advice) != 0) {
        perror(advice == MADV_HUGEPAGE ? "madvise(MADV_HUGEPAGE)" : "madvise(MADV_NOHUGEPAGE)");
        exit(1);
    }
    memset(block, 1, bytes);
    return block;
}

/* AnonHugePages in kB of the smaps entry holding addr (madvise split the block into entries of its own); -1 if none. */
static long anon_huge_kb(const char *addr) {
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL) {
        perror("/proc/self/smaps");
        exit(1);
    }
    char line[512];
    int inside = 0;
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, ':') > strchr(line, ' ')) {
            inside = (unsigned long)addr >= start && (unsigned long)addr < end;
        } else if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}

/* VmRSS of this process in kB, from /proc/self/status. */
static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kb;
}

int main(int argc, char **argv) {
    if (argc != 5 || (strcmp(argv[3], "4k") != 0 && strcmp(argv[3], "2m") != 0)) {
        fprintf(stderr, "usage: %s TOUCHED_MIB FILLER_MIB 4k|2m FORKS\n", argv[0]);
        return 2;
    }
    long mib = atol(argv[1]);
    long filler_mib = atol(argv[2]);
    int huge = strcmp(argv[3], "2m") == 0;
    int forks = atoi(argv[4]);
    if (mib <= 0 || filler_mib < 0 || forks <= 0) {
        fprintf(stderr, "TOUCHED_MIB and FORKS must be positive, FILLER_MIB not negative\n");
        return 2;
    }
    char *block = touch_block((size_t)mib << 20, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    if (filler_mib > 0) {
        touch_block((size_t)filler_mib << 20, MADV_NOHUGEPAGE);
    }
    long thp_kb = anon_huge_kb(block);
    if (thp_kb < 0) {
        fprintf(stderr, "no AnonHugePages line for the block in /proc/self/smaps\n");
        return 1;
    }
    long long *took = calloc(forks, sizeof *took);
    for (int i = 0; i < forks; i++) {
        long long t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            _exit(0);
        }
        long long t1 = now_ns();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        took[i] = t1 - t0;
        waitpid(pid, NULL, 0);
    }
    qsort(took, forks, sizeof *took, cmp);
    printf("c_fork pages=%s touched_mib=%ld thp_mib=%ld rss_mib=%ld forks=%d median_us=%lld\n", argv[3], mib,
           thp_kb >> 10, rss_kb() >> 10, forks, took[forks / 2] / 1000);
    return 0;
}
