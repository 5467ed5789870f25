/**
 * @file ccat_config.h
 * @brief Every compile-time option of ccat, with its documented default.
 *
 * To override, define CCAT_CONFIG_FILE as the name of a header of your own
 * (e.g. `-DCCAT_CONFIG_FILE='"my_ccat_config.h"'`); it is included first, and
 * any option it leaves undefined keeps the default below.
 */
#ifndef CCAT_CONFIG_H
#define CCAT_CONFIG_H

#ifdef CCAT_CONFIG_FILE
#include CCAT_CONFIG_FILE
#endif

/** @brief Library version, sent in the User-Agent as `ccat/<version>`. */
#define CCAT_VERSION_STRING "0.1.0"

/**
 * @brief Platform words appended to the User-Agent after `ccat/<version>`
 * when the client configuration gives none. Default: "embedded".
 */
#ifndef CCAT_PLATFORM_STRING
#define CCAT_PLATFORM_STRING "embedded"
#endif

/**
 * @brief Longest host name an endpoint may carry (bytes, without the NUL).
 * The client keeps a copy of this size. Default: 255 (the DNS limit is 253).
 */
#ifndef CCAT_HOST_MAX
#define CCAT_HOST_MAX 255
#endif

/** @brief Attempts per call (first try included) unless configured. Default: 3,
 * as AWS "standard" retry mode. */
#ifndef CCAT_MAX_ATTEMPTS_DEFAULT
#define CCAT_MAX_ATTEMPTS_DEFAULT 3
#endif

/** @brief Cap of one retry delay in milliseconds. Default: 20000 (standard mode). */
#ifndef CCAT_RETRY_MAX_BACKOFF_MS
#define CCAT_RETRY_MAX_BACKOFF_MS 20000u
#endif

/** @brief Retry quota of a client (AWS standard mode token bucket). Default: 500. */
#ifndef CCAT_RETRY_QUOTA_INITIAL
#define CCAT_RETRY_QUOTA_INITIAL 500u
#endif
/** @brief Quota taken by a retry after an error response. Default: 5. */
#ifndef CCAT_RETRY_COST
#define CCAT_RETRY_COST 5u
#endif
/** @brief Quota taken by a retry after a timeout or connection error. Default: 10. */
#ifndef CCAT_RETRY_TIMEOUT_COST
#define CCAT_RETRY_TIMEOUT_COST 10u
#endif

/** @brief Connect (TCP + TLS handshake) timeout unless configured, ms. Default: 60000. */
#ifndef CCAT_CONNECT_TIMEOUT_MS_DEFAULT
#define CCAT_CONNECT_TIMEOUT_MS_DEFAULT 60000u
#endif

/** @brief Read timeout (longest silence while a response is awaited), ms. Default: 60000. */
#ifndef CCAT_READ_TIMEOUT_MS_DEFAULT
#define CCAT_READ_TIMEOUT_MS_DEFAULT 60000u
#endif

/**
 * @brief 1: the mbedTLS port trusts its built-in AWS roots (Amazon Root CA
 * 1-4, Starfield Services G2; 4.1 KiB of flash) when a TLS layer is given
 * no trust anchors. 0: there are no built-in roots, they are not linked,
 * and ccat_mbedtls_init() without @c ca_file or @c ca_data fails with
 * CCAT_ERR_TLS. Boards that bring their own CA set 0. Default: 1.
 */
#ifndef CCAT_TLS_BUILTIN_ROOTS
#define CCAT_TLS_BUILTIN_ROOTS 1
#endif

#endif /* CCAT_CONFIG_H */
