/**
 * @file internal.h
 * @brief Internal: pieces shared by the core's modules (not public API).
 */
#ifndef CCAT_CORE_INTERNAL_H
#define CCAT_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ccat/ccat.h"
#include "json.h"

/** First and last instants ccat_time_format() can write: years 0001..9999. */
#define CCAT_TIME_MIN (-62135596800LL * 1000000LL)
#define CCAT_TIME_MAX (253402300800LL * 1000000LL - 1)

/** Appends to a fixed buffer; remembers overflow instead of writing past it. */
typedef struct ccat_writer {
    char *p;
    size_t cap;
    size_t len;
    uint8_t overflow;
} ccat_writer_t;

/** Append n bytes. */
void ccat_w_put(ccat_writer_t *w, const char *s, size_t n);
/** Append a string literal (its length is known at compile time). */
#define CCAT_W_LIT(w, lit) ccat_w_put((w), (lit), sizeof(lit) - 1)
/** Append a NUL-terminated string. */
void ccat_w_str(ccat_writer_t *w, const char *s);
/** Append the decimal digits of v. */
void ccat_w_uint(ccat_writer_t *w, uint64_t v);

/** Request line, Host, User-Agent and Authorization, each ending in CRLF. */
void ccat_request_head(ccat_writer_t *w, const ccat_request_ctx_t *ctx,
                       const char *method, const char *path);
/** Start a JSON body: Content-Type and a reserved Content-Length. Returns the body's offset. */
size_t ccat_request_body_begin(ccat_writer_t *w);
/** Close the body begun at @p body_start: fill in Content-Length, end the head. */
void ccat_request_body_end(ccat_writer_t *w, size_t body_start);

/**
 * Tokenize the body of @p resp into the free tail of its buffer; the root
 * must be an object. Returns the token count or a negative ccat_status_t.
 */
int ccat_body_parse(ccat_http_response_t *resp, jsmntok_t **toks);

/** Fill @p err from an error response and return the matching CCAT_ERR_SVC_*. */
ccat_status_t ccat_error_read(ccat_http_response_t *resp, ccat_error_t *err);

/** 1 if AWS standard retry mode retries this outcome. */
int ccat_retry_is_retryable(ccat_status_t st, const ccat_error_t *err);
/** 1 if the outcome is a timeout or connection failure (costs more retry quota). */
int ccat_retry_is_connection_error(ccat_status_t st);
/** Back-off before attempt @p attempt + 1: uniform in [0, min(2^(attempt-1) s, cap)]. */
uint32_t ccat_retry_delay_ms(unsigned attempt, uint32_t random);

#endif /* CCAT_CORE_INTERNAL_H */
