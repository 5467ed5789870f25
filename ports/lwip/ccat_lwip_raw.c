/*
 * TCP transport over lwIP's raw API. See ccat_lwip_raw.h.
 *
 * lwIP reports everything through callbacks (connected, data, error) that run
 * inside the board's poll (netif input, sys_check_timeouts). The callbacks
 * only record what happened in ccat_lwip_raw_t; the transport functions read
 * that state, pumping lwIP through the board's poll hook while they may wait.
 */
#include "ccat_lwip_raw.h"

#include <string.h>

#include "lwip/dns.h"
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"

/* Connection states (ccat_lwip_raw_t.state). CONNECTED: lwIP finished the
 * handshake (possibly while the board's idle hook pumped it) and connect()
 * has not reported it yet. OPEN with pcb == NULL means the connection died
 * (reset/abort): data already queued can still be read. */
enum {
    CCAT_LWIP_S_CLOSED = 0,
    CCAT_LWIP_S_RESOLVING,
    CCAT_LWIP_S_CONNECTING,
    CCAT_LWIP_S_CONNECTED,
    CCAT_LWIP_S_OPEN
};

/* lwIP's tcp_write()/tcp_recved() take 16-bit lengths. */
#define CCAT_LWIP_CHUNK 0xFFFFu

/* ---- lwIP callbacks: record, never call back into the transport ---------- */

/* The pcb is already freed when this runs: forget it, keep the reason. */
static void ccat_lwip_on_err(void *arg, err_t err) {
    ccat_lwip_raw_t *t = arg;
    if (t != NULL) {
        t->pcb = NULL;
        t->err = (int8_t)(err != ERR_OK ? err : ERR_ABRT);
    }
}

static err_t ccat_lwip_on_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    ccat_lwip_raw_t *t = arg;
    (void)pcb;
    if (t != NULL && err == ERR_OK) {
        t->state = CCAT_LWIP_S_CONNECTED;
    }
    return ERR_OK;
}

/* Event style: hand every pbuf of the chain to the sink, then acknowledge. */
static void ccat_lwip_deliver(ccat_lwip_raw_t *t, struct tcp_pcb *pcb, struct pbuf *p) {
    const struct pbuf *q;
    for (q = p; q != NULL; q = q->next) {
        t->cfg.on_data(t->cfg.data_ctx, (const uint8_t *)q->payload, q->len);
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
}

static err_t ccat_lwip_on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    ccat_lwip_raw_t *t = arg;
    if (t == NULL || err != ERR_OK) {
        if (p != NULL) {
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (p == NULL) {
        t->eof = 1;
        if (t->cfg.on_data != NULL) {
            t->cfg.on_data(t->cfg.data_ctx, NULL, 0);
        }
    } else if (t->cfg.on_data != NULL) {
        ccat_lwip_deliver(t, pcb, p);
    } else if (t->rx == NULL) {
        t->rx = p;
    } else {
        pbuf_cat(t->rx, p); /* acknowledged (tcp_recved) only once read */
    }
    return ERR_OK;
}

#if LWIP_DNS
static void ccat_lwip_on_dns(const char *name, const ip_addr_t *addr, void *arg) {
    ccat_lwip_raw_t *t = arg;
    (void)name;
    if (t == NULL || t->state != CCAT_LWIP_S_RESOLVING) {
        return; /* a lookup that outlived its connect() */
    }
    if (addr != NULL) {
        ip_addr_copy(t->addr, *addr);
    }
    t->dns_done = addr != NULL ? 1u : 2u;
}
#endif

/* ---- waiting ------------------------------------------------------------- */

typedef int (*ccat_lwip_ready_fn)(const ccat_lwip_raw_t *t);

/* Pump lwIP through the board's poll until @p ready or @p timeout_ms passed. */
static int ccat_lwip_wait(ccat_lwip_raw_t *t, ccat_lwip_ready_fn ready, uint32_t timeout_ms) {
    uint32_t start;
    if (ready(t) || t->cfg.poll == NULL) {
        return ready(t);
    }
    start = sys_now();
    do {
        t->cfg.poll(t->cfg.poll_ctx);
        if (ready(t)) {
            return 1;
        }
    } while ((uint32_t)(sys_now() - start) < timeout_ms);
    return 0;
}

static int ccat_lwip_connect_settled(const ccat_lwip_raw_t *t) {
    if (t->state == CCAT_LWIP_S_RESOLVING) {
        return t->dns_done != 0;
    }
    return t->state == CCAT_LWIP_S_CONNECTED || t->pcb == NULL;
}

static int ccat_lwip_can_send(const ccat_lwip_raw_t *t) {
    return t->pcb == NULL || (tcp_sndbuf(t->pcb) > 0 && tcp_sndqueuelen(t->pcb) < TCP_SND_QUEUELEN);
}

static int ccat_lwip_can_recv(const ccat_lwip_raw_t *t) {
    return t->rx != NULL || t->eof || t->pcb == NULL;
}

/* ---- connect -------------------------------------------------------------- */

/* 1 resolved, 0 lookup in progress, ERR_DNS unknown. */
static int32_t ccat_lwip_resolve(ccat_lwip_raw_t *t, const char *host) {
    if (t->cfg.resolve != NULL) {
        return t->cfg.resolve(t->cfg.resolve_ctx, host, &t->addr) == 0 ? 1 : CCAT_TRANSPORT_ERR_DNS;
    }
    if (ipaddr_aton(host, &t->addr)) {
        return 1;
    }
#if LWIP_DNS
    {
        err_t e = dns_gethostbyname(host, &t->addr, ccat_lwip_on_dns, t);
        if (e == ERR_OK) {
            return 1;
        }
        if (e == ERR_INPROGRESS) {
            return 0;
        }
    }
#endif
    return CCAT_TRANSPORT_ERR_DNS;
}

/* Open the pcb and send the SYN. */
static int32_t ccat_lwip_start(ccat_lwip_raw_t *t) {
    struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&t->addr));
    if (pcb == NULL) {
        return CCAT_TRANSPORT_ERR_CONNECT; /* out of pcbs */
    }
    tcp_arg(pcb, t);
    tcp_err(pcb, ccat_lwip_on_err);
    tcp_recv(pcb, ccat_lwip_on_recv);
    tcp_nagle_disable(pcb); /* a request goes out in one write: no reason to hold it */
    t->pcb = pcb;
    t->err = ERR_OK;
    t->state = CCAT_LWIP_S_CONNECTING;
    if (tcp_connect(pcb, &t->addr, t->port, ccat_lwip_on_connected) != ERR_OK) {
        return CCAT_TRANSPORT_ERR_CONNECT; /* no route, out of memory: the caller closes */
    }
    return 0;
}

/* Forget a failed attempt so that the next connect() starts afresh. */
static void ccat_lwip_reset(ccat_lwip_raw_t *t);

static int32_t ccat_lwip_fail(ccat_lwip_raw_t *t, int32_t rc) {
    ccat_lwip_reset(t);
    return rc;
}

static int32_t ccat_lwip_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    ccat_lwip_raw_t *t = ctx;
    int32_t rc;
    if (t == NULL || host == NULL || t->state == CCAT_LWIP_S_OPEN) {
        return CCAT_TRANSPORT_ERR_ARGUMENT; /* already connected: close first */
    }
    if (t->state == CCAT_LWIP_S_CLOSED) {
        t->port = port;
        t->dns_done = 0;
        rc = ccat_lwip_resolve(t, host);
        if (rc < 0) {
            return rc;
        }
        t->state = rc > 0 ? CCAT_LWIP_S_CONNECTING : CCAT_LWIP_S_RESOLVING;
        if (rc > 0 && (rc = ccat_lwip_start(t)) < 0) {
            return ccat_lwip_fail(t, rc);
        }
    }
    if (!ccat_lwip_wait(t, ccat_lwip_connect_settled, timeout_ms)) {
        return 0;
    }
    if (t->state == CCAT_LWIP_S_RESOLVING) {
        if (t->dns_done != 1) {
            return ccat_lwip_fail(t, CCAT_TRANSPORT_ERR_DNS);
        }
        rc = ccat_lwip_start(t);
        return rc < 0 ? ccat_lwip_fail(t, rc) : 0;
    }
    if (t->state == CCAT_LWIP_S_CONNECTED && t->pcb != NULL) {
        t->state = CCAT_LWIP_S_OPEN;
        return 1;
    }
    return ccat_lwip_fail(t, CCAT_TRANSPORT_ERR_CONNECT); /* RST, ICMP, SYN timeout */
}

/* ---- send / recv ---------------------------------------------------------- */

static int ccat_lwip_usable(const ccat_lwip_raw_t *t, const void *p, size_t len) {
    return t != NULL && t->state == CCAT_LWIP_S_OPEN && p != NULL && len > 0;
}

static int32_t ccat_lwip_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    ccat_lwip_raw_t *t = ctx;
    size_t n;
    err_t e;
    if (!ccat_lwip_usable(t, data, len)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    if (!ccat_lwip_wait(t, ccat_lwip_can_send, timeout_ms)) {
        return 0;
    }
    if (t->pcb == NULL) {
        return CCAT_TRANSPORT_ERR_IO;
    }
    n = len < tcp_sndbuf(t->pcb) ? len : tcp_sndbuf(t->pcb);
    n = n < CCAT_LWIP_CHUNK ? n : CCAT_LWIP_CHUNK;
    e = tcp_write(t->pcb, data, (u16_t)n, TCP_WRITE_FLAG_COPY);
    if (e == ERR_MEM) {
        return 0; /* segments or pbufs exhausted for now: retry after acks */
    }
    if (e != ERR_OK) {
        return CCAT_TRANSPORT_ERR_IO;
    }
    (void)tcp_output(t->pcb);
    return (int32_t)n;
}

/* Zero the first @p n bytes of a chain (they may hold a token). */
static void ccat_lwip_wipe_chain(struct pbuf *p, size_t n) {
    for (; p != NULL && n > 0; p = p->next) {
        size_t k = n < p->len ? n : p->len;
        volatile uint8_t *b = (volatile uint8_t *)p->payload;
        size_t i;
        for (i = 0; i < k; i++) {
            b[i] = 0;
        }
        n -= k;
    }
}

static int32_t ccat_lwip_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    ccat_lwip_raw_t *t = ctx;
    u16_t n;
    if (!ccat_lwip_usable(t, buf, len)) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    if (!ccat_lwip_wait(t, ccat_lwip_can_recv, timeout_ms)) {
        return 0;
    }
    if (t->rx == NULL) {
        return t->eof ? CCAT_TRANSPORT_ERR_CLOSED : CCAT_TRANSPORT_ERR_IO;
    }
    n = (u16_t)(len < t->rx->tot_len ? len : t->rx->tot_len);
    n = pbuf_copy_partial(t->rx, buf, n, 0);
    ccat_lwip_wipe_chain(t->rx, n);
    t->rx = pbuf_free_header(t->rx, n);
    if (t->pcb != NULL) {
        tcp_recved(t->pcb, n); /* reopen the window only for what was read */
    }
    return (int32_t)n;
}

/* ---- close ---------------------------------------------------------------- */

static void ccat_lwip_reset(ccat_lwip_raw_t *t) {
    if (t->pcb != NULL) {
        struct tcp_pcb *pcb = t->pcb;
        t->pcb = NULL;
        tcp_arg(pcb, NULL);
        tcp_err(pcb, NULL);
        tcp_recv(pcb, NULL);
        if (t->state < CCAT_LWIP_S_CONNECTED || tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb); /* pending connect, or no memory for the FIN */
        }
    }
    if (t->rx != NULL) {
        ccat_lwip_wipe_chain(t->rx, t->rx->tot_len);
        pbuf_free(t->rx);
        t->rx = NULL;
    }
    t->state = CCAT_LWIP_S_CLOSED;
    t->eof = 0;
    t->err = ERR_OK;
    t->dns_done = 0;
}

static void ccat_lwip_close(void *ctx) {
    if (ctx != NULL) {
        ccat_lwip_reset(ctx);
    }
}

void ccat_lwip_raw_init(ccat_lwip_raw_t *t, const ccat_lwip_raw_config_t *cfg,
                        ccat_transport_t *out) {
    if (t != NULL) {
        memset(t, 0, sizeof *t);
        if (cfg != NULL) {
            t->cfg = *cfg;
        }
    }
    if (out != NULL) {
        out->connect = ccat_lwip_connect;
        out->send = ccat_lwip_send;
        out->recv = ccat_lwip_recv;
        out->close = ccat_lwip_close;
        out->ctx = t;
    }
}

/* ---- platform hooks --------------------------------------------------------- */

/* The board's poll and its context, for the platform hooks. One per program:
 * a NO_SYS board has one lwIP and one thread driving it. */
static ccat_lwip_poll_fn ccat_lwip_platform_poll;

static uint32_t ccat_lwip_now_ms(void *ctx) {
    (void)ctx;
    return sys_now();
}

static void ccat_lwip_idle(void *ctx) {
    if (ccat_lwip_platform_poll != NULL) {
        ccat_lwip_platform_poll(ctx);
    }
}

/* Back-off keeps the stack alive: ACKs, retransmissions and timers go on. */
static void ccat_lwip_sleep_ms(void *ctx, uint32_t ms) {
    uint32_t start = sys_now();
    while ((uint32_t)(sys_now() - start) < ms) {
        ccat_lwip_idle(ctx);
    }
}

#if defined(LWIP_RAND)
static uint32_t ccat_lwip_random_u32(void *ctx) {
    (void)ctx;
    return (uint32_t)LWIP_RAND();
}
#endif

void ccat_lwip_platform_init(ccat_platform_t *out, ccat_lwip_poll_fn poll, void *poll_ctx) {
    ccat_lwip_platform_poll = poll;
    if (out != NULL) {
        out->now_ms = ccat_lwip_now_ms;
        out->sleep_ms = ccat_lwip_sleep_ms;
#if defined(LWIP_RAND)
        out->random_u32 = ccat_lwip_random_u32;
#else
        out->random_u32 = NULL;
#endif
        out->idle = ccat_lwip_idle;
        out->ctx = poll_ctx;
    }
}
