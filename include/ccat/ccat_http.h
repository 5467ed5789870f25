/**
 * @file ccat_http.h
 * @brief Incremental, in-place HTTP/1.1 response parser (sans-I/O).
 *
 * The parser owns no memory: it works inside one caller buffer. Bytes may
 * arrive in pieces of any size, down to one byte at a time, by either of two
 * equivalent routes:
 *
 * - zero copy: ask ccat_http_response_space() where to put the next bytes,
 *   let the network write them there, then call ccat_http_response_advance();
 * - copy: hand any chunk of bytes you hold (an lwIP pbuf, a test vector) to
 *   ccat_http_response_feed().
 *
 * When the head is complete, header values the client needs are kept as
 * NUL-terminated strings inside the buffer. The body is stored de-chunked
 * right after the head, so the buffer must hold head + body (plus the
 * 3 bytes of a chunked body's last-chunk line "0\r\n", or 1 spare byte
 * for a body delimited by the connection's close). A head that
 * does not fit gives CCAT_ERR_HTTP_HEADERS_TOO_LARGE, a body that does not
 * fit gives CCAT_ERR_RESPONSE_TOO_LARGE: nothing is ever silently truncated.
 */
#ifndef CCAT_HTTP_H
#define CCAT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "ccat_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Parser state and, once complete, the parsed response. */
typedef struct ccat_http_response {
    /* Results (valid once ccat_http_response_advance() returned CCAT_OK). */
    int status;               /**< Status code, 100..999. */
    char *body;               /**< De-chunked body inside the buffer (not NUL-terminated). */
    size_t body_len;          /**< Body length in bytes (while the head is parsed, body is
                                   the buffer and body_len counts the complete head lines). */
    /* date, request_id, error_type: in this order (the parser indexes them). */
    const char *date;         /**< Date header value, or NULL. */
    const char *request_id;   /**< x-amzn-RequestId value, or NULL. */
    const char *error_type;   /**< x-amzn-ErrorType value (raw), or NULL. */
    uint8_t keep_alive;       /**< 1 if the connection may carry another request. */

    /* Parser state: private. state and flags sit in keep_alive's padding
     * (small offsets: shorter Thumb loads and stores). */
    uint8_t state;            /**< Private: where the parser is (head, body, chunk line, ...). */
    uint8_t flags;            /**< Private: framing seen in the head (length, chunked, close). */
    char *buf;                /**< Private: the caller's buffer. */
    size_t cap;               /**< Private: its size. */
    size_t used;              /**< Bytes stored (head, then head + decoded body). */
    size_t scan;              /**< Head: where the search for the blank line resumes. */
    size_t remaining;         /**< Private: body bytes still expected (ones that fit the buffer). */
    uint64_t length;          /**< Private: Content-Length value (up to 2^63 - 1); last, so that
                                   on 32-bit targets it needs no padding before it. */
} ccat_http_response_t;

/**
 * @brief Prepare to parse one response into @p buf.
 * @param resp Parser to initialise.
 * @param buf  Caller memory for head and body; must outlive the response.
 * @param cap  Size of @p buf in bytes.
 */
void ccat_http_response_init(ccat_http_response_t *resp, char *buf, size_t cap);

/**
 * @brief Where the next received bytes should be written.
 * @param resp Parser.
 * @param[out] space Start of free memory.
 * @return Free bytes at @p space (0 when the buffer is full: advance() has
 *         already reported the matching error).
 */
size_t ccat_http_response_space(ccat_http_response_t *resp, char **space);

/**
 * @brief Parse @p n bytes that were just written at the space given by
 * ccat_http_response_space().
 * @return CCAT_AGAIN (need more), CCAT_OK (response complete), or an error.
 *         Bytes beyond the end of the response give CCAT_ERR_HTTP_EXCESS_DATA.
 */
ccat_status_t ccat_http_response_advance(ccat_http_response_t *resp, size_t n);

/**
 * @brief Copying front end: parse @p len bytes held elsewhere.
 * @return As ccat_http_response_advance().
 */
ccat_status_t ccat_http_response_feed(ccat_http_response_t *resp, const char *data, size_t len);

/**
 * @brief The connection reached end of file.
 * @return CCAT_OK if that ends a close-delimited body (or the response was
 *         already complete), CCAT_ERR_CLOSED if the response is truncated.
 */
ccat_status_t ccat_http_response_eof(ccat_http_response_t *resp);

#ifdef __cplusplus
}
#endif

#endif /* CCAT_HTTP_H */
