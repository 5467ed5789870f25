/**
 * @file ccat_status.h
 * @brief Result codes of every ccat function.
 *
 * Zero is success, one positive value means "feed me more bytes", every
 * failure is negative and has a distinct name so that a log line or a test
 * can tell exactly what went wrong. No code ever carries a secret.
 */
#ifndef CCAT_STATUS_H
#define CCAT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Result of a ccat call. */
typedef enum ccat_status {
    CCAT_OK = 0,                      /**< Success. */
    CCAT_AGAIN = 1,                   /**< Incremental parser: more bytes needed. */

    /* Caller mistakes and parameter validation (nothing was sent). */
    CCAT_ERR_ARGUMENT = -1,           /**< NULL pointer or impossible argument. */
    CCAT_ERR_NAME_LENGTH = -2,        /**< `name` is not 1..100 code points. */
    CCAT_ERR_NAME_UTF8 = -3,          /**< `name` is not valid UTF-8 (or holds NUL). */
    CCAT_ERR_EXPIRES_RANGE = -4,      /**< `expiresTime` outside years 0001..9999. */
    CCAT_ERR_TOKEN_MISSING = -5,      /**< No bearer token configured. */
    CCAT_ERR_TOKEN_INVALID = -6,      /**< Bearer token has CR, LF or another control character. */
    CCAT_ERR_ENDPOINT = -7,           /**< Endpoint URL cannot be used. */
    CCAT_ERR_BUFFER_TOO_SMALL = -8,   /**< The request does not fit the caller's buffer. */
    CCAT_ERR_TIME_FORMAT = -9,        /**< Text is not an RFC 3339 / HTTP date. */
    CCAT_ERR_ID_INVALID = -10,        /**< Access token id is not 1..36 characters, or holds NUL. */
    CCAT_ERR_MAX_RESULTS = -11,       /**< ListAccessTokens `maxResults` is not 1..10. */
    CCAT_ERR_NEXT_TOKEN = -12,        /**< `nextToken` is empty or holds a control character. */

    /* Connection and transport. */
    CCAT_ERR_DNS = -20,               /**< Host name did not resolve. */
    CCAT_ERR_CONNECT = -21,           /**< TCP connection refused or unreachable. */
    CCAT_ERR_CONNECT_TIMEOUT = -22,   /**< Connect or TLS handshake exceeded its timeout. */
    CCAT_ERR_TLS = -23,               /**< TLS failure other than certificate checks. */
    CCAT_ERR_TLS_CERT = -24,          /**< Server certificate untrusted or wrong host. */
    CCAT_ERR_SEND = -25,              /**< Sending failed or the peer reset. */
    CCAT_ERR_RECV = -26,              /**< Receiving failed or the peer reset. */
    CCAT_ERR_CLOSED = -27,            /**< Peer closed before the response was complete. */
    CCAT_ERR_READ_TIMEOUT = -28,      /**< No byte within the read timeout. */
    CCAT_ERR_SEND_TIMEOUT = -29,      /**< The request could not be sent within the timeout. */

    /* HTTP framing (the response is not acceptable HTTP/1.1). */
    CCAT_ERR_HTTP_STATUS_LINE = -40,  /**< Malformed status line. */
    CCAT_ERR_HTTP_HEADER = -41,       /**< Malformed header line. */
    CCAT_ERR_HTTP_HEADERS_TOO_LARGE = -42, /**< Header section larger than the buffer. */
    CCAT_ERR_HTTP_LENGTH_INVALID = -43,    /**< Content-Length not a number, or overflows. */
    CCAT_ERR_HTTP_LENGTH_CONFLICT = -44,   /**< Differing Content-Length, or with chunked. */
    CCAT_ERR_HTTP_CHUNK_SIZE = -45,   /**< Bad or overflowing chunk size line. */
    CCAT_ERR_HTTP_CHUNK_FRAMING = -46,/**< Missing CRLF after chunk data, bad trailer. */
    CCAT_ERR_HTTP_TRANSFER_CODING = -47, /**< Transfer-Encoding other than chunked. */
    CCAT_ERR_HTTP_EXCESS_DATA = -48,  /**< Bytes after the end of the response. */

    /* Response content. */
    CCAT_ERR_RESPONSE_TOO_LARGE = -60,   /**< Body (or its JSON tokens) exceeds the buffer. */
    CCAT_ERR_JSON_SYNTAX = -61,          /**< Body is not valid JSON. */
    CCAT_ERR_JSON_STRING = -62,          /**< String with invalid UTF-8, lone surrogate or \\u0000. */
    CCAT_ERR_RESPONSE_MISSING = -63,     /**< A required member is absent. */
    CCAT_ERR_RESPONSE_TYPE = -64,        /**< A member has the wrong JSON type or is out of range. */
    CCAT_ERR_RESPONSE_STATUS = -65,      /**< Unexpected success status (not the modeled one). */

    /* Service errors: the call reached the service, which refused it. */
    CCAT_ERR_SVC_ACCESS_DENIED = -80,    /**< AccessDeniedException (403). */
    CCAT_ERR_SVC_CONFLICT = -81,         /**< ConflictException (409). */
    CCAT_ERR_SVC_NOT_FOUND = -82,        /**< ResourceNotFoundException (404). */
    CCAT_ERR_SVC_QUOTA = -83,            /**< ServiceQuotaExceededException (402). */
    CCAT_ERR_SVC_THROTTLING = -84,       /**< ThrottlingException (429). */
    CCAT_ERR_SVC_VALIDATION = -85,       /**< ValidationException (400). */
    CCAT_ERR_SVC_OTHER = -86,            /**< Any other error; see ccat_error_t::code. */

    /* Token rotation and its storage (ccat_rotate.h). */
    CCAT_ERR_STORAGE_READ = -100,        /**< The storage's read hook failed. */
    CCAT_ERR_STORAGE_WRITE = -101,       /**< The storage's write hook failed. */
    CCAT_ERR_STORAGE_COMMIT = -102,      /**< The storage's commit hook failed. */
    CCAT_ERR_STATE_MISSING = -103,       /**< Storage holds no record: provision a token first. */
    CCAT_ERR_STATE_CORRUPT = -104,       /**< The stored record fails its CRC or layout checks. */
    CCAT_ERR_STATE_VERSION = -105,       /**< The stored record has an unknown version. */
    CCAT_ERR_STATE_TOO_LARGE = -106,     /**< The record does not fit the record buffer. */
    CCAT_ERR_ROTATE_PREFIX = -107,       /**< Name prefix missing, too long, not printable ASCII
                                              or ending in a digit. */
    CCAT_ERR_ROTATE_NO_TIME = -108,      /**< No clock, and the service sent no usable Date. */
    CCAT_ERR_ROTATE_REJECTED = -109,     /**< The new token was refused; the old one was kept. */
    CCAT_ERR_ROTATE_ORPHANS = -110,      /**< Orphan tokens remain after the bounded clean-up. */
    CCAT_ERR_ROTATE_ID_UNKNOWN = -111    /**< The stored token's id is not among the account's
                                              tokens (wrong id provisioned): nothing deleted. */
} ccat_status_t;

/**
 * @brief Stable, secret-free name of a status: the name of its constant
 * without the "CCAT_" prefix, e.g. "ERR_READ_TIMEOUT", "OK", "AGAIN" (the
 * prefix is left out to keep the table small on small targets).
 * @param status Any value; unknown ones give "ERR_UNKNOWN".
 * @return A static string.
 */
const char *ccat_status_name(ccat_status_t status);

/**
 * @brief True when @p status is one of the CCAT_ERR_SVC_* codes.
 * @param status The status to classify.
 * @return 1 for a service error, 0 otherwise.
 */
int ccat_status_is_service_error(ccat_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* CCAT_STATUS_H */
