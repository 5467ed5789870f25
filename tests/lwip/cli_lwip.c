/*
 * ccat-lwip / ccat-lwip-sockets: the Linux CLI (boards/linux/main.c,
 * unchanged) with lwIP + libslirp underneath instead of POSIX sockets:
 * the raw API port over NO_SYS=1 lwIP (ccat-lwip), or the sockets API port
 * over NO_SYS=0 lwIP with its tcpip thread (ccat-lwip-sockets).
 *
 * main.c is compiled with
 *   -Dccat_posix_transport_init=ccat_lwip_cli_transport_init
 *   -Dccat_posix_platform_init=ccat_lwip_cli_platform_init
 * so its two calls into the POSIX port land here. Everything above the TCP
 * transport (mbedTLS layer, blocking client, retries, output) is the CLI's
 * own code, exactly as shipped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ccat_lwip_raw.h"
#include "ccat_posix.h"
#include "ccat_slirp_link.h"

void ccat_lwip_cli_transport_init(ccat_posix_t *unused, ccat_transport_t *out);
void ccat_lwip_cli_platform_init(ccat_platform_t *out);

#if NO_SYS

/* Callbacks point into it while a connection is open: static. */
static ccat_lwip_raw_t ccat_lwip_cli_tcp;

void ccat_lwip_cli_transport_init(ccat_posix_t *unused, ccat_transport_t *out) {
    ccat_lwip_raw_config_t cfg = {0};
    (void)unused;
    if (ccat_slirp_link_up() != 0) {
        fputs("ccat-lwip: cannot bring up lwIP + slirp\n", stderr);
        exit(255);
    }
    cfg.poll = ccat_slirp_poll;
    cfg.resolve = ccat_slirp_resolve;
    ccat_lwip_raw_init(&ccat_lwip_cli_tcp, &cfg, out);
}

void ccat_lwip_cli_platform_init(ccat_platform_t *out) {
    ccat_lwip_platform_init(out, ccat_slirp_poll, NULL);
}

#else /* NO_SYS == 0: the sockets port */
#include "ccat_lwip_sockets.h"

static ccat_lwip_sockets_t ccat_lwip_cli_sock;

void ccat_lwip_cli_transport_init(ccat_posix_t *unused, ccat_transport_t *out) {
    (void)unused;
    if (ccat_slirp_link_up() != 0) {
        fputs("ccat-lwip-sockets: cannot bring up lwIP + slirp\n", stderr);
        exit(255);
    }
    ccat_lwip_sockets_init(&ccat_lwip_cli_sock, ccat_slirp_resolve, NULL, out);
}

void ccat_lwip_cli_platform_init(ccat_platform_t *out) {
    ccat_lwip_sockets_platform_init(out);
}
#endif
