/*
 * TCP transport over lwIP's sockets API (NO_SYS=0). See ccat_lwip_sockets.h.
 *
 * Mirrors ports/posix: the socket is non-blocking from creation on, and every
 * wait is an lwip_select() bounded by the caller's timeout, so no call blocks
 * longer than it was allowed. Only lwip_* names are used, so the file builds
 * whatever LWIP_COMPAT_SOCKETS says and next to a host's own socket headers.
 */
#include "ccat_lwip_sockets.h"

#include <string.h>

#include "lwip/errno.h"
#include "lwip/inet.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#if !LWIP_SOCKET || NO_SYS
#error "ccat_lwip_sockets.c needs LWIP_SOCKET=1 and NO_SYS=0 (bare metal: ccat_lwip_raw.c)"
#endif

/* lwip_select() timeout from milliseconds. */
static void ccat_lwsock_tv(struct timeval *tv, uint32_t ms) {
    tv->tv_sec = (long)(ms / 1000u);
    tv->tv_usec = (long)(ms % 1000u) * 1000L;
}

/* Wait until @p fd is readable (@p write 0) or writable: >0 ready, 0 timeout, <0 error. */
static int ccat_lwsock_wait(int fd, int write, uint32_t timeout_ms) {
    fd_set set;
    struct timeval tv;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    ccat_lwsock_tv(&tv, timeout_ms);
    return lwip_select(fd + 1, write ? NULL : &set, write ? &set : NULL, NULL, &tv);
}

static void ccat_lwsock_drop(ccat_lwip_sockets_t *s) {
    if (s->fd >= 0) {
        (void)lwip_close(s->fd);
    }
    s->fd = -1;
    s->connecting = 0;
    s->eof = 0;
}

/* Host -> address: the hook, a literal, then lwIP's DNS. 0 or ERR_DNS. */
static int32_t ccat_lwsock_resolve(const ccat_lwip_sockets_t *s, const char *host, ip_addr_t *out) {
    if (s->resolve != NULL) {
        return s->resolve(s->resolve_ctx, host, out) == 0 ? 0 : CCAT_TRANSPORT_ERR_DNS;
    }
    if (ipaddr_aton(host, out)) {
        return 0;
    }
#if LWIP_DNS
    {
        struct addrinfo hints, *res = NULL;
        int rc;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        rc = lwip_getaddrinfo(host, NULL, &hints, &res);
        if (rc == 0 && res != NULL && res->ai_family == AF_INET) {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)res->ai_addr;
            inet_addr_to_ip4addr(ip_2_ip4(out), &sin->sin_addr);
            IP_SET_TYPE(out, IPADDR_TYPE_V4);
            lwip_freeaddrinfo(res);
            return 0;
        }
        if (res != NULL) {
            lwip_freeaddrinfo(res);
        }
    }
#endif
    return CCAT_TRANSPORT_ERR_DNS;
}

/* Open a non-blocking socket and start connecting: 1 done, 0 pending, <0 failed. */
static int32_t ccat_lwsock_start(ccat_lwip_sockets_t *s, const ip_addr_t *addr, uint16_t port) {
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1;
    memset(&ss, 0, sizeof ss);
#if LWIP_IPV6
    if (IP_IS_V6(addr)) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)(void *)&ss;
        a->sin6_len = sizeof *a;
        a->sin6_family = AF_INET6;
        a->sin6_port = lwip_htons(port);
        inet6_addr_from_ip6addr(&a->sin6_addr, ip_2_ip6(addr));
        len = sizeof *a;
    } else
#endif
    {
        struct sockaddr_in *a = (struct sockaddr_in *)(void *)&ss;
        a->sin_len = sizeof *a;
        a->sin_family = AF_INET;
        a->sin_port = lwip_htons(port);
        inet_addr_from_ip4addr(&a->sin_addr, ip_2_ip4(addr));
        len = sizeof *a;
    }
    s->fd = lwip_socket(ss.ss_family, SOCK_STREAM, 0);
    if (s->fd < 0 || lwip_fcntl(s->fd, F_SETFL, O_NONBLOCK) != 0) {
        ccat_lwsock_drop(s);
        return CCAT_TRANSPORT_ERR_CONNECT; /* out of sockets */
    }
    (void)lwip_setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (lwip_connect(s->fd, (struct sockaddr *)(void *)&ss, len) == 0) {
        return 1;
    }
    if (errno == EINPROGRESS) {
        s->connecting = 1;
        return 0;
    }
    ccat_lwsock_drop(s);
    return CCAT_TRANSPORT_ERR_CONNECT;
}

/* Wait for the pending connect: 1 connected, 0 still pending, ERR_CONNECT. */
static int32_t ccat_lwsock_finish(ccat_lwip_sockets_t *s, uint32_t timeout_ms) {
    int err = 0;
    socklen_t len = sizeof err;
    int rc = ccat_lwsock_wait(s->fd, 1, timeout_ms);
    if (rc == 0) {
        return 0;
    }
    if (rc < 0 || lwip_getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ccat_lwsock_drop(s);
        return CCAT_TRANSPORT_ERR_CONNECT;
    }
    s->connecting = 0;
    return 1;
}

static int32_t ccat_lwsock_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    ccat_lwip_sockets_t *s = ctx;
    ip_addr_t addr;
    int32_t rc;
    if (s == NULL || host == NULL || (s->fd >= 0 && !s->connecting)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT; /* already connected: close first */
    }
    if (s->fd < 0) {
        rc = ccat_lwsock_resolve(s, host, &addr);
        if (rc < 0) {
            return rc;
        }
        rc = ccat_lwsock_start(s, &addr, port);
        if (rc != 0) {
            return rc;
        }
    }
    return ccat_lwsock_finish(s, timeout_ms);
}

static int ccat_lwsock_ready(const ccat_lwip_sockets_t *s, const void *p, size_t len) {
    return s != NULL && s->fd >= 0 && !s->connecting && p != NULL && len > 0;
}

/* lwIP's socket calls take int lengths (and lwIP's TCP moves <64 KiB at once anyway). */
static size_t ccat_lwsock_clamp(size_t len) {
    return len > 0x7FFFFFFFu ? 0x7FFFFFFFu : len;
}

static int32_t ccat_lwsock_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    ccat_lwip_sockets_t *s = ctx;
    ssize_t n;
    int rc;
    if (!ccat_lwsock_ready(s, data, len)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    rc = ccat_lwsock_wait(s->fd, 1, timeout_ms);
    if (rc <= 0) {
        return rc == 0 ? 0 : CCAT_TRANSPORT_ERR_IO;
    }
    n = lwip_send(s->fd, data, ccat_lwsock_clamp(len), MSG_DONTWAIT);
    if (n > 0) {
        return (int32_t)n;
    }
    return (errno == EWOULDBLOCK || errno == EAGAIN) ? 0 : CCAT_TRANSPORT_ERR_IO;
}

static int32_t ccat_lwsock_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    ccat_lwip_sockets_t *s = ctx;
    ssize_t n;
    int rc;
    if (!ccat_lwsock_ready(s, buf, len)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    if (s->eof) {
        return CCAT_TRANSPORT_ERR_CLOSED; /* lwIP reports a second read after FIN as an error */
    }
    rc = ccat_lwsock_wait(s->fd, 0, timeout_ms);
    if (rc <= 0) {
        return rc == 0 ? 0 : CCAT_TRANSPORT_ERR_IO;
    }
    n = lwip_recv(s->fd, buf, ccat_lwsock_clamp(len), MSG_DONTWAIT);
    if (n == 0) {
        s->eof = 1;
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    if (n > 0) {
        return (int32_t)n;
    }
    return (errno == EWOULDBLOCK || errno == EAGAIN) ? 0 : CCAT_TRANSPORT_ERR_IO;
}

static void ccat_lwsock_close(void *ctx) {
    if (ctx != NULL) {
        ccat_lwsock_drop(ctx);
    }
}

void ccat_lwip_sockets_init(ccat_lwip_sockets_t *s, ccat_lwip_resolve_fn resolve, void *resolve_ctx,
                            ccat_transport_t *out) {
    if (s != NULL) {
        s->fd = -1;
        s->connecting = 0;
        s->eof = 0;
        s->resolve = resolve;
        s->resolve_ctx = resolve_ctx;
    }
    if (out != NULL) {
        out->connect = ccat_lwsock_connect;
        out->send = ccat_lwsock_send;
        out->recv = ccat_lwsock_recv;
        out->close = ccat_lwsock_close;
        out->ctx = s;
    }
}

/* ---- platform hooks --------------------------------------------------------- */

static uint32_t ccat_lwsock_now_ms(void *ctx) {
    (void)ctx;
    return sys_now();
}

static void ccat_lwsock_sleep_ms(void *ctx, uint32_t ms) {
    (void)ctx;
    sys_msleep(ms);
}

#if defined(LWIP_RAND)
static uint32_t ccat_lwsock_random_u32(void *ctx) {
    (void)ctx;
    return (uint32_t)LWIP_RAND();
}
#endif

void ccat_lwip_sockets_platform_init(ccat_platform_t *out) {
    if (out != NULL) {
        out->now_ms = ccat_lwsock_now_ms;
        out->sleep_ms = ccat_lwsock_sleep_ms;
#if defined(LWIP_RAND)
        out->random_u32 = ccat_lwsock_random_u32;
#else
        out->random_u32 = NULL;
#endif
        out->idle = NULL;
        out->ctx = NULL;
    }
}
