/*
 * fork_latency.c: the C baseline for ForkLatency. Makes this process resident at
 * RSS_MIB mebibytes (malloc + memset, so every page is present), then forks FORKS
 * children that _exit(0) at once, and prints the median time of the fork() call
 * in microseconds, as the parent sees it.
 *
 *   usage: fork_latency RSS_MIB FORKS
 *   prints: c_fork rss_mib=N forks=F median_us=M
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s RSS_MIB FORKS\n", argv[0]);
        return 2;
    }
    long mib = atol(argv[1]);
    int forks = atoi(argv[2]);
    if (mib <= 0 || forks <= 0) {
        fprintf(stderr, "RSS_MIB and FORKS must be positive\n");
        return 2;
    }
    size_t bytes = (size_t)mib << 20;
    char *block = malloc(bytes);
    if (block == NULL) {
        perror("malloc");
        return 1;
    }
    memset(block, 1, bytes);
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
    printf("c_fork rss_mib=%ld forks=%d median_us=%lld\n", mib, forks, took[forks / 2] / 1000);
    free(block);
    return 0;
}
