/* Conformance backend: the POSIX sockets port (ports/posix). */
#include <stddef.h>

#include "ccat_posix.h"
#include "conformance.h"

static ccat_posix_t conf_posix_sock;

static void conf_posix_make(ccat_transport_t *out) {
    ccat_posix_transport_init(&conf_posix_sock, out);
}

const conf_backend_t *conf_backend(int argc, char **argv) {
    static conf_backend_t b = {"posix", 1, "127.0.0.1", NULL, conf_posix_make, {0}};
    (void)argc;
    (void)argv;
    ccat_posix_platform_init(&b.platform);
    return &b;
}
