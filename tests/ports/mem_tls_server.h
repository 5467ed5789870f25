/*
 * What the in-memory TLS tests (test_tls_layered.c, test_tls_resume_mbedtls.c)
 * share: a byte queue per direction of the pipe between the client's lower
 * transport and an in-process mbedTLS server, and that server's common
 * set-up (certificate, key, RNG, defaults) and teardown. Each test adds its
 * own server extras (SNI callback, session cache, tickets) between
 * mem_server_begin() and mem_server_finish().
 * Define MEM_QUEUE_BYTES before including to change the queue size.
 */
#ifndef CCAT_TEST_MEM_TLS_SERVER_H
#define CCAT_TEST_MEM_TLS_SERVER_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>

#ifndef MEM_QUEUE_BYTES
#define MEM_QUEUE_BYTES 65536
#endif

/* One direction of the pipe; len 0 = nothing yet. */
typedef struct byteq {
    uint8_t data[MEM_QUEUE_BYTES];
    size_t len;
} byteq_t;

/* Append up to @p n bytes (what fits); how many went in. */
static inline size_t q_put(byteq_t *q, const uint8_t *p, size_t n) {
    if (n > sizeof q->data - q->len) {
        n = sizeof q->data - q->len;
    }
    memcpy(q->data + q->len, p, n);
    q->len += n;
    return n;
}

/* Take up to @p n bytes from the front; how many came out. */
static inline size_t q_get(byteq_t *q, uint8_t *p, size_t n) {
    if (n > q->len) {
        n = q->len;
    }
    memcpy(p, q->data, n);
    memmove(q->data, q->data + n, q->len - n);
    q->len -= n;
    return n;
}

/* The in-process server (one per test program). */
static mbedtls_ssl_context srv;
static mbedtls_ssl_config srv_conf;
static mbedtls_x509_crt srv_crt;
static mbedtls_pk_context srv_key;
static mbedtls_entropy_context srv_entropy;
static mbedtls_ctr_drbg_context srv_drbg;

/*
 * First half of the server's set-up: init everything, load @p dir/@p name.pem
 * and .key, seed the RNG, server defaults with that certificate. 1 if all
 * of it worked. The caller then adds its extras to srv_conf.
 */
static inline int mem_server_begin(const char *dir, const char *name) {
    char path[512];
    int ok = 1;
    mbedtls_ssl_init(&srv);
    mbedtls_ssl_config_init(&srv_conf);
    mbedtls_x509_crt_init(&srv_crt);
    mbedtls_pk_init(&srv_key);
    mbedtls_entropy_init(&srv_entropy);
    mbedtls_ctr_drbg_init(&srv_drbg);
    snprintf(path, sizeof path, "%s/%s.pem", dir, name);
    ok &= mbedtls_x509_crt_parse_file(&srv_crt, path) == 0;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    ok &= mbedtls_pk_parse_keyfile(&srv_key, path, NULL) == 0;
    ok &= mbedtls_ctr_drbg_seed(&srv_drbg, mbedtls_entropy_func, &srv_entropy, NULL, 0) == 0;
    ok &= mbedtls_ssl_config_defaults(&srv_conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT) == 0;
    mbedtls_ssl_conf_rng(&srv_conf, mbedtls_ctr_drbg_random, &srv_drbg);
    ok &= mbedtls_ssl_conf_own_cert(&srv_conf, &srv_crt, &srv_key) == 0;
    return ok;
}

/* Second half: the context from srv_conf, on the test's server-side I/O. */
static inline int mem_server_finish(mbedtls_ssl_send_t *send_fn, mbedtls_ssl_recv_t *recv_fn) {
    int ok = mbedtls_ssl_setup(&srv, &srv_conf) == 0;
    mbedtls_ssl_set_bio(&srv, NULL, send_fn, recv_fn, NULL);
    return ok;
}

/* Frees what mem_server_begin() set up (the caller frees its extras). */
static inline void mem_server_free(void) {
    mbedtls_ssl_free(&srv);
    mbedtls_ssl_config_free(&srv_conf);
    mbedtls_x509_crt_free(&srv_crt);
    mbedtls_pk_free(&srv_key);
    mbedtls_ctr_drbg_free(&srv_drbg);
    mbedtls_entropy_free(&srv_entropy);
}

#endif
