/**
 * @file mbedtls_config.h
 * @brief Trimmed mbedTLS 2.28 configuration: a TLS 1.2 client and nothing else.
 *
 * Self-contained (replaces mbedTLS's config.h entirely): use it with
 * -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' and the mbedTLS library sources
 * listed in this directory's CMakeLists.txt (CCAT_FW_MBEDTLS_SOURCES). It
 * builds on the host as well (the heap benchmark reuses it), where the
 * platform entropy source (/dev/urandom) stays available.
 *
 * What the client can do:
 * - TLS 1.2 only (mbedTLS 2.28's TLS 1.3 is experimental and server-less),
 *   client side, ECDHE key exchange with ECDSA server certificates,
 *   AES-128-GCM with SHA-256: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.
 *   With -DCCAT_TLS_RSA=1 also TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and RSA
 *   chains: most AWS endpoints present RSA-2048 certificates chaining to
 *   Amazon Root CA 1, so a device that talks to the real service needs it
 *   (the footprint table lists what it costs). The built-in AWS roots also
 *   need it to load (four of the five are RSA).
 * - Curve P-256 only (ECDHE and ECDSA); SHA-256 (and SHA-224) only.
 * - X.509: parse DER certificates, verify the chain, key usage and
 *   extended key usage; no PEM (the trust anchors are embedded as DER).
 * - SNI, extended master secret, max_fragment_length (RFC 6066).
 *
 * Memory: records of 4 KiB each way (MBEDTLS_SSL_IN/OUT_CONTENT_LEN) instead
 * of 16 KiB. The client asks for 4 KiB records with max_fragment_length; a
 * server that ignores the extension and sends a larger record makes the
 * handshake or read fail (never an overflow). OpenSSL servers, hence the
 * Python emulator, honour it (checked by tests/qemu: see README.md). The
 * peer certificate is not kept after the handshake
 * (no MBEDTLS_SSL_KEEP_PEER_CERTIFICATE): about 1 KiB of heap less.
 *
 * Time: MBEDTLS_HAVE_TIME and MBEDTLS_HAVE_TIME_DATE are off, because the
 * board has no calendar clock. The consequence: certificate validity dates
 * (notBefore / notAfter) are NOT checked. Chain, signature, host and key
 * usage still are. A product with an RTC or SNTP defines both, provides
 * time() / mbedtls_platform_gmtime_r(), and gets expiry checks back.
 *
 * Heap: MBEDTLS_PLATFORM_MEMORY, so the application installs its allocator
 * with mbedtls_platform_set_calloc_free() (the board counts peak use there).
 */
#ifndef CCAT_MBEDTLS_CONFIG_H
#define CCAT_MBEDTLS_CONFIG_H

#ifndef CCAT_TLS_RSA
#define CCAT_TLS_RSA 0
#endif

/* ---- system ---------------------------------------------------------------- */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#if !defined(__unix__) && !defined(__APPLE__)
/* Bare metal: no /dev/urandom. The board adds its own source (ccat_mbedtls_config_t.entropy). */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#endif
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- crypto ---------------------------------------------------------------- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES   /* tables in flash, not 8 KiB of RAM */
#define MBEDTLS_AES_FEWER_TABLES /* 2 KiB of tables instead of 8 KiB */
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER /* about 1.5 KiB less code, slower hashing */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_WINDOW_SIZE 2       /* smaller precomputation tables on the heap */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0 /* no cached comb tables (RAM) */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C /* ECDSA signature encoding */
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256 /* no SHA-512 in the build */
#define MBEDTLS_CTR_DRBG_C
#if CCAT_TLS_RSA
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#endif

/* ---- X.509 ---------------------------------------------------------------- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE

/* ---- TLS ------------------------------------------------------------------ */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096
#if CCAT_TLS_RSA
#define MBEDTLS_SSL_CIPHERSUITES \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
#else
#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
#endif

#include "mbedtls/check_config.h"

#endif /* CCAT_MBEDTLS_CONFIG_H */
