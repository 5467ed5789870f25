/*
 * What every client of the performance comparison shares: the reference
 * exchange of /work/shared/bench/README.md (request parameters and the
 * values the response carries) and the one-line result every client prints.
 *
 * Result line (stdout, last line, parsed by run.sh):
 *   ok client=NAME calls=N elapsed_ns=T first_ns=F maxrss_kb=K
 * elapsed_ns covers the N calls only (set-up, such as loading the CA or
 * creating the client, is outside); first_ns is the first call alone (it
 * opens the kept-alive connection), so (T - F) / (N - 1) is the steady-state
 * call. maxrss_kb: VmHWM, the peak resident set of the process.
 */
#ifndef CCAT_PERF_COMMON_H
#define CCAT_PERF_COMMON_H

#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The request of the reference exchange ... */
#define PERF_TOKEN "eyJraWQiOiJrZXktMSIsImFsZyI6IkVTMjU2In0.payload.sig"
#define PERF_NAME "device-42"
#define PERF_EXPIRES_TEXT "2027-11-27T18:51:53Z"
#define PERF_EXPIRES_UNIX INT64_C(1827341513) /* that instant, seconds */
/* ... and what tests/data/create-response.http (served by nginx) carries. */
#define PERF_SECRET "ccpat_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMn"
#define PERF_TOKEN_ID "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"

/** @brief Monotonic nanoseconds. */
static inline uint64_t perf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * @brief Peak resident set of this process in KiB: VmHWM of /proc/self/status.
 * Not getrusage(): its ru_maxrss survives execve(), so a child of a large
 * parent (the Python harness) would report the parent's peak.
 */
static inline long perf_maxrss_kb(void)
{
    char line[128];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/** @brief "--calls N" style positive count; 0 on a bad value. */
static inline unsigned long perf_count(const char *s)
{
    char *end;
    unsigned long v;
    if (s == NULL || *s < '0' || *s > '9')
        return 0;
    v = strtoul(s, &end, 10);
    return *end == '\0' ? v : 0;
}

/** @brief A whole (small) file into a malloc'd NUL-terminated buffer; NULL on failure. */
static inline unsigned char *perf_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = 0;
            *len = (size_t)n + 1;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

#endif /* CCAT_PERF_COMMON_H */
