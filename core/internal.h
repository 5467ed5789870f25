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
/** 1 if @p t is within [CCAT_TIME_MIN, CCAT_TIME_MAX] (one unsigned comparison). */
#define CCAT_TIME_IN_RANGE(t) \
    ((uint64_t)(t) - (uint64_t)CCAT_TIME_MIN <= (uint64_t)(CCAT_TIME_MAX - CCAT_TIME_MIN))

/**
 * Tokenize the body of @p resp into the free tail of its buffer; the root
 * must be an object. Returns the token count or a negative ccat_status_t.
 */
int ccat_body_parse(ccat_http_response_t *resp, jsmntok_t **toks);

/**
 * Decode the string member whose value is token @p i (-1: absent) in place.
 * Returns CCAT_ERR_RESPONSE_MISSING, CCAT_ERR_RESPONSE_TYPE (not a string),
 * CCAT_ERR_JSON_STRING, or CCAT_OK with *out and *len set (*out untouched
 * otherwise).
 */
ccat_status_t ccat_member_string(char *js, const jsmntok_t *toks, int i, const char **out,
                                 size_t *len);

/**
 * Fill @p err from an error response and return the matching CCAT_ERR_SVC_*.
 * @p err already holds the HTTP status and request id, all else cleared.
 */
ccat_status_t ccat_error_read(ccat_http_response_t *resp, ccat_error_t *err);

/**
 * Index of @p code in @p codes, a NUL-separated list ending in an empty
 * entry, or -1 (also for a NULL code). An entry's last character may be a
 * mark: '+' stands for the suffix "Exception", '*' for "with or without
 * Exception", so that the AWS code lists stay short.
 */
int ccat_code_index(const char *codes, const char *code);

/** 1 if AWS standard retry mode retries this outcome. */
int ccat_retry_is_retryable(ccat_status_t st, const ccat_error_t *err);
/** 1 if the outcome is a timeout or connection failure (costs more retry quota). */
int ccat_retry_is_connection_error(ccat_status_t st);
/** Back-off before attempt @p attempt + 1: uniform in [0, min(2^(attempt-1) s, cap)]. */
uint32_t ccat_retry_delay_ms(unsigned attempt, uint32_t random);

#endif /* CCAT_CORE_INTERNAL_H */
