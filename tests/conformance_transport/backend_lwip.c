/*
 * Conformance backends for the lwIP ports, over lwIP + in-process libslirp
 * (tests/lwip/ccat_slirp_link.h; the peer's 127.0.0.1 is reached as
 * 10.0.2.2 through the link's resolve hook).
 *   NO_SYS=1 build: the raw port. Argument "blocking" (default): the port
 *     pumps lwIP through its poll hook while a call waits. "nonblocking":
 *     no poll hook, every call returns at once and the platform's idle hook
 *     (ccat_lwip_platform_init) pumps lwIP, as in an event loop.
 *   NO_SYS=0 build: the sockets port (tcpip thread, slirp thread).
 */
#include <stddef.h>
#include <string.h>

#include "ccat_slirp_link.h"
#include "conformance.h"
#include "lwip/opt.h"

#if NO_SYS
#include "ccat_lwip_raw.h"

static ccat_lwip_raw_t conf_lwip_raw;
static int conf_lwip_blocking = 1;

static void conf_lwip_make(ccat_transport_t *out) {
    ccat_lwip_raw_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.poll = conf_lwip_blocking ? ccat_slirp_poll : NULL;
    cfg.resolve = ccat_slirp_resolve;
    ccat_lwip_raw_init(&conf_lwip_raw, &cfg, out);
}

const conf_backend_t *conf_backend(int argc, char **argv) {
    static conf_backend_t b = {"lwip-raw", 1, "127.0.0.1", ccat_slirp_link_up, conf_lwip_make, {0}};
    if (argc > 0 && strcmp(argv[0], "nonblocking") == 0) {
        conf_lwip_blocking = 0;
        b.name = "lwip-raw-nonblocking";
        b.blocking = 0;
    }
    ccat_lwip_platform_init(&b.platform, ccat_slirp_poll, NULL);
    return &b;
}
#else
#include "ccat_lwip_sockets.h"

static ccat_lwip_sockets_t conf_lwip_sock;

static void conf_lwip_make(ccat_transport_t *out) {
    ccat_lwip_sockets_init(&conf_lwip_sock, ccat_slirp_resolve, NULL, out);
}

const conf_backend_t *conf_backend(int argc, char **argv) {
    static conf_backend_t b = {"lwip-sockets", 1, "127.0.0.1", ccat_slirp_link_up, conf_lwip_make, {0}};
    (void)argc;
    (void)argv;
    ccat_lwip_sockets_platform_init(&b.platform);
    return &b;
}
#endif
