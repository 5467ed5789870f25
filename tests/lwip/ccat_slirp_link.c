/*
 * lwIP netif <-> in-process libslirp. See ccat_slirp_link.h.
 *
 * Frames from lwIP (linkoutput) go into slirp_input(); frames from slirp
 * (send_packet) go into netif->input (ethernet_input, or tcpip_input with
 * NO_SYS=0). slirp's host sockets are served by slirp_pollfds_fill/poll.
 * slirp is not thread-safe: with NO_SYS=0 a mutex serialises the tcpip
 * thread (linkoutput) and the slirp thread (polling).
 */
#define _GNU_SOURCE 1 /* ssize_t, clock_gettime, pthread in strict C11 */

#include "ccat_slirp_link.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <slirp/libslirp.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#if !NO_SYS
#include <pthread.h>
#include <unistd.h>

#include "lwip/tcpip.h"
static pthread_mutex_t ccat_slirp_mutex = PTHREAD_MUTEX_INITIALIZER;
#define CCAT_SLIRP_LOCK() pthread_mutex_lock(&ccat_slirp_mutex)
#define CCAT_SLIRP_UNLOCK() pthread_mutex_unlock(&ccat_slirp_mutex)
#else
#define CCAT_SLIRP_LOCK() ((void)0)
#define CCAT_SLIRP_UNLOCK() ((void)0)
#endif

#define CCAT_SLIRP_MAX_FDS 64
#define CCAT_SLIRP_FRAME_MAX 1600

volatile unsigned long ccat_slirp_dropped;

static Slirp *ccat_slirp;
static struct netif ccat_slirp_netif;
static int ccat_slirp_up;

/* Poll set filled by slirp_pollfds_fill() for one pump. */
static struct pollfd ccat_slirp_fds[CCAT_SLIRP_MAX_FDS];
static int ccat_slirp_nfds;

static int64_t ccat_slirp_clock_ns(void *opaque) {
    struct timespec ts;
    (void)opaque;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#if NO_SYS
/* lwIP's clock for NO_SYS=1 (the NO_SYS=0 build gets it from sys_arch.c). */
u32_t sys_now(void) {
    return (u32_t)(ccat_slirp_clock_ns(NULL) / 1000000);
}
#endif

/* ---- slirp -> lwIP ------------------------------------------------------- */

#if NO_SYS
/*
 * slirp answers some frames from inside slirp_input(), i.e. from inside
 * lwIP's linkoutput, in the middle of tcp_output(). lwIP's NO_SYS core is
 * not re-entrant, so frames from slirp wait in this queue until the next
 * ccat_slirp_poll() hands them to lwIP, as a real Ethernet driver's receive
 * ring would.
 */
#define CCAT_SLIRP_QUEUE 256
static struct pbuf *ccat_slirp_queue[CCAT_SLIRP_QUEUE];
static unsigned ccat_slirp_q_head, ccat_slirp_q_len;

static void ccat_slirp_enqueue(struct pbuf *p) {
    if (ccat_slirp_q_len == CCAT_SLIRP_QUEUE) {
        pbuf_free(p); /* ring full: dropped, TCP retransmits */
        return;
    }
    ccat_slirp_queue[(ccat_slirp_q_head + ccat_slirp_q_len++) % CCAT_SLIRP_QUEUE] = p;
}

static void ccat_slirp_deliver(void) {
    while (ccat_slirp_q_len > 0) {
        struct pbuf *p = ccat_slirp_queue[ccat_slirp_q_head];
        ccat_slirp_q_head = (ccat_slirp_q_head + 1) % CCAT_SLIRP_QUEUE;
        ccat_slirp_q_len--;
        if (ccat_slirp_netif.input(p, &ccat_slirp_netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
}
#endif

static ssize_t ccat_slirp_send_packet(const void *buf, size_t len, void *opaque) {
    struct pbuf *p;
    (void)opaque;
    if (len > CCAT_SLIRP_FRAME_MAX) {
        return (ssize_t)len; /* larger than our MTU: drop, as a wire would */
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (p == NULL) {
        return (ssize_t)len; /* no buffer: dropped, TCP retransmits */
    }
    (void)pbuf_take(p, buf, (u16_t)len);
#if NO_SYS
    ccat_slirp_enqueue(p);
#else
    if (ccat_slirp_netif.input(p, &ccat_slirp_netif) != ERR_OK) {
        pbuf_free(p);
    }
#endif
    return (ssize_t)len;
}

static void ccat_slirp_guest_error(const char *msg, void *opaque) {
    (void)opaque;
    fprintf(stderr, "slirp: guest error: %s\n", msg);
}

/* Timers are only used for IPv6 router advertisements, which are off. */
static void *ccat_slirp_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque) {
    (void)cb;
    (void)cb_opaque;
    (void)opaque;
    return &ccat_slirp_up;
}
static void ccat_slirp_timer_free(void *timer, void *opaque) {
    (void)timer;
    (void)opaque;
}
static void ccat_slirp_timer_mod(void *timer, int64_t expire, void *opaque) {
    (void)timer;
    (void)expire;
    (void)opaque;
}
static void ccat_slirp_fd_nop(int fd, void *opaque) {
    (void)fd;
    (void)opaque;
}
static void ccat_slirp_notify(void *opaque) {
    (void)opaque;
}

/* ---- lwIP -> slirp ------------------------------------------------------- */

/* Only ARP and IPv4 to the gateway (the host's loopback) may leave. */
static int ccat_slirp_allowed(const uint8_t *f, size_t len) {
    static const uint8_t gw[4] = {10, 0, 2, 2};
    if (len < 14) {
        return 0;
    }
    if (f[12] == 0x08 && f[13] == 0x06) {
        return 1;
    }
    return f[12] == 0x08 && f[13] == 0x00 && len >= 34 && memcmp(f + 30, gw, 4) == 0;
}

static err_t ccat_slirp_linkoutput(struct netif *nif, struct pbuf *p) {
    uint8_t frame[CCAT_SLIRP_FRAME_MAX];
    u16_t len;
    (void)nif;
    if (p->tot_len > sizeof frame) {
        return ERR_IF;
    }
    len = pbuf_copy_partial(p, frame, p->tot_len, 0);
    if (!ccat_slirp_allowed(frame, len)) {
        ccat_slirp_dropped++;
        return ERR_OK;
    }
    CCAT_SLIRP_LOCK();
    slirp_input(ccat_slirp, frame, (int)len);
    CCAT_SLIRP_UNLOCK();
    return ERR_OK;
}

static err_t ccat_slirp_netif_init(struct netif *nif) {
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    nif->name[0] = 's';
    nif->name[1] = 'l';
    nif->mtu = 1500;
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, mac, 6);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->output = etharp_output;
    nif->linkoutput = ccat_slirp_linkoutput;
    return ERR_OK;
}

/* ---- pumping ------------------------------------------------------------- */

static int ccat_slirp_add_fd(int fd, int events, void *opaque) {
    short ev = 0;
    (void)opaque;
    if (ccat_slirp_nfds >= CCAT_SLIRP_MAX_FDS) {
        return -1;
    }
    ev = (short)(((events & SLIRP_POLL_IN) ? POLLIN : 0) | ((events & SLIRP_POLL_OUT) ? POLLOUT : 0) |
                 ((events & SLIRP_POLL_PRI) ? POLLPRI : 0));
    ccat_slirp_fds[ccat_slirp_nfds].fd = fd;
    ccat_slirp_fds[ccat_slirp_nfds].events = ev;
    ccat_slirp_fds[ccat_slirp_nfds].revents = 0;
    return ccat_slirp_nfds++;
}

static int ccat_slirp_get_revents(int idx, void *opaque) {
    short r;
    (void)opaque;
    if (idx < 0 || idx >= ccat_slirp_nfds) {
        return 0;
    }
    r = ccat_slirp_fds[idx].revents;
    return ((r & POLLIN) ? SLIRP_POLL_IN : 0) | ((r & POLLOUT) ? SLIRP_POLL_OUT : 0) |
           ((r & POLLPRI) ? SLIRP_POLL_PRI : 0) | ((r & POLLERR) ? SLIRP_POLL_ERR : 0) |
           ((r & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

/* Serve slirp's host sockets, waiting at most @p max_ms for one to be ready. */
static void ccat_slirp_pump(uint32_t max_ms) {
    uint32_t timeout = max_ms;
    int rc;
    CCAT_SLIRP_LOCK();
    ccat_slirp_nfds = 0;
    slirp_pollfds_fill(ccat_slirp, &timeout, ccat_slirp_add_fd, NULL);
    CCAT_SLIRP_UNLOCK();
    rc = poll(ccat_slirp_fds, (nfds_t)ccat_slirp_nfds, (int)(timeout < max_ms ? timeout : max_ms));
    CCAT_SLIRP_LOCK();
    slirp_pollfds_poll(ccat_slirp, rc < 0, ccat_slirp_get_revents, NULL);
    CCAT_SLIRP_UNLOCK();
}

#if NO_SYS
void ccat_slirp_poll(void *ctx) {
    u32_t next = sys_timeouts_sleeptime();
    (void)ctx;
    ccat_slirp_pump(ccat_slirp_q_len > 0 ? 0 : (next < 5 ? next : 5));
    ccat_slirp_deliver();
    sys_check_timeouts();
}
#else
static void *ccat_slirp_thread(void *arg) {
    (void)arg;
    for (;;) {
        ccat_slirp_pump(5);
    }
    return NULL;
}

void ccat_slirp_poll(void *ctx) {
    (void)ctx;
    (void)usleep(1000);
}
#endif

int ccat_slirp_resolve(void *ctx, const char *host, ip_addr_t *out) {
    (void)ctx;
    if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0) {
        return -1;
    }
    IP_ADDR4(out, 10, 0, 2, 2);
    return 0;
}

static int ccat_slirp_start(void) {
    static const SlirpCb cb = {
        .send_packet = ccat_slirp_send_packet,
        .guest_error = ccat_slirp_guest_error,
        .clock_get_ns = ccat_slirp_clock_ns,
        .timer_new = ccat_slirp_timer_new,
        .timer_free = ccat_slirp_timer_free,
        .timer_mod = ccat_slirp_timer_mod,
        .register_poll_fd = ccat_slirp_fd_nop,
        .unregister_poll_fd = ccat_slirp_fd_nop,
        .notify = ccat_slirp_notify,
    };
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 4;
    cfg.in_enabled = true;
    inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
    cfg.disable_dns = true;  /* never forward a query to the machine's resolver */
    cfg.disable_dhcp = true; /* static address */
    ccat_slirp = slirp_new(&cfg, &cb, NULL);
    return ccat_slirp != NULL ? 0 : -1;
}

#if NO_SYS
static void ccat_slirp_stack_init(void) {
    lwip_init();
}
#define CCAT_SLIRP_NETIF_INPUT ethernet_input
#else
static void ccat_slirp_stack_init(void) {
    tcpip_init(NULL, NULL);
}
#define CCAT_SLIRP_NETIF_INPUT tcpip_input
#endif

/* Add the netif (with NO_SYS=0 under the core lock). */
static void ccat_slirp_netif_add(void) {
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    netif_add(&ccat_slirp_netif, &ip, &mask, &gw, NULL, ccat_slirp_netif_init, CCAT_SLIRP_NETIF_INPUT);
    netif_set_default(&ccat_slirp_netif);
    netif_set_link_up(&ccat_slirp_netif);
    netif_set_up(&ccat_slirp_netif);
}

int ccat_slirp_link_up(void) {
    if (ccat_slirp_up) {
        return 0;
    }
    if (ccat_slirp_start() != 0) {
        fputs("slirp: cannot create the slirp instance\n", stderr);
        return -1;
    }
    ccat_slirp_stack_init();
#if NO_SYS
    ccat_slirp_netif_add();
#else
    LOCK_TCPIP_CORE();
    ccat_slirp_netif_add();
    UNLOCK_TCPIP_CORE();
    {
        pthread_t th;
        if (pthread_create(&th, NULL, ccat_slirp_thread, NULL) != 0) {
            fputs("slirp: cannot start the slirp thread\n", stderr);
            return -1;
        }
        (void)pthread_detach(th);
    }
#endif
    ccat_slirp_up = 1;
    return 0;
}
