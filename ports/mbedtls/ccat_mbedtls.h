/**
 * @file ccat_mbedtls.h
 * @brief TLS as a transport layered over any other ccat transport (mbedTLS 2.28).
 *
 * The server certificate chain and the host's identity (name or IP address)
 * are always verified (there is no switch to turn that off), SNI is sent for
 * host names, and the trust anchors come from a PEM file, from PEM/DER in
 * memory, or by default from the built-in roots that AWS endpoints chain to. TLS 1.2 is the minimum (mbedTLS
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
 * - IP address as host: a host passed to connect() that is an IPv4 dotted
 *   quad ("127.0.0.1") or an IPv6 address in RFC 4291 text form ("::1",
 *   "1::2:3", "::ffff:1.2.3.4"; no brackets) is checked against the leaf
 *   certificate's iPAddress subjectAltNames, byte for byte, and nothing
 *   else: a dNSName or CN that spells the address does not count (RFC 6125,
 *   RFC 9110 4.3.4), and ::ffff:127.0.0.1 is not 127.0.0.1. No SNI is sent
 *   for an address (RFC 6066 3). mbedTLS 2.28 cannot do this itself; the
 *   layer does it in a verify callback, so it works over any transport.
 *   A mismatch -> ERR_CERT.
 * - Strict literals only: a host with a ':' must be a valid IPv6 address,
 *   and a host whose last label is all digits ("1.2.3", "256.1.1.1",
 *   "01.2.3.4", "127.1", "1.2.3.4.") must be a valid dotted quad (four parts
 *   0-255, no leading zeros); anything else is refused before any I/O with
 *   ERR_ARGUMENT, because such strings are no host names (RFC 1123 2.1) and
 *   resolvers disagree on them. IPv6 zone ids ("fe80::1%eth0") are refused
 *   the same way: a certificate cannot name a zone (and ccat's endpoint
 *   parser never produces one).
 * - Host names (everything else): SNI, and mbedTLS's own check against the
 *   dNSName SANs (or the CN when there is none); a name longer than 255
 *   bytes -> ERR_ARGUMENT.
 * - Secrets: close() resets the session, which makes mbedTLS wipe its record
 *   buffers; ccat_mbedtls_free() wipes every byte of ccat_mbedtls_t.
 *
 * Session resumption (optional): give the layer a ::ccat_mbedtls_session_t
 * in caller memory and a reconnect skips the certificate exchange and the
 * key agreement (an abbreviated handshake, RFC 5246 7.3 / RFC 5077), by
 * session ticket or session ID, whichever the server offers:
 * @code
 * static ccat_mbedtls_session_t sess;            // zero-filled: empty; outlives the layer
 * cfg.session = &sess;                            // keep and offer sessions
 * ccat_mbedtls_init(&tls, &tcp, &cfg, &t);        // t.connect() now resumes when it can
 * int again = ccat_mbedtls_resumed(&tls);         // after a connect: 1 if it resumed
 * ccat_mbedtls_session_free(&sess);               // when done: wipes the master secret
 * @endcode
 * - After every verified handshake the session is copied into @c sess; the
 *   next connect() offers it. A server that refuses it (restarted, expired,
 *   no cache) answers with a full handshake, which is taken transparently.
 *   A resumption that fails anyway (the server took the session but the
 *   handshake then failed, e.g. a secret that no longer matches; or a TLS
 *   failure before the server's answer, e.g. a server that hangs up on the
 *   offer) drops the session and retries once, in full, inside the same
 *   connect() call (one more lower connect). A lower I/O error is reported
 *   as is, and the session kept.
 * - Only offered to the same host string and port it was made with. A
 *   resumed handshake does not see a certificate: the server is trusted
 *   because it knows the master secret of a session whose certificate and
 *   host were verified earlier. Offered to another host, a server sharing
 *   the cache or ticket key (a load balancer, a CDN with many names) could
 *   resume it, and we would be talking to a host whose certificate nobody
 *   checked for that name; a ticket offered elsewhere also links the two
 *   connections for an observer. A session for another host or port is
 *   simply not offered (and is replaced by that connection's session).
 * - To keep a session across reboots: ccat_mbedtls_session_save() into a
 *   byte buffer after a handshake, ccat_mbedtls_session_load() at boot. The
 *   blob carries a format version and a checksum; anything wrong with it
 *   gives a distinct error and an empty session (a full handshake next).
 *   The blob holds the master secret: store it where the bearer token is.
 * - After changing trust anchors, free the session: a resumed handshake does
 *   not re-verify the certificate.
 * - Trace events (config @c trace; same signature as the client's, so
 *   both may share one observer): "tls_resume_offer" (1: a session is
 *   offered; 0: the saved one is for another host or port), "tls_handshake"
 *   (1: resumed, 0: full), "tls_session_drop" (a resumption failed; value:
 *   the transport error; a full handshake follows).
 * - Cost: about 1 KiB of Cortex-M4 code; the saved session holds the
 *   server certificate on mbedTLS's heap (MBEDTLS_SSL_KEEP_PEER_CERTIFICATE,
 *   Debian's default) plus the ticket, if any.
 */
#ifndef CCAT_MBEDTLS_H
#define CCAT_MBEDTLS_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "ccat/ccat.h"
#include "ccat/ccat_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A saved TLS session, in caller memory (see the file comment).
 * Zero-filled: empty. Holds the master secret: free it with
 * ccat_mbedtls_session_free(), which wipes it. One layer at a time.
 */
typedef struct ccat_mbedtls_session {
    mbedtls_ssl_session session; /**< ID or ticket, master secret, peer certificate (heap). */
    uint8_t peer[32];            /**< SHA-256 of the host and port it was made with. */
    uint8_t valid;               /**< 1 when @c session can be offered. */
} ccat_mbedtls_session_t;

/** @brief Results of ccat_mbedtls_session_save() and ccat_mbedtls_session_load(). */
enum ccat_mbedtls_session_status {
    CCAT_MBEDTLS_SESSION_OK = 0,             /**< Done. */
    CCAT_MBEDTLS_SESSION_ERR_ARGUMENT = -1,  /**< A NULL pointer. */
    CCAT_MBEDTLS_SESSION_ERR_EMPTY = -2,     /**< save: no session to save. */
    CCAT_MBEDTLS_SESSION_ERR_TOO_SMALL = -3, /**< save: buffer too small; the length tells the size needed. */
    CCAT_MBEDTLS_SESSION_ERR_TRUNCATED = -4, /**< load: shorter than the blob it starts. */
    CCAT_MBEDTLS_SESSION_ERR_FORMAT = -5,    /**< load: not a saved session, or longer than one. */
    CCAT_MBEDTLS_SESSION_ERR_VERSION = -6,   /**< load: another blob format, or another mbedTLS version or configuration. */
    CCAT_MBEDTLS_SESSION_ERR_CORRUPT = -7,   /**< load: checksum mismatch, or mbedTLS cannot read the session. */
    CCAT_MBEDTLS_SESSION_ERR_MEMORY = -8     /**< save/load: mbedTLS ran out of heap. */
};

/** @brief Trust anchors and entropy for the TLS layer. */
typedef struct ccat_mbedtls_config {
    /**
     * PEM bundle path (needs MBEDTLS_FS_IO), or NULL. Certificates in it that
     * mbedTLS cannot parse are skipped as long as at least one loads.
     * @c ca_file and @c ca_data may both be given: both are trusted.
     * Both NULL: the built-in AWS roots (Amazon Root CA 1-4, Starfield Services G2),
     * or, when CCAT_TLS_BUILTIN_ROOTS is 0 (ccat_config.h), an init error.
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
    /**
     * Session to offer and keep (resumption), or NULL for a full handshake
     * every time. Caller memory; must outlive the layer.
     */
    ccat_mbedtls_session_t *session;
    ccat_trace_fn trace;            /**< Observer of resumption events, or NULL (never sees a secret). */
    void *trace_ctx;                /**< Passed to @c trace. */
} ccat_mbedtls_config_t;

/** @brief State of one TLS layer (about 1 KiB plus mbedTLS's heap for records). */
typedef struct ccat_mbedtls {
    mbedtls_ssl_context ssl;        /**< The TLS session (records, keys). */
    mbedtls_ssl_config conf;        /**< Its configuration: verify required, TLS 1.2+. */
    mbedtls_x509_crt ca;            /**< The trust anchors. */
    mbedtls_ctr_drbg_context drbg;  /**< Random generator for the handshake. */
    mbedtls_entropy_context entropy; /**< Entropy that seeds @c drbg. */
    const ccat_transport_t *lower;  /**< The transport carrying the records. */
    uint32_t io_timeout_ms;         /**< Timeout passed down during a call. */
    int state;                      /**< Closed (0) / connecting / handshaking / open. */
    uint8_t ip[16];                 /**< The host's address when it is an IP literal. */
    uint8_t ip_len;                 /**< 4 or 16 for an IP literal, 0 for a host name. */
    uint8_t ip_matched;             /**< The leaf carried @c ip as an iPAddress SAN. */
    ccat_mbedtls_session_t *session; /**< Caller's saved session, or NULL. */
    ccat_trace_fn trace;            /**< Resumption events, or NULL. */
    void *trace_ctx;                /**< Passed to @c trace. */
    uint8_t peer[32];               /**< SHA-256 of the host and port being connected. */
    uint8_t offered;                /**< The handshake in progress offers @c session. */
    uint8_t accepted;               /**< The server's hello took the offered session. */
    uint8_t resumed;                /**< The last completed handshake resumed a session. */
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

/**
 * @brief Whether the last completed handshake was a resumed one.
 * @return 1 resumed, 0 full handshake (or none yet, or @p tls NULL).
 */
int ccat_mbedtls_resumed(const ccat_mbedtls_t *tls);

/**
 * @brief Empty @p sess, wiping the master secret and freeing the peer
 * certificate and ticket. NULL and a zero-filled struct are harmless; the
 * struct may be used again afterwards.
 */
void ccat_mbedtls_session_free(ccat_mbedtls_session_t *sess);

/**
 * @brief Serialise @p sess into @p buf to keep it across reboots.
 * The blob: "ccTS", format version, the host/port digest, mbedTLS's own
 * serialisation (with its version header), and a SHA-256 checksum of all
 * that. It holds the master secret: wipe copies of it after use.
 * @param[out] len Bytes written; on CCAT_MBEDTLS_SESSION_ERR_TOO_SMALL the
 *             size needed (about 100 bytes plus the server certificate).
 * @return ::ccat_mbedtls_session_status (OK, ARGUMENT, EMPTY, TOO_SMALL, MEMORY).
 */
int ccat_mbedtls_session_save(const ccat_mbedtls_session_t *sess, uint8_t *buf, size_t cap,
                              size_t *len);

/**
 * @brief Rebuild a session from a blob of ccat_mbedtls_session_save(),
 * exactly as long as save reported. Whatever is wrong with the blob,
 * @p sess ends up empty (the next connect does a full handshake) and the
 * result says what was wrong; a valid blob replaces what @p sess held.
 * The checksum catches storage corruption, not tampering: anyone who can
 * write the storage could read the master secret too.
 * @return ::ccat_mbedtls_session_status (OK, ARGUMENT, TRUNCATED, FORMAT,
 *         VERSION, CORRUPT, MEMORY).
 */
int ccat_mbedtls_session_load(ccat_mbedtls_session_t *sess, const uint8_t *buf, size_t len);

/** @brief The built-in roots: concatenated DER certificates. */
extern const unsigned char ccat_aws_roots_der[];
/** @brief Length of ccat_aws_roots_der. */
extern const size_t ccat_aws_roots_der_len;

#ifdef __cplusplus
}
#endif

#endif /* CCAT_MBEDTLS_H */
