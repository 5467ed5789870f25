/**
 * @file ccat_posix.h
 * @brief TCP transport over BSD sockets (Linux, macOS, any POSIX system).
 *
 * getaddrinfo() for IPv4 and IPv6, a non-blocking connect() bounded by the
 * timeout, and poll()-bounded send/recv. Follows ccat_transport.h exactly.
 * Also the POSIX platform hooks (monotonic clock, nanosleep, getrandom).
 */
#ifndef CCAT_POSIX_H
#define CCAT_POSIX_H

#include "ccat/ccat_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief State of one POSIX TCP transport. */
typedef struct ccat_posix {
    int fd;             /**< Socket, -1 when closed. */
} ccat_posix_t;

/**
 * @brief Prepare @p sock (no socket is opened yet) and fill @p out with the
 * transport functions bound to it.
 */
void ccat_posix_transport_init(ccat_posix_t *sock, ccat_transport_t *out);

/** @brief Fill @p out with POSIX platform hooks (CLOCK_MONOTONIC, nanosleep, getrandom). */
void ccat_posix_platform_init(ccat_platform_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CCAT_POSIX_H */
