/*
 * The TLS layer built with CCAT_TLS_BUILTIN_ROOTS 0 (this target's compile
 * definition). That it links at all is the first check: ccat_aws_roots.c
 * is not part of this executable, so nothing may refer to the roots. Then:
 * an init without trust anchors is refused (never a layer that trusts
 * nothing, or everything) and the board's own CA still loads.
 * Usage: test_tls_no_roots CERT_DIR
 */
#include <stdio.h>
#include <string.h>

#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#include "test.h"

#if CCAT_TLS_BUILTIN_ROOTS
#error "build this test with CCAT_TLS_BUILTIN_ROOTS=0"
#endif

static int32_t nop_connect(void *c, const char *h, uint16_t p, uint32_t t) {
    (void)c; (void)h; (void)p; (void)t;
    return CCAT_TRANSPORT_ERR_CONNECT;
}
static int32_t nop_send(void *c, const uint8_t *d, size_t l, uint32_t t) {
    (void)c; (void)d; (void)l; (void)t;
    return CCAT_TRANSPORT_ERR_IO;
}
static int32_t nop_recv(void *c, uint8_t *b, size_t l, uint32_t t) {
    (void)c; (void)b; (void)l; (void)t;
    return CCAT_TRANSPORT_ERR_IO;
}
static void nop_close(void *c) {
    (void)c;
}

static const ccat_transport_t nop = {nop_connect, nop_send, nop_recv, nop_close, NULL};

int main(int argc, char **argv) {
    static ccat_mbedtls_t tls;
    ccat_mbedtls_config_t cfg;
    ccat_transport_t t;
    char ca_path[512];

    if (argc != 2) {
        fprintf(stderr, "usage: test_tls_no_roots CERT_DIR\n");
        return 2;
    }
    memset(&t, 0, sizeof t);
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &nop, NULL, &t), CCAT_ERR_TLS);
    CHECK(t.connect == NULL); /* no layer handed out */
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &nop, &cfg, &t), CCAT_ERR_TLS);
    CHECK(t.connect == NULL);

    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", argv[1]);
    cfg.ca_file = ca_path;
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &nop, &cfg, &t), CCAT_OK);
    CHECK(t.ctx == &tls && t.connect != NULL);
    CHECK(tls.ca.version != 0 && tls.ca.next == NULL); /* the one CA, nothing built in */
    ccat_mbedtls_free(&tls);
    return test_summary("ports_tls_no_roots");
}
