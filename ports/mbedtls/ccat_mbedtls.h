/**
 * @file ccat_mbedtls.h
 * @brief TLS as a transport layered over any other ccat transport (mbedTLS 2.28).
 *
 * The server certificate chain and host name are always verified (there is
 * no switch to turn that off), SNI is always sent, and the trust anchors
 * come from a PEM file, from PEM/DER in memory, or by default from the
 * built-in roots that AWS endpoints chain to.
 */
#ifndef CCAT_MBEDTLS_H
#define CCAT_MBEDTLS_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "ccat/ccat_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Trust anchors and entropy for the TLS layer. */
typedef struct ccat_mbedtls_config {
    const char *ca_file;            /**< PEM bundle path (needs MBEDTLS_FS_IO), or NULL. */
    const unsigned char *ca_data;   /**< PEM (NUL-terminated, length includes NUL) or DER, or NULL. */
    size_t ca_data_len;             /**< Length of @c ca_data. */
    /**< Both NULL: the built-in AWS roots (Amazon Root CA 1-4, Starfield Services G2). */
    /**
     * @brief Extra entropy source for boards without a platform one
     * (mbedtls_entropy_f_source_ptr signature). NULL: mbedTLS's platform default.
     */
    int (*entropy)(void *data, unsigned char *output, size_t len, size_t *olen);
    void *entropy_ctx;              /**< Passed to @c entropy. */
} ccat_mbedtls_config_t;

/** @brief State of one TLS layer (about 1 KiB plus mbedTLS's heap for records). */
typedef struct ccat_mbedtls {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_context entropy;
    const ccat_transport_t *lower;  /**< The transport carrying the records. */
    uint32_t io_timeout_ms;         /**< Timeout passed down during a call. */
    int state;                      /**< Closed / connecting / handshaking / open. */
} ccat_mbedtls_t;

/**
 * @brief Set up the TLS layer over @p lower and fill @p out with a transport
 * whose connect() connects @p lower and completes a verified handshake.
 * @return CCAT_OK, or CCAT_ERR_TLS if the trust anchors cannot be loaded or
 *         the random generator cannot be seeded.
 */
int ccat_mbedtls_init(ccat_mbedtls_t *tls, const ccat_transport_t *lower,
                      const ccat_mbedtls_config_t *cfg, ccat_transport_t *out);

/** @brief Close and free everything (the layer may be initialised again). */
void ccat_mbedtls_free(ccat_mbedtls_t *tls);

/** @brief The built-in roots: concatenated DER certificates. */
extern const unsigned char ccat_aws_roots_der[];
/** @brief Length of ccat_aws_roots_der. */
extern const size_t ccat_aws_roots_der_len;

#ifdef __cplusplus
}
#endif

#endif /* CCAT_MBEDTLS_H */
