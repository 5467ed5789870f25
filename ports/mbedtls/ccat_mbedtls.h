/**
 * @file ccat_mbedtls.h
 * @brief TLS as a transport layered over any other ccat transport (mbedTLS 2.28).
 *
 * The server certificate chain and host name are always verified (there is
 * no switch to turn that off), SNI is always sent, and the trust anchors
 * come from a PEM file, from PEM/DER in memory, or by default from the
 * built-in roots that AWS endpoints chain to. TLS 1.2 is the minimum (mbedTLS
 * 2.28 has no TLS 1.3 client by default).
 *
 * Behaviour worth knowing:
 * - The layer only ever calls the lower transport's functions (never a
 *   socket), passing down the timeout of the current call; a lower 0 makes
 *   the TLS call return 0, so it is as blocking as the transport under it.
 *   One call may wait for more than one lower operation (a handshake step
 *   that reads several records), but it returns 0 at the first lower 0.
 * - Errors: certificate untrusted / expired / wrong host -> ERR_CERT; any
 *   other handshake failure (including a peer that hangs up or answers with
 *   something that is not TLS) -> ERR_TLS; lower failures pass through
 *   (connect) or become ERR_IO (send/recv); close_notify or lower EOF on
 *   recv -> ERR_CLOSED. A failed connect() closes the lower transport and
 *   leaves the layer ready for a new connect().
 * - After send() returned 0, call it again with the same bytes: mbedTLS may
 *   already hold them in an encrypted record waiting to be flushed.
 * - IP address as host: mbedTLS 2.28 matches the host only against dNSName
 *   subjectAltNames (or the CN when there is none), never iPAddress SANs,
 *   and it sends the literal as SNI. A certificate issued for an IP address
 *   is therefore refused: connecting by IP fails closed with ERR_CERT. Use
 *   host names (AWS endpoints always are).
 * - Secrets: close() resets the session, which makes mbedTLS wipe its record
 *   buffers; ccat_mbedtls_free() wipes every byte of ccat_mbedtls_t.
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
    /**
     * PEM bundle path (needs MBEDTLS_FS_IO), or NULL. Certificates in it that
     * mbedTLS cannot parse are skipped as long as at least one loads.
     * @c ca_file and @c ca_data may both be given: both are trusted.
     * Both NULL: the built-in AWS roots (Amazon Root CA 1-4, Starfield Services G2).
     */
    const char *ca_file;
    /**
     * PEM (NUL-terminated, length includes the NUL) or one or more
     * concatenated DER certificates, or NULL. Copied: may be freed after init.
     */
    const unsigned char *ca_data;
    size_t ca_data_len;             /**< Length of @c ca_data. */
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
    int state;                      /**< Closed (0) / connecting / handshaking / open. */
} ccat_mbedtls_t;

/** @brief Time budget (ms) of the best-effort close_notify alert sent by close(). */
#ifndef CCAT_MBEDTLS_CLOSE_TIMEOUT_MS
#define CCAT_MBEDTLS_CLOSE_TIMEOUT_MS 100u
#endif

/**
 * @brief Set up the TLS layer over @p lower and fill @p out with a transport
 * whose connect() connects @p lower and completes a verified handshake.
 * @p lower (the struct, not a copy) must outlive the layer. @p cfg may be
 * NULL (built-in roots, platform entropy). On failure everything is already
 * freed (calling ccat_mbedtls_free() anyway is harmless). Calling init on a
 * live layer without ccat_mbedtls_free() first leaks it.
 * @return CCAT_OK; CCAT_ERR_ARGUMENT for a NULL pointer or a lower transport
 *         with a NULL function; CCAT_ERR_TLS if the trust anchors cannot be
 *         loaded or the random generator cannot be seeded.
 */
int ccat_mbedtls_init(ccat_mbedtls_t *tls, const ccat_transport_t *lower,
                      const ccat_mbedtls_config_t *cfg, ccat_transport_t *out);

/**
 * @brief Close (close_notify, then the lower transport) and free everything,
 * wiping the struct (the layer may be initialised again). NULL, a second call,
 * or a zero-filled struct are harmless.
 */
void ccat_mbedtls_free(ccat_mbedtls_t *tls);

/** @brief The built-in roots: concatenated DER certificates. */
extern const unsigned char ccat_aws_roots_der[];
/** @brief Length of ccat_aws_roots_der. */
extern const size_t ccat_aws_roots_der_len;

#ifdef __cplusplus
}
#endif

#endif /* CCAT_MBEDTLS_H */
