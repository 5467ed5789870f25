/*
 * Spawning tests/ports/servers.py from a C test: the server's stdin and
 * stdout are pipes; it prints "PORT <n>" when listening and exits at stdin
 * EOF, so closing our end of that pipe (or dying) always stops it.
 */
#ifndef CCAT_TEST_SERVER_PROC_H
#define CCAT_TEST_SERVER_PROC_H

#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "ccat/ccat_transport.h"
#include <unistd.h>

/** A running helper server. */
typedef struct server_proc {
    pid_t pid;      /* -1 when not running */
    int to_child;   /* its stdin */
    int from_child; /* its stdout */
    uint16_t port;  /* 0 if it did not start */
} server_proc_t;

static inline uint32_t test_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* Read one line (without the newline) within timeout_ms; 0 ok, -1 timeout/EOF. */
static inline int server_read_line(server_proc_t *s, char *line, size_t cap, uint32_t timeout_ms) {
    uint32_t start = test_now_ms();
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd p = {s->from_child, POLLIN, 0};
        uint32_t used = test_now_ms() - start;
        char c;
        if (used >= timeout_ms || poll(&p, 1, (int)(timeout_ms - used)) <= 0 ||
            read(s->from_child, &c, 1) != 1) {
            break;
        }
        if (c == '\n') {
            line[n] = '\0';
            return 0;
        }
        line[n++] = c;
    }
    line[n] = '\0';
    return -1;
}

/*
 * Fork and exec @p argv (argv[0]: the interpreter's path; NULL-terminated)
 * with pipes on its stdin and stdout, then wait for its "PORT <n>" line;
 * port stays 0 on failure. What server_start() and the resumption tests'
 * resume_server_start() both do.
 */
static inline void server_spawn(server_proc_t *s, char *const argv[]) {
    int in[2], out[2];
    char line[64];
    s->pid = -1;
    s->port = 0;
    s->to_child = s->from_child = -1;
    if (pipe(in) != 0 || pipe(out) != 0) {
        return;
    }
    s->pid = fork();
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->to_child = in[1];
    s->from_child = out[0];
    if (s->pid > 0 && server_read_line(s, line, sizeof line, 10000) == 0 &&
        strncmp(line, "PORT ", 5) == 0) {
        s->port = (uint16_t)atoi(line + 5);
    } else {
        fprintf(stderr, "%s %s %s did not start\n", argv[1], argv[2], argv[3]);
    }
}

/* Start "python3 servers.py mode host [cert key]"; port stays 0 on failure. */
static inline void server_start(server_proc_t *s, const char *python, const char *script,
                                const char *mode, const char *host, const char *cert,
                                const char *key) {
    char *argv[] = {(char *)python, (char *)script, (char *)mode, (char *)host,
                    (char *)cert,   (char *)key,    NULL};
    if (cert == NULL) {
        argv[4] = NULL;
    }
    server_spawn(s, argv);
}

/* Close its stdin, wait up to 3 s, then SIGKILL it (by pid: we started it). */
static inline void server_stop(server_proc_t *s) {
    int status;
    uint32_t start = test_now_ms();
    if (s->to_child >= 0) {
        close(s->to_child);
        s->to_child = -1;
    }
    while (s->pid > 0 && waitpid(s->pid, &status, WNOHANG) == 0) {
        if (test_now_ms() - start > 3000) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            break;
        }
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    s->pid = -1;
    if (s->from_child >= 0) {
        close(s->from_child);
        s->from_child = -1;
    }
}


/* Send everything and read it back, interleaved so no buffer fills up;
 * 0 when all came back within 10 s, else the transport's error (or -100). */
static inline int32_t echo_roundtrip(const ccat_transport_t *t, const uint8_t *data,
                                     uint8_t *back, size_t len, uint32_t send_ms,
                                     uint32_t recv_ms) {
    size_t sent = 0, got = 0;
    uint32_t start = test_now_ms();
    while (got < len) {
        int32_t n;
        if (test_now_ms() - start > 10000) {
            return -100;
        }
        if (sent < len) {
            n = t->send(t->ctx, data + sent, len - sent, send_ms);
            if (n < 0) {
                return n;
            }
            sent += (size_t)n;
        }
        n = t->recv(t->ctx, back + got, len - got, recv_ms);
        if (n < 0) {
            return n;
        }
        got += (size_t)n;
    }
    return 0;
}

#endif
