/*
 * POSIX TCP transport and platform hooks. See ccat_posix.h.
 *
 * The socket is non-blocking from creation on; every wait is a poll() bounded
 * by the caller's timeout, so no call can block longer than it was allowed.
 */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* glibc: getrandom() */
#endif

#include "ccat_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/random.h>
#endif

/* Monotonic milliseconds; wraps every 49.7 days, callers subtract. */
static uint32_t ccat_posix_mono_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* poll() takes an int. */
static int ccat_posix_poll_ms(uint32_t ms) {
    return ms > (uint32_t)INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Wait for @p events on @p fd. >0 ready (or error/hangup pending: the next
 * send/recv reports it), 0 timeout or signal, <0 poll() failed.
 */
static int ccat_posix_wait(int fd, short events, uint32_t timeout_ms) {
    struct pollfd p;
    int rc;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    rc = poll(&p, 1, ccat_posix_poll_ms(timeout_ms));
    if (rc < 0) {
        return errno == EINTR ? 0 : -1;
    }
    return rc;
}

static void ccat_posix_drop_attempt(ccat_posix_t *s) {
    if (s->fd >= 0) {
        (void)close(s->fd);
        s->fd = -1;
    }
}

static void ccat_posix_free_addrs(ccat_posix_t *s) {
    if (s->addrs != NULL) {
        freeaddrinfo(s->addrs);
    }
    s->addrs = NULL;
    s->next = NULL;
}

/* Non-blocking, close-on-exec, no SIGPIPE, no Nagle (requests are one write). */
static int ccat_posix_socket(const struct addrinfo *ai) {
    int one = 1;
    int fl;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        return -1;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        (void)close(fd);
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#if defined(SO_NOSIGPIPE)
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    return fd;
}

/* Start connecting to s->next: 1 connected, 0 pending, -1 this address failed. */
static int ccat_posix_start_attempt(ccat_posix_t *s) {
    const struct addrinfo *ai = s->next;
    s->next = ai->ai_next;
    s->fd = ccat_posix_socket(ai);
    if (s->fd < 0) {
        return -1;
    }
    s->attempt_ms = ccat_posix_mono_ms();
    if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        return 1;
    }
    if (errno == EINPROGRESS || errno == EINTR) {
        return 0;
    }
    ccat_posix_drop_attempt(s);
    return -1;
}

/* Wait up to @p wait_ms for the pending attempt: 1 connected, 0 pending, -1 failed. */
static int ccat_posix_finish_attempt(ccat_posix_t *s, uint32_t wait_ms) {
    int err = 0;
    socklen_t len = sizeof err;
    int rc = ccat_posix_wait(s->fd, POLLOUT, wait_ms);
    if (rc == 0) {
        return 0;
    }
    if (rc < 0 || getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ccat_posix_drop_attempt(s);
        return -1;
    }
    return 1;
}

/* Resolve host:port into s->addrs (IPv4 and IPv6, literals included). */
static int32_t ccat_posix_resolve(ccat_posix_t *s, const char *host, uint16_t port) {
    struct addrinfo hints;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    (void)snprintf(service, sizeof service, "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &s->addrs) != 0 || s->addrs == NULL) {
        s->addrs = NULL;
        return CCAT_TRANSPORT_ERR_DNS;
    }
    s->next = s->addrs;
    return 0;
}

/* How long the pending attempt may still wait in this call. */
static uint32_t ccat_posix_wait_budget(const ccat_posix_t *s, uint32_t start, uint32_t timeout_ms) {
    uint32_t now = ccat_posix_mono_ms();
    uint32_t used = now - start;
    uint32_t left = used < timeout_ms ? timeout_ms - used : 0;
    if (s->next != NULL) {
        uint32_t age = now - s->attempt_ms;
        uint32_t cap = age < CCAT_POSIX_ATTEMPT_MS ? CCAT_POSIX_ATTEMPT_MS - age : 0;
        left = cap < left ? cap : left;
    }
    return left;
}

/* Drive the attempts until connected, all failed, or this call's time is up. */
static int32_t ccat_posix_connect_step(ccat_posix_t *s, uint32_t timeout_ms) {
    uint32_t start = ccat_posix_mono_ms();
    for (;;) {
        int rc;
        if (s->fd < 0) {
            if (s->next == NULL) {
                ccat_posix_free_addrs(s);
                return CCAT_TRANSPORT_ERR_CONNECT;
            }
            rc = ccat_posix_start_attempt(s);
        } else {
            rc = ccat_posix_finish_attempt(s, ccat_posix_wait_budget(s, start, timeout_ms));
        }
        if (rc > 0) {
            ccat_posix_free_addrs(s);
            return 1;
        }
        if (rc == 0) {
            if (ccat_posix_mono_ms() - start >= timeout_ms) {
                return 0;
            }
            if (s->next != NULL && ccat_posix_mono_ms() - s->attempt_ms >= CCAT_POSIX_ATTEMPT_MS) {
                ccat_posix_drop_attempt(s); /* unanswered: give the next address its turn */
            }
        }
    }
}

static int32_t ccat_posix_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    ccat_posix_t *s = ctx;
    if (s == NULL || host == NULL || (s->fd >= 0 && s->addrs == NULL)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT; /* already connected: close first */
    }
    if (s->addrs == NULL) {
        int32_t rc = ccat_posix_resolve(s, host, port);
        if (rc < 0) {
            return rc;
        }
    }
    return ccat_posix_connect_step(s, timeout_ms);
}

/* Only a connected socket moves data. */
static int ccat_posix_ready(const ccat_posix_t *s, const void *p, size_t len) {
    return s != NULL && s->fd >= 0 && s->addrs == NULL && p != NULL && len > 0;
}

static int32_t ccat_posix_io_error(void) {
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : CCAT_TRANSPORT_ERR_IO;
}

static int32_t ccat_posix_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    ccat_posix_t *s = ctx;
    ssize_t n;
    int flags = 0;
    int rc;
    if (!ccat_posix_ready(s, data, len)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    rc = ccat_posix_wait(s->fd, POLLOUT, timeout_ms);
    if (rc <= 0) {
        return rc == 0 ? 0 : CCAT_TRANSPORT_ERR_IO;
    }
#if defined(MSG_NOSIGNAL)
    flags = MSG_NOSIGNAL;
#endif
    n = send(s->fd, data, len > INT32_MAX ? (size_t)INT32_MAX : len, flags);
    return n > 0 ? (int32_t)n : ccat_posix_io_error();
}

static int32_t ccat_posix_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    ccat_posix_t *s = ctx;
    ssize_t n;
    int rc;
    if (!ccat_posix_ready(s, buf, len)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    rc = ccat_posix_wait(s->fd, POLLIN, timeout_ms);
    if (rc <= 0) {
        return rc == 0 ? 0 : CCAT_TRANSPORT_ERR_IO;
    }
    n = recv(s->fd, buf, len > INT32_MAX ? (size_t)INT32_MAX : len, 0);
    if (n == 0) {
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    return n > 0 ? (int32_t)n : ccat_posix_io_error();
}

static void ccat_posix_close(void *ctx) {
    ccat_posix_t *s = ctx;
    if (s != NULL) {
        ccat_posix_drop_attempt(s);
        ccat_posix_free_addrs(s);
    }
}

void ccat_posix_transport_init(ccat_posix_t *sock, ccat_transport_t *out) {
    if (sock != NULL) {
        sock->fd = -1;
        sock->addrs = NULL;
        sock->next = NULL;
        sock->attempt_ms = 0;
    }
    if (out != NULL) {
        out->connect = ccat_posix_connect;
        out->send = ccat_posix_send;
        out->recv = ccat_posix_recv;
        out->close = ccat_posix_close;
        out->ctx = sock;
    }
}

/* ---- platform hooks ---------------------------------------------------- */

static uint32_t ccat_posix_now_ms(void *ctx) {
    (void)ctx;
    return ccat_posix_mono_ms();
}

/* Sleeps the full time even when signals interrupt it. */
static void ccat_posix_sleep_ms(void *ctx, uint32_t ms) {
    struct timespec req, rem;
    (void)ctx;
    req.tv_sec = (time_t)(ms / 1000u);
    req.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR) {
        req = rem;
    }
}

/* Kernel randomness; only used for retry jitter, so a failure degrades to the clock. */
static uint32_t ccat_posix_random_u32(void *ctx) {
    uint32_t v = 0;
    (void)ctx;
#if defined(__linux__)
    for (;;) {
        ssize_t n = getrandom(&v, sizeof v, 0);
        if (n == (ssize_t)sizeof v) {
            return v;
        }
        if (n >= 0 || errno != EINTR) {
            break;
        }
    }
#else
    if (getentropy(&v, sizeof v) == 0) {
        return v;
    }
#endif
    return ccat_posix_mono_ms() * 2654435761u;
}

void ccat_posix_platform_init(ccat_platform_t *out) {
    if (out != NULL) {
        out->now_ms = ccat_posix_now_ms;
        out->sleep_ms = ccat_posix_sleep_ms;
        out->random_u32 = ccat_posix_random_u32;
        out->idle = NULL;
        out->ctx = NULL;
    }
}
