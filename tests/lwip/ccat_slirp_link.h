/**
 * @file ccat_slirp_link.h
 * @brief Test-only glue: an lwIP Ethernet netif wired to in-process libslirp,
 * so lwIP built for the host reaches 127.0.0.1 without privileges (no tap).
 *
 * The virtual network is slirp's default 10.0.2.0/24: lwIP is 10.0.2.15,
 * slirp's gateway 10.0.2.2 stands for the host's loopback (a TCP connection
 * to 10.0.2.2:P becomes a host connection to 127.0.0.1:P). slirp's DNS and
 * DHCP are off, and the netif drops every frame that is not ARP or IPv4 to
 * 10.0.2.2, so nothing but the host's loopback can ever be reached.
 *
 * Name mapping (test binaries only, documented in tests/lwip/README.md):
 * ccat_slirp_resolve() maps "127.0.0.1" and "localhost" to 10.0.2.2 and
 * refuses every other name, standing in for a resolver. TLS still verifies
 * against the name the client asked for (127.0.0.1), so the emulator's
 * certificate needs no extra SAN.
 *
 * Built twice: against the NO_SYS=1 lwIP (the pump runs in the caller's
 * thread through ccat_slirp_poll()) and against the NO_SYS=0 lwIP (a slirp
 * thread pumps it and frames go in through tcpip_input()).
 */
#ifndef CCAT_SLIRP_LINK_H
#define CCAT_SLIRP_LINK_H

#include <stdint.h>

#include "lwip/ip_addr.h"

/** @brief Frames the egress guard dropped (not ARP, not IPv4 to 10.0.2.2). */
extern volatile unsigned long ccat_slirp_dropped;

/**
 * @brief Bring up lwIP (lwip_init() or tcpip_init()), slirp and the netif.
 * Idempotent. @return 0, or -1 (message on stderr).
 */
int ccat_slirp_link_up(void);

/**
 * @brief NO_SYS=1: one pump of the link: wait up to a few ms for host socket
 * events, move frames both ways, run lwIP's timers. ccat_lwip_poll_fn shape.
 * NO_SYS=0: sleeps 1 ms (the slirp thread does the work).
 */
void ccat_slirp_poll(void *ctx);

/** @brief "127.0.0.1"/"localhost" -> 10.0.2.2, else -1 (ccat_lwip_resolve_fn shape). */
int ccat_slirp_resolve(void *ctx, const char *host, ip_addr_t *out);

#endif /* CCAT_SLIRP_LINK_H */
