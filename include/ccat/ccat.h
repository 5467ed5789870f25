/**
 * @file ccat.h
 * @brief ccat: Amazon CodeCatalyst access tokens from a device.
 *
 * Two layers:
 *
 * 1. Sans-I/O (core): ccat_create_request_write() builds the HTTP request
 *    into a caller buffer; ccat_http_response_t (ccat_http.h) parses the
 *    answer fed in pieces; ccat_create_response_read() turns it into a token
 *    or a service error. No heap, no I/O, no clock.
 * 2. Blocking client: ccat_create_access_token() runs the exchange over a
 *    ::ccat_transport_t with timeouts, keep-alive and AWS standard retries.
 *
 * Secrets: the bearer token and the returned secret live only in buffers the
 * caller provides; ccat_client_wipe() / ccat_wipe() clear them.
 */
#ifndef CCAT_H
#define CCAT_H

#include <stddef.h>
#include <stdint.h>

#include "ccat_config.h"
#include "ccat_http.h"
#include "ccat_status.h"
#include "ccat_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/** @name Time */
/**@{*/

/** @brief A UTC instant: microseconds since 1970-01-01T00:00:00Z (may be negative). */
typedef int64_t ccat_time_t;

/** @brief Longest text ccat_time_format() writes, NUL included
 * ("YYYY-MM-DDThh:mm:ss.uuuuuuZ"). */
#define CCAT_TIME_TEXT_MAX 28

/**
 * @brief Format as RFC 3339 UTC: `YYYY-MM-DDThh:mm:ssZ`, or with `.uuuuuu`
 * when the microseconds are non-zero (botocore's form).
 * @param t   Instant; years 0001..9999.
 * @param out At least CCAT_TIME_TEXT_MAX bytes; NUL-terminated.
 * @return Characters written (without NUL), or CCAT_ERR_EXPIRES_RANGE.
 */
int ccat_time_format(ccat_time_t t, char out[CCAT_TIME_TEXT_MAX]);

/**
 * @brief Parse RFC 3339: `YYYY-MM-DD(T|t| )hh:mm:ss[.fraction](Z|z|+hh:mm|-hh:mm)`.
 * Any number of fraction digits (kept to the microsecond, truncated).
 * A leap second (:60) is rejected.
 * @return CCAT_OK, or CCAT_ERR_TIME_FORMAT.
 */
ccat_status_t ccat_time_parse(const char *text, size_t len, ccat_time_t *out);

/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Endpoint */
/**@{*/

/** @brief Default endpoint of the service. */
#define CCAT_ENDPOINT_DEFAULT "https://codecatalyst.global.api.aws"
/** @brief FIPS endpoint of the service. */
#define CCAT_ENDPOINT_FIPS "https://codecatalyst-fips.global.api.aws"

/** @brief A parsed endpoint URL. */
typedef struct ccat_endpoint {
    char host[CCAT_HOST_MAX + 1]; /**< Host name or address, brackets removed from IPv6. */
    uint16_t port;                /**< Port (443 / 80 by default). */
    uint8_t tls;                  /**< 1 for https, 0 for http. */
    uint8_t port_explicit;        /**< 1 when the port differs from the scheme's default. */
    uint8_t ipv6;                 /**< 1 when the host is an IPv6 literal. */
    const char *base_path;        /**< Path prefix without trailing '/', inside the URL string. */
    size_t base_path_len;         /**< Its length (0 for none). */
} ccat_endpoint_t;

/**
 * @brief Parse `http[s]://host[:port][/base/path]`.
 * The URL string must outlive @p ep (the base path points into it).
 * Queries, fragments, user info and control characters are refused.
 * @return CCAT_OK or CCAT_ERR_ENDPOINT.
 */
ccat_status_t ccat_endpoint_parse(const char *url, ccat_endpoint_t *ep);

/**@}*/

/* ------------------------------------------------------------------------ */
/** @name CreateAccessToken, sans-I/O */
/**@{*/

/** @brief Parameters of CreateAccessToken. */
typedef struct ccat_create_params {
    const char *name;          /**< Required: 1..100 code points of valid UTF-8. */
    ccat_time_t expires_time;  /**< Used when @c has_expires_time is non-zero. */
    uint8_t has_expires_time;  /**< 0: let the service choose (one year). */
} ccat_create_params_t;

/** @brief What every request needs besides its parameters. */
typedef struct ccat_request_ctx {
    const ccat_endpoint_t *endpoint; /**< Where to. */
    const char *bearer_token;        /**< `Authorization: Bearer` value; no control characters. */
    const char *platform;            /**< User-Agent platform words; NULL: CCAT_PLATFORM_STRING. */
} ccat_request_ctx_t;

/**
 * @brief Check CreateAccessToken parameters as the service model does.
 * @return CCAT_OK, CCAT_ERR_NAME_LENGTH, CCAT_ERR_NAME_UTF8 or CCAT_ERR_EXPIRES_RANGE.
 */
ccat_status_t ccat_create_params_check(const ccat_create_params_t *params);

/**
 * @brief Check a bearer token: present, no CR, LF or other control character.
 * @return CCAT_OK, CCAT_ERR_TOKEN_MISSING or CCAT_ERR_TOKEN_INVALID.
 */
ccat_status_t ccat_bearer_token_check(const char *token);

/**
 * @brief Validate, then write the whole HTTP request (head and JSON body).
 * @param[out] out_len Bytes written.
 * @return CCAT_OK, a validation error, or CCAT_ERR_BUFFER_TOO_SMALL (buffer
 *         then wiped, since it may hold part of the token).
 */
ccat_status_t ccat_create_request_write(const ccat_request_ctx_t *ctx,
                                        const ccat_create_params_t *params,
                                        char *buf, size_t cap, size_t *out_len);

/** @brief A created access token. Strings point into the response buffer. */
typedef struct ccat_access_token {
    const char *secret;           /**< NUL-terminated; wipe with ccat_access_token_wipe(). */
    size_t secret_len;            /**< Bytes of @c secret. */
    const char *name;             /**< NUL-terminated UTF-8. */
    const char *access_token_id;  /**< NUL-terminated. */
    ccat_time_t expires_time;     /**< When the token expires. */
} ccat_access_token_t;

/** @brief A service error, as the AWS SDKs report it. Strings point into the response buffer. */
typedef struct ccat_error {
    int http_status;          /**< HTTP status, 0 when no response was received. */
    const char *code;         /**< Error code (e.g. "ValidationException"), or NULL. */
    const char *message;      /**< Message, or NULL. */
    const char *request_id;   /**< x-amzn-RequestId, or NULL. */
} ccat_error_t;

/**
 * @brief Interpret a complete CreateAccessToken response.
 *
 * On 201: decodes `secret`, `name`, `expiresTime` and `accessTokenId` in place
 * inside the response buffer. On an error status: fills @p err and returns the
 * matching CCAT_ERR_SVC_* code. On any failure the body is wiped, so no part
 * of a secret survives.
 * @param resp A response for which ccat_http_response_advance() returned CCAT_OK.
 * @param[out] tok Token on success (may not be NULL).
 * @param[out] err Error details (may be NULL); cleared on success.
 */
ccat_status_t ccat_create_response_read(ccat_http_response_t *resp,
                                        ccat_access_token_t *tok, ccat_error_t *err);

/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Blocking client */
/**@{*/

/** @brief Client configuration. Zero fields take the documented defaults. */
typedef struct ccat_client_config {
    const char *endpoint_url;    /**< NULL: CCAT_ENDPOINT_DEFAULT. Must outlive the client. */
    const char *bearer_token;    /**< Required. Must outlive the client (see ccat_client_set_token()). */
    const char *platform;        /**< User-Agent platform words; NULL: CCAT_PLATFORM_STRING. */
    char *buffer;                /**< Request and response memory (one buffer serves both). */
    size_t buffer_size;          /**< Its size: request + response must fit; 8 KiB takes a 4000-character secret. */
    const ccat_transport_t *transport; /**< Required. */
    const ccat_platform_t *platform_hooks; /**< Required (now_ms at least). */
    uint32_t connect_timeout_ms; /**< 0: CCAT_CONNECT_TIMEOUT_MS_DEFAULT. */
    uint32_t read_timeout_ms;    /**< 0: CCAT_READ_TIMEOUT_MS_DEFAULT. */
    uint8_t max_attempts;        /**< 0: CCAT_MAX_ATTEMPTS_DEFAULT; 1 disables retries. */
} ccat_client_config_t;

/** @brief Observer of the client's progress (for logs). Never sees a secret. */
typedef void (*ccat_trace_fn)(void *ctx, const char *event, long value);

/** @brief A blocking client: one connection, kept alive across calls. */
typedef struct ccat_client {
    ccat_client_config_t cfg;   /**< Copy of the configuration. */
    ccat_trace_fn trace;        /**< Optional progress observer. */
    void *trace_ctx;            /**< Passed to @c trace. */
    uint32_t retry_quota;       /**< AWS standard-mode retry tokens left. */
    uint8_t connected;          /**< A kept-alive connection is open. */
    uint8_t attempts;           /**< Attempts made by the last call. */
    ccat_http_response_t resp;  /**< Last response (strings of results point into the buffer). */
    ccat_error_t error;         /**< Details of the last failure. */
    /* Last: its host name is large; the members the calls use most then
     * sit at small offsets (16-bit loads and stores on Thumb: -30 B). */
    ccat_endpoint_t endpoint;   /**< Parsed endpoint. */
} ccat_client_t;

/**
 * @brief Set up a client (no I/O happens here).
 *
 * @p cfg is copied before anything else of @p client is cleared, so it may be
 * the client's own configuration: `ccat_client_init(c, &c->cfg)` re-initialises
 * a client with the configuration it has (its defaults already filled in).
 * All else is cleared, the trace observer too; an open connection is then
 * forgotten, not closed: call ccat_client_wipe() first.
 * @return CCAT_OK, CCAT_ERR_ARGUMENT or CCAT_ERR_ENDPOINT.
 */
ccat_status_t ccat_client_init(ccat_client_t *client, const ccat_client_config_t *cfg);

/**
 * @brief Use another bearer token for the next calls (e.g. after rotation).
 *
 * The string is not copied: it must stay valid while the client may use it.
 * A call takes the token once, when it starts, so every attempt of one call
 * (retries and reconnects included) sends the same token; a token set during
 * a call (from the trace observer, say) is used from the next call on.
 */
void ccat_client_set_token(ccat_client_t *client, const char *bearer_token);

/**
 * @brief CreateAccessToken, blocking: connect (or reuse), send, receive,
 * retry as AWS standard mode does.
 * @param[out] tok On success; its strings live in the client's buffer until
 *             the next call or ccat_client_wipe().
 * @return CCAT_OK or an error; ccat_client_last_error() gives service details.
 */
ccat_status_t ccat_create_access_token(ccat_client_t *client,
                                       const ccat_create_params_t *params,
                                       ccat_access_token_t *tok);

/** @brief Details of the last failed call (http_status 0 if no response). */
const ccat_error_t *ccat_client_last_error(const ccat_client_t *client);

/** @brief Close the connection and wipe the client's buffer. */
void ccat_client_wipe(ccat_client_t *client);

/** @brief Zero memory in a way the compiler may not remove. */
void ccat_wipe(void *p, size_t n);

/** @brief Wipe the secret of @p tok and clear the structure. */
void ccat_access_token_wipe(ccat_access_token_t *tok);

/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* CCAT_H */
