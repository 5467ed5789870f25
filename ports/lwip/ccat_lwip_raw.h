/**
 * @file ccat_lwip_raw.h
 * @brief TCP transport over lwIP's raw API for bare-metal boards (NO_SYS=1).
 *
 * API in one screen (everything runs in the one thread that drives lwIP):
 *
 * @code
 *   #include "ccat_lwip_raw.h"
 *
 *   static void board_poll(void *ctx) {      // the board's lwIP pump
 *       my_eth_poll(&netif);                  // feed received frames to netif->input
 *       sys_check_timeouts();                 // lwIP's TCP timers
 *   }
 *
 *   static ccat_lwip_raw_t tcp_state;         // static: callbacks point into it
 *   ccat_transport_t tcp;
 *   ccat_platform_t platform;
 *   ccat_lwip_raw_config_t cfg = { .poll = board_poll };
 *   ccat_lwip_raw_init(&tcp_state, &cfg, &tcp);          // a ccat_transport_t
 *   ccat_lwip_platform_init(&platform, board_poll, NULL); // now_ms = sys_now()
 *   // then: ccat_mbedtls_init(&tls, &tcp, ...) for https, and the blocking client.
 * @endcode
 *
 * Two ways to drive it:
 * - Blocking (the ccat blocking client, the TLS layer): give @c poll. A call
 *   that must wait (connect in progress, send buffer full, nothing received)
 *   calls @c poll repeatedly until something happens or @c timeout_ms passed
 *   on sys_now(); then it returns 0 as the contract says. Without @c poll a
 *   call never waits: it returns 0 at once and the caller's platform @c idle
 *   hook must pump lwIP (ccat_lwip_platform_init() sets that up).
 * - Event style (sans-I/O, no blocking client): set @c on_data. Every
 *   received segment is handed to it from lwIP's receive callback, e.g.
 *   straight into ccat_http_response_feed(), with no copy in between.
 *   @c on_data gets (NULL, 0) at the peer's FIN. recv() then only reports
 *   the state: 0 while open, ERR_CLOSED after FIN, ERR_IO after a reset.
 *   connect() and send() work as in the blocking mode (with @c poll NULL
 *   they return 0 until done).
 *
 * Contract (ccat_transport.h): > 0 progress, 0 call again, < 0
 * CCAT_TRANSPORT_ERR_*. connect(): a host is resolved by @c resolve if
 * given, else parsed as an IPv4/IPv6 literal, else (LWIP_DNS) looked up
 * with dns_gethostbyname(); a name that does not resolve -> ERR_DNS;
 * RST/ICMP/timeout while connecting -> ERR_CONNECT. send()/recv(): a reset
 * or abort -> ERR_IO; recv() at the peer's FIN -> ERR_CLOSED (after all data
 * before it was read). close() is idempotent, aborts a pending connect and
 * wipes received bytes not yet read (they may hold a token).
 *
 * Memory: the struct holds the pcb pointer and the queue of received pbufs;
 * it must stay at one address while a connection is open (lwIP callbacks
 * carry its pointer). No heap of its own: lwIP's pools only.
 *
 * lwipopts.h needs: LWIP_TCP=1, NO_SYS=1 (or callers holding the core lock,
 * see ccat_lwip_sockets.h for RTOS targets), LWIP_CALLBACK_API=1 (default).
 */
#ifndef CCAT_LWIP_RAW_H
#define CCAT_LWIP_RAW_H

#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

#include "ccat/ccat_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Pumps lwIP once: feed received frames in, run sys_check_timeouts(). */
typedef void (*ccat_lwip_poll_fn)(void *ctx);

/**
 * @brief Resolves @p host to an address (e.g. a fixed table on a board with
 * no DNS). @return 0 and @p out filled, or < 0 if the name is unknown.
 */
typedef int (*ccat_lwip_resolve_fn)(void *ctx, const char *host, ip_addr_t *out);

/**
 * @brief Event style: @p len received bytes at @p data, called from lwIP's
 * receive callback; (NULL, 0) at the peer's orderly close. The bytes are
 * acknowledged to the peer when it returns. Runs inside lwIP: it must not
 * call the transport's functions (close() included) or block; record what
 * to do and act after the board's poll returns.
 */
typedef void (*ccat_lwip_data_fn)(void *ctx, const uint8_t *data, size_t len);

/** @brief How one raw transport is driven. Zero-filled is valid (non-blocking, literals/DNS). */
typedef struct ccat_lwip_raw_config {
    ccat_lwip_poll_fn poll;       /**< Called while a call waits; NULL: never wait. */
    void *poll_ctx;               /**< Passed to @c poll. */
    ccat_lwip_resolve_fn resolve; /**< Host lookup; NULL: literal, then lwIP DNS. */
    void *resolve_ctx;            /**< Passed to @c resolve. */
    ccat_lwip_data_fn on_data;    /**< Event style sink; NULL: recv() reads a queue. */
    void *data_ctx;               /**< Passed to @c on_data. */
} ccat_lwip_raw_config_t;

/**
 * @brief State of one raw TCP transport. Treat as opaque; initialise with
 * ccat_lwip_raw_init(). States: closed, resolving, connecting, connected
 * (not yet reported by connect()), open (pcb NULL: the connection died).
 */
typedef struct ccat_lwip_raw {
    ccat_lwip_raw_config_t cfg; /**< Copy of the configuration. */
    struct tcp_pcb *pcb;        /**< The connection, NULL when closed or gone. */
    struct pbuf *rx;            /**< Received, not yet read (recv mode). */
    ip_addr_t addr;             /**< Resolved peer address. */
    uint16_t port;              /**< Peer port. */
    uint8_t state;              /**< CCAT_LWIP_S_* (see ccat_lwip_raw.c). */
    uint8_t eof;                /**< Peer sent FIN. */
    int8_t err;                 /**< Pending lwIP error (err_t) from the error callback. */
    uint8_t dns_done;           /**< DNS: 1 resolved, 2 failed (lwIP DNS only). */
} ccat_lwip_raw_t;

/**
 * @brief Prepare @p t (no connection yet) and fill @p out with the transport
 * functions bound to it. @p cfg may be NULL (all defaults) and is copied.
 */
void ccat_lwip_raw_init(ccat_lwip_raw_t *t, const ccat_lwip_raw_config_t *cfg,
                        ccat_transport_t *out);

/**
 * @brief Platform hooks for a NO_SYS board: now_ms = sys_now(); idle =
 * @p poll; sleep_ms keeps calling @p poll until the time passed (so TCP keeps
 * running during retry back-off); random_u32 = LWIP_RAND() when lwipopts.h
 * (or arch/cc.h) defines it, else NULL (no jitter). @p poll is kept in one
 * static pointer (a NO_SYS program has one lwIP and one thread driving it);
 * @p poll_ctx goes into @p out.
 */
void ccat_lwip_platform_init(ccat_platform_t *out, ccat_lwip_poll_fn poll, void *poll_ctx);

#ifdef __cplusplus
}
#endif

#endif /* CCAT_LWIP_RAW_H */
