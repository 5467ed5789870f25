/*
 * ccat-transport-conformance: checks one transport against the contract of
 * include/ccat/ccat_transport.h. The backend (conf_backend(), see
 * conformance.h) supplies the transport; the peers are POSIX sockets on
 * 127.0.0.1 served by threads of this process. Nothing else is contacted.
 *
 * Every call goes through a wrapper that checks, whatever the scenario:
 *   - the result is > 0 and <= the length asked for (send/recv), exactly 1
 *     (connect), 0, or one of CCAT_TRANSPORT_ERR_* (-1..-7);
 *   - the call did not overrun its timeout (by more than CONF_SLACK_MS);
 *   - blocking ports: a 0 came only after the whole timeout was waited.
 * Scenarios: bad arguments and never-opened close, unknown host, refused
 * port, unanswered SYN (connect timeout, attempt kept, close aborts it),
 * echo with 1-byte reads and a 256 KiB round trip (partial sends/reads,
 * data integrity), silent peer (recv timeout, send fills up and then times
 * out), orderly close (data then ERR_CLOSED, sticky), reset (ERR_IO),
 * close idempotent everywhere, transport reusable after every outcome.
 */
#define _GNU_SOURCE 1

#include "conformance.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock_util.h"
#include "test.h"

#define CONF_SLACK_MS 1000u  /* scheduling noise allowed past a timeout (loaded CI) */
#define CONF_EARLY_MS 5u     /* clock granularity allowed before it */
#define CONF_DRIVE_MS 10000u /* how long a scenario keeps calling again */

static const conf_backend_t *B;
static unsigned long conf_violations;

/* ---- the checking wrappers --------------------------------------------- */

static uint32_t conf_now(void) {
    return B->platform.now_ms(B->platform.ctx);
}

static void conf_idle(void) {
    if (B->platform.idle != NULL) {
        B->platform.idle(B->platform.ctx);
    }
}

static void conf_violation(const char *what, const char *call, long rc, uint32_t el, uint32_t to) {
    conf_violations++;
    fprintf(stderr, "contract violation: %s: %s returned %ld after %u ms (timeout %u ms)\n", what, call,
            rc, (unsigned)el, (unsigned)to);
}

/* The checks every result must pass; @p max is the largest valid positive value. */
static int32_t conf_checked(const char *call, int32_t rc, long max, uint32_t start, uint32_t to) {
    uint32_t el = conf_now() - start;
    if (rc < CCAT_TRANSPORT_ERR_ARGUMENT || rc > max) {
        conf_violation("result out of range", call, rc, el, to);
    }
    if (el > to + CONF_SLACK_MS) {
        conf_violation("timeout overrun", call, rc, el, to);
    }
    if (rc == 0 && B->blocking && el + CONF_EARLY_MS < to) {
        conf_violation("blocking port returned 0 before its timeout", call, rc, el, to);
    }
    return rc;
}

static int32_t c_connect(ccat_transport_t *t, uint16_t port, uint32_t to) {
    uint32_t start = conf_now();
    return conf_checked("connect", t->connect(t->ctx, B->host, port, to), 1, start, to);
}

static int32_t c_send(ccat_transport_t *t, const uint8_t *p, size_t n, uint32_t to) {
    uint32_t start = conf_now();
    return conf_checked("send", t->send(t->ctx, p, n, to), (long)n, start, to);
}

static int32_t c_recv(ccat_transport_t *t, uint8_t *p, size_t n, uint32_t to) {
    uint32_t start = conf_now();
    return conf_checked("recv", t->recv(t->ctx, p, n, to), (long)n, start, to);
}

/* Call connect again (same arguments) after every 0, as the client does. */
static int32_t drive_connect(ccat_transport_t *t, uint16_t port) {
    uint32_t start = conf_now();
    int32_t rc;
    while ((rc = c_connect(t, port, 200)) == 0 && conf_now() - start < CONF_DRIVE_MS) {
        conf_idle();
    }
    return rc;
}

/* Receive exactly @p n bytes: n, or the first error / 0 at the deadline. */
static long recv_exact(ccat_transport_t *t, uint8_t *buf, size_t n) {
    uint32_t start = conf_now();
    size_t got = 0;
    while (got < n && conf_now() - start < CONF_DRIVE_MS) {
        int32_t rc = c_recv(t, buf + got, n - got, 200);
        if (rc < 0) {
            return rc;
        }
        got += (size_t)rc;
        if (rc == 0) {
            conf_idle();
        }
    }
    return (long)got;
}

/* The first non-zero recv result (data length or error). */
static int32_t recv_next(ccat_transport_t *t, uint8_t *buf, size_t n) {
    uint32_t start = conf_now();
    int32_t rc;
    while ((rc = c_recv(t, buf, n, 200)) == 0 && conf_now() - start < CONF_DRIVE_MS) {
        conf_idle();
    }
    return rc;
}

/* ---- peers: POSIX sockets on 127.0.0.1, one thread each ------------------- */

enum { PEER_ECHO, PEER_SILENT, PEER_BYE, PEER_RESET };

typedef struct peer {
    int lfd, cfd, mode;
    uint16_t port;
    volatile int stop;
    pthread_t th;
} peer_t;

/* Accept one connection, giving up when stopped. */
static int peer_accept(peer_t *p) {
    while (!p->stop) {
        struct pollfd pf = {p->lfd, POLLIN, 0};
        if (poll(&pf, 1, 50) > 0) {
            return accept(p->lfd, NULL, NULL);
        }
    }
    return -1;
}

/* Echo everything until EOF or stop. */
static void peer_echo(peer_t *p) {
    static uint8_t buf[65536];
    for (;;) {
        struct pollfd pf = {p->cfd, POLLIN, 0};
        ssize_t n;
        if (p->stop) {
            return;
        }
        if (poll(&pf, 1, 50) <= 0) {
            continue;
        }
        n = recv(p->cfd, buf, sizeof buf, 0);
        if (n <= 0) {
            return;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = send(p->cfd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
            if (w <= 0) {
                return;
            }
            off += w;
        }
    }
}

/* Read one byte, then close with an RST (linger 0). */
static void peer_reset(peer_t *p) {
    struct linger lg = {1, 0};
    uint8_t b;
    struct pollfd pf = {p->cfd, POLLIN, 0};
    (void)poll(&pf, 1, 5000);
    (void)recv(p->cfd, &b, 1, 0);
    (void)setsockopt(p->cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    (void)close(p->cfd);
    p->cfd = -1;
}

static void *peer_main(void *arg) {
    peer_t *p = arg;
    p->cfd = peer_accept(p);
    if (p->cfd < 0) {
        return NULL;
    }
    switch (p->mode) {
    case PEER_ECHO:
        peer_echo(p);
        break;
    case PEER_BYE:
        (void)send(p->cfd, "bye", 3, MSG_NOSIGNAL);
        (void)close(p->cfd);
        p->cfd = -1;
        break;
    case PEER_RESET:
        peer_reset(p);
        break;
    default: /* PEER_SILENT: hold the connection, never read or write */
        while (!p->stop) {
            usleep(10000);
        }
    }
    return NULL;
}

static void peer_start(peer_t *p, int mode) {
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->cfd = -1;
    p->lfd = loopback_socket(AF_INET, 8, &p->port);
    CHECK(p->lfd >= 0);
    CHECK(pthread_create(&p->th, NULL, peer_main, p) == 0);
}

static void peer_stop(peer_t *p) {
    p->stop = 1;
    (void)pthread_join(p->th, NULL);
    if (p->cfd >= 0) {
        (void)close(p->cfd);
    }
    (void)close(p->lfd);
}

/* ---- scenarios ------------------------------------------------------------ */

/* A peer in @p mode, and a transport of the backend under test connected to it. */
static void conn_open(peer_t *p, int mode, ccat_transport_t *t) {
    peer_start(p, mode);
    B->make(t);
    CHECK_EQ_INT(drive_connect(t, p->port), 1);
}

/* Close twice (a second close must be harmless), then stop the peer. */
static void conn_close(peer_t *p, ccat_transport_t *t) {
    t->close(t->ctx);
    t->close(t->ctx);
    peer_stop(p);
}

/* Wrong state or arguments -> ERR_ARGUMENT; close on a never-opened transport. */
static void sc_arguments(void) {
    ccat_transport_t t;
    uint8_t b = 0;
    B->make(&t);
    t.close(t.ctx);
    t.close(t.ctx);
    CHECK_EQ_INT(c_send(&t, &b, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(c_recv(&t, &b, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.connect(t.ctx, NULL, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    t.close(t.ctx);
}

/* A name that does not resolve (refused before any query: see test_posix.c). */
static void sc_dns(void) {
    ccat_transport_t t;
    uint32_t start = conf_now();
    int32_t rc;
    B->make(&t);
    while ((rc = t.connect(t.ctx, "no such host.invalid", 443, 200)) == 0 &&
           conf_now() - start < CONF_DRIVE_MS) {
        conf_idle();
    }
    CHECK_EQ_INT(rc, CCAT_TRANSPORT_ERR_DNS);
    t.close(t.ctx);
    t.close(t.ctx);
}

/* Connect to a live echo peer and check one round trip: the transport works. */
static void check_usable(ccat_transport_t *t) {
    peer_t p;
    uint8_t buf[4];
    peer_start(&p, PEER_ECHO);
    CHECK_EQ_INT(drive_connect(t, p.port), 1);
    CHECK_EQ_INT(c_send(t, (const uint8_t *)"ping", 4, 2000), 4);
    CHECK_EQ_INT(recv_exact(t, buf, 4), 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    t->close(t->ctx);
    peer_stop(&p);
}

/* A bound port nobody listens on: ERR_CONNECT; the transport is reusable. */
static void sc_refused(void) {
    ccat_transport_t t;
    uint16_t port = 0;
    int fd = loopback_socket(AF_INET, -1, &port);
    CHECK(fd >= 0);
    B->make(&t);
    CHECK_EQ_INT(drive_connect(&t, port), CCAT_TRANSPORT_ERR_CONNECT);
    close(fd);
    t.close(t.ctx);
    check_usable(&t);
}

/* An unanswered SYN: 0 in time, again 0, no data moves, close aborts it. */
static void sc_connect_timeout(void) {
    ccat_transport_t t;
    uint16_t port = 0;
    int filler = -1;
    int fd = loopback_black_hole(&port, &filler);
    uint8_t b = 'x';
    CHECK(fd >= 0);
    B->make(&t);
    CHECK_EQ_INT(c_connect(&t, port, 300), 0);
    conf_idle();
    CHECK_EQ_INT(c_connect(&t, port, 0), 0);
    CHECK_EQ_INT(c_send(&t, &b, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    t.close(t.ctx);
    t.close(t.ctx);
    close(filler);
    close(fd);
    check_usable(&t);
}

/* Echo: 1-byte reads, then 256 KiB both ways in pieces, byte for byte. */
static void sc_echo(void) {
    enum { BIG = 256 * 1024 };
    static uint8_t out[BIG], in[BIG];
    ccat_transport_t t;
    peer_t p;
    size_t sent = 0, got = 0, i;
    uint32_t start;
    uint8_t b = 0;
    for (i = 0; i < BIG; i++) {
        out[i] = (uint8_t)(i * 7 + (i >> 8));
    }
    conn_open(&p, PEER_ECHO, &t);
    CHECK_EQ_INT(t.connect(t.ctx, B->host, p.port, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(c_send(&t, (const uint8_t *)"hello", 5, 2000), 5);
    CHECK_EQ_INT(recv_next(&t, &b, 1), 1);
    CHECK_EQ_INT(b, 'h');
    CHECK_EQ_INT(recv_exact(&t, in, 4), 4);
    CHECK(memcmp(in, "ello", 4) == 0);
    CHECK_EQ_INT(c_recv(&t, NULL, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(c_send(&t, out, 0, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    start = conf_now();
    while (got < BIG && conf_now() - start < 20000u) {
        int32_t rc = sent < BIG ? c_send(&t, out + sent, BIG - sent, 10) : 0;
        if (rc > 0) {
            sent += (size_t)rc;
        }
        rc = c_recv(&t, in + got, BIG - got, 10);
        if (rc < 0) {
            break;
        }
        got += (size_t)rc;
        conf_idle();
    }
    printf("%s: echoed %zu of %d bytes\n", B->name, got, BIG);
    CHECK_EQ_INT(got, BIG);
    CHECK(memcmp(in, out, BIG) == 0);
    conn_close(&p, &t);
}

/* A peer that never reads or writes: recv times out, send fills up then times out. */
static void sc_silent(void) {
    static uint8_t chunk[65536];
    ccat_transport_t t;
    peer_t p;
    uint8_t b;
    int32_t rc = 1;
    size_t total = 0;
    uint32_t start;
    conn_open(&p, PEER_SILENT, &t);
    CHECK_EQ_INT(c_recv(&t, &b, 1, 300), 0);
    CHECK_EQ_INT(c_recv(&t, &b, 1, 0), 0);
    start = conf_now();
    /* full = nothing accepted for 500 ms (five blocking 100 ms waits) */
    while (total < (64u << 20) && conf_now() - start < 500u) {
        rc = c_send(&t, chunk, sizeof chunk, 100);
        if (rc < 0) {
            break;
        }
        total += (size_t)rc;
        if (rc > 0) {
            start = conf_now();
        } else {
            conf_idle();
        }
    }
    CHECK_EQ_INT(rc, 0);
    printf("%s: send accepted %zu bytes before the silent peer's buffers were full\n", B->name, total);
    CHECK(total > 0);
    CHECK(total < (64u << 20));
    CHECK_EQ_INT(c_send(&t, chunk, sizeof chunk, 200), 0);
    conn_close(&p, &t);
}

/* Data, then the peer's FIN: ERR_CLOSED, and again ERR_CLOSED. */
static void sc_eof(void) {
    ccat_transport_t t;
    peer_t p;
    uint8_t buf[8];
    conn_open(&p, PEER_BYE, &t);
    CHECK_EQ_INT(recv_exact(&t, buf, 3), 3);
    CHECK(memcmp(buf, "bye", 3) == 0);
    CHECK_EQ_INT(recv_next(&t, buf, sizeof buf), CCAT_TRANSPORT_ERR_CLOSED);
    CHECK_EQ_INT(recv_next(&t, buf, sizeof buf), CCAT_TRANSPORT_ERR_CLOSED);
    conn_close(&p, &t);
    check_usable(&t);
}

/* The peer resets: recv gives ERR_IO (not ERR_CLOSED), and so does send. */
static void sc_reset(void) {
    ccat_transport_t t;
    peer_t p;
    uint8_t b = 'r';
    int32_t rc = 1;
    int i;
    conn_open(&p, PEER_RESET, &t);
    CHECK_EQ_INT(c_send(&t, &b, 1, 2000), 1);
    CHECK_EQ_INT(recv_next(&t, &b, 1), CCAT_TRANSPORT_ERR_IO);
    for (i = 0; i < 50 && rc >= 0; i++) {
        rc = c_send(&t, &b, 1, 100);
        conf_idle();
    }
    CHECK_EQ_INT(rc, CCAT_TRANSPORT_ERR_IO);
    conn_close(&p, &t);
    check_usable(&t);
}

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        void (*run)(void);
    } sc[] = {
        {"arguments", sc_arguments}, {"dns", sc_dns},   {"refused", sc_refused},
        {"connect_timeout", sc_connect_timeout},        {"echo", sc_echo},
        {"silent", sc_silent},       {"eof", sc_eof},   {"reset", sc_reset},
    };
    size_t i;
    B = conf_backend(argc - 1, argv + 1);
    if (B == NULL || (B->setup != NULL && B->setup() != 0)) {
        fprintf(stderr, "ccat-transport-conformance: backend setup failed\n");
        return 1;
    }
    printf("transport: %s (%s)\n", B->name, B->blocking ? "blocking" : "non-blocking");
    for (i = 0; i < sizeof sc / sizeof sc[0]; i++) {
        unsigned long before = conf_violations;
        int failed = test_failed_;
        uint32_t start = conf_now();
        sc[i].run();
        CHECK_EQ_INT(conf_violations - before, 0);
        printf("%-16s %s (%u ms)\n", sc[i].name, test_failed_ == failed ? "ok" : "FAILED",
               (unsigned)(conf_now() - start));
    }
    return test_summary(B->name);
}
