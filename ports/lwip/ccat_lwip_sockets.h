/**
 * @file ccat_lwip_sockets.h
 * @brief TCP transport over lwIP's sockets API for RTOS targets (NO_SYS=0).
 *
 * The same contract as the POSIX port (ccat_transport.h), over lwip_socket(),
 * lwip_connect(), lwip_select(), lwip_send(), lwip_recv(): a non-blocking
 * socket whose every wait is an lwip_select() bounded by the call's timeout.
 * lwIP's tcpip thread does the protocol work, so no poll hook is needed: the
 * calling task simply blocks in select.
 *
 * @code
 *   static ccat_lwip_sockets_t sock;
 *   ccat_transport_t tcp;
 *   ccat_platform_t platform;
 *   tcpip_init(NULL, NULL);                 // once, at boot, + your netif
 *   ccat_lwip_sockets_init(&sock, NULL, NULL, &tcp);
 *   ccat_lwip_sockets_platform_init(&platform);
 *   // then ccat_mbedtls_init(&tls, &tcp, ...) and the blocking client.
 * @endcode
 *
 * Host names: @p resolve if given, else an IPv4/IPv6 literal, else (with
 * LWIP_DNS) lwip_getaddrinfo(), which blocks the task up to lwIP's DNS
 * timeout. Errors: unknown name -> ERR_DNS; refused/unreachable/unanswered
 * -> ERR_CONNECT; reset -> ERR_IO; orderly close on recv -> ERR_CLOSED.
 *
 * lwipopts.h needs: NO_SYS=0, LWIP_SOCKET=1, LWIP_SOCKET_SELECT=1. It works
 * with LWIP_COMPAT_SOCKETS on or off (it only uses lwip_* names). One
 * transport per task at a time; several tasks may each own one.
 */
#ifndef CCAT_LWIP_SOCKETS_H
#define CCAT_LWIP_SOCKETS_H

#include <stdint.h>

#include "lwip/ip_addr.h"

#include "ccat/ccat_transport.h"
#include "ccat_lwip_raw.h" /* ccat_lwip_resolve_fn */

#ifdef __cplusplus
extern "C" {
#endif

/** @brief State of one lwIP sockets transport (initialise with ccat_lwip_sockets_init()). */
typedef struct ccat_lwip_sockets {
    int fd;                       /**< lwIP socket, -1 when closed. */
    uint8_t connecting;           /**< A non-blocking connect is pending on @c fd. */
    uint8_t eof;                  /**< recv() has seen the peer's FIN (ERR_CLOSED is sticky). */
    ccat_lwip_resolve_fn resolve; /**< Host lookup, or NULL. */
    void *resolve_ctx;            /**< Passed to @c resolve. */
} ccat_lwip_sockets_t;

/**
 * @brief Prepare @p s (no socket yet) and fill @p out with the transport
 * functions bound to it. @p resolve may be NULL (literals, then lwIP DNS).
 */
void ccat_lwip_sockets_init(ccat_lwip_sockets_t *s, ccat_lwip_resolve_fn resolve, void *resolve_ctx,
                            ccat_transport_t *out);

/**
 * @brief Platform hooks for an lwIP RTOS target: now_ms = sys_now(),
 * sleep_ms = sys_msleep() (other tasks and the tcpip thread run meanwhile),
 * random_u32 = LWIP_RAND() when defined, idle NULL (nothing to pump).
 */
void ccat_lwip_sockets_platform_init(ccat_platform_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CCAT_LWIP_SOCKETS_H */
