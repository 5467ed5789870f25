/**
 * @file ccat_posix.h
 * @brief TCP transport over BSD sockets (Linux, macOS, any POSIX system).
 *
 * getaddrinfo() for IPv4 and IPv6, a non-blocking connect() bounded by the
 * timeout, and poll()-bounded send/recv. Follows ccat_transport.h exactly.
 * Also the POSIX platform hooks (monotonic clock, nanosleep, getrandom).
 *
 * connect() keeps its progress between calls: when it returns 0 the pending
 * attempt and the remaining resolved addresses are kept, and the next call
 * (with the same arguments) continues where the last one stopped. An attempt
 * that gets no answer for CCAT_POSIX_ATTEMPT_MS gives way to the next
 * address, so one black-holed address (typically a broken IPv6 route) does
 * not eat the whole connect timeout; the last address waits as long as the
 * caller keeps calling.
 */
#ifndef CCAT_POSIX_H
#define CCAT_POSIX_H

#include <stdint.h>

#include "ccat/ccat_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief How long (ms) one connection attempt may stay unanswered before the
 * next resolved address is tried (only when another address remains).
 */
#ifndef CCAT_POSIX_ATTEMPT_MS
#define CCAT_POSIX_ATTEMPT_MS 2000u
#endif

struct addrinfo;

/**
 * @brief State of one POSIX TCP transport.
 *
 * Connected: fd >= 0 and addrs == NULL. Connecting: addrs != NULL (fd is the
 * pending attempt or -1 between attempts). Closed: fd == -1, addrs == NULL.
 */
typedef struct ccat_posix {
    int fd;                 /**< Socket, -1 when closed. */
    struct addrinfo *addrs; /**< Resolved addresses while connecting, else NULL. */
    struct addrinfo *next;  /**< Next address to try while connecting. */
    uint32_t attempt_ms;    /**< Monotonic start time of the pending attempt. */
} ccat_posix_t;

/**
 * @brief Prepare @p sock (no socket is opened yet) and fill @p out with the
 * transport functions bound to it. Must be called before any other use: a
 * zero-filled ccat_posix_t is not "closed" (fd 0 is a valid descriptor).
 */
void ccat_posix_transport_init(ccat_posix_t *sock, ccat_transport_t *out);

/** @brief Fill @p out with POSIX platform hooks (CLOCK_MONOTONIC, nanosleep, getrandom). */
void ccat_posix_platform_init(ccat_platform_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CCAT_POSIX_H */
