/*
 * The built-in AWS roots parse with mbedTLS, one by one from the DER blob,
 * and the trust-anchor options of ccat_mbedtls_init() load or fail cleanly.
 */
#include <mbedtls/asn1.h>
#include <mbedtls/x509_crt.h>

#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#include "test.h"

static const char *const expected_subjects[] = {
    "C=US, O=Amazon, CN=Amazon Root CA 1",
    "C=US, O=Amazon, CN=Amazon Root CA 2",
    "C=US, O=Amazon, CN=Amazon Root CA 3",
    "C=US, O=Amazon, CN=Amazon Root CA 4",
    ("C=US, ST=Arizona, L=Scottsdale, O=Starfield Technologies\\, Inc., "
     "CN=Starfield Services Root Certificate Authority - G2"),
};

/* Walk the blob by DER SEQUENCE lengths, parsing each certificate alone. */
static void test_blob(void) {
    const unsigned char *p = ccat_aws_roots_der;
    const unsigned char *end = p + ccat_aws_roots_der_len;
    int count = 0;
    while (p < end && count < 8) {
        unsigned char *q = (unsigned char *)(uintptr_t)p;
        size_t body = 0, total;
        mbedtls_x509_crt crt;
        char dn[256];
        if (mbedtls_asn1_get_tag(&q, end, &body, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
            CHECK(0);
            break;
        }
        total = (size_t)(q - p) + body;
        mbedtls_x509_crt_init(&crt);
        CHECK_EQ_INT(mbedtls_x509_crt_parse_der(&crt, p, total), 0);
        CHECK(mbedtls_x509_dn_gets(dn, sizeof dn, &crt.subject) > 0);
        if (count < 5) {
            CHECK_EQ_STR(dn, expected_subjects[count]);
        }
        CHECK_EQ_INT(crt.ca_istrue, 1);
        CHECK_EQ_INT(mbedtls_x509_time_is_past(&crt.valid_to), 0);
        /* self-signed: subject == issuer */
        CHECK(crt.subject_raw.len == crt.issuer_raw.len &&
              memcmp(crt.subject_raw.p, crt.issuer_raw.p, crt.subject_raw.len) == 0);
        mbedtls_x509_crt_free(&crt);
        p += total;
        count++;
    }
    CHECK_EQ_INT(count, 5);
    CHECK(p == end);
}

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

static int chain_len(const mbedtls_x509_crt *c) {
    int n = 0;
    for (; c != NULL && c->version != 0; c = c->next) {
        n++;
    }
    return n;
}


/* Load with @p cfg; returns the init result and the number of anchors. */
static int load(const ccat_mbedtls_config_t *cfg, int *anchors) {
    static ccat_mbedtls_t tls;
    ccat_transport_t t;
    int rc = ccat_mbedtls_init(&tls, &nop, cfg, &t);
    *anchors = rc == CCAT_OK ? chain_len(&tls.ca) : 0;
    if (rc == CCAT_OK) {
        CHECK(t.ctx == &tls && t.connect != NULL && t.send != NULL && t.recv != NULL &&
              t.close != NULL);
    }
    ccat_mbedtls_free(&tls);
    CHECK(all_zero(&tls, sizeof tls)); /* nothing of ours (or mbedTLS's) left behind */
    return rc;
}

static void test_anchor_options(void) {
    static unsigned char copy[8192];
    ccat_mbedtls_config_t cfg;
    ccat_mbedtls_t tls;
    ccat_transport_t t;
    int n = 0;

    CHECK_EQ_INT(load(NULL, &n), CCAT_OK); /* built-in roots */
    CHECK_EQ_INT(n, 5);

    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ_INT(load(&cfg, &n), CCAT_OK); /* both NULL: built-in too */
    CHECK_EQ_INT(n, 5);

    CHECK(ccat_aws_roots_der_len <= sizeof copy);
    memcpy(copy, ccat_aws_roots_der, ccat_aws_roots_der_len);
    cfg.ca_data = copy;
    cfg.ca_data_len = ccat_aws_roots_der_len;
    CHECK_EQ_INT(load(&cfg, &n), CCAT_OK); /* concatenated DER in memory */
    CHECK_EQ_INT(n, 5);

    cfg.ca_data_len = ccat_aws_roots_der_len - 1; /* truncated last certificate */
    CHECK_EQ_INT(load(&cfg, &n), CCAT_ERR_TLS);
    cfg.ca_data_len = 0;
    CHECK_EQ_INT(load(&cfg, &n), CCAT_ERR_TLS);
    cfg.ca_data = (const unsigned char *)"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n";
    cfg.ca_data_len = strlen((const char *)cfg.ca_data) + 1;
    CHECK_EQ_INT(load(&cfg, &n), CCAT_ERR_TLS);
    cfg.ca_data = (const unsigned char *)"not a certificate";
    cfg.ca_data_len = 17;
    CHECK_EQ_INT(load(&cfg, &n), CCAT_ERR_TLS);

    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = "/nonexistent/ccat-ca.pem";
    CHECK_EQ_INT(load(&cfg, &n), CCAT_ERR_TLS);

    CHECK_EQ_INT(ccat_mbedtls_init(NULL, &nop, NULL, &t), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, NULL, NULL, &t), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &nop, NULL, NULL), CCAT_ERR_ARGUMENT);
    ccat_mbedtls_free(NULL);
}

int main(void) {
    test_blob();
    test_anchor_options();
    return test_summary("ports_aws_roots");
}
