/**
 * @file internal.h
 * @brief Internal: pieces shared by the core's modules (not public API).
 */
#ifndef CCAT_CORE_INTERNAL_H
#define CCAT_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ccat/ccat.h"
#include "hints.h"
#include "json.h"

/**
 * Defines the static text @p name from @p literal without its NUL, for a
 * text only ever read by length or index (a byte of rodata less each).
 */
#define CCAT_TEXT(name, literal) static const char name[sizeof(literal) - 1] = literal

/** 1 if @p c is a control character: below 0x20, or DEL. */
static inline int ccat_is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/** First and last instants ccat_time_format() can write: years 0001..9999. */
#define CCAT_TIME_MIN (-62135596800LL * 1000000LL)
#define CCAT_TIME_MAX (253402300800LL * 1000000LL - 1)
/** 1 if @p t is within [CCAT_TIME_MIN, CCAT_TIME_MAX] (one unsigned comparison). */
#define CCAT_TIME_IN_RANGE(t) \
    ((uint64_t)(t) - (uint64_t)CCAT_TIME_MIN <= (uint64_t)(CCAT_TIME_MAX - CCAT_TIME_MIN))

#ifndef __OPTIMIZE_SIZE__
/**
 * Write the RFC 3339 text of @p t (within range) at @p out, without a NUL:
 * ccat_time_format()'s text. Returns its length, CCAT_TIME_TEXT_LEN(t).
 * -O2 only (the request writer's fast path); -Os: ccat_time_format().
 */
size_t ccat_time_text(ccat_time_t t, char *out);
/** Length of ccat_time_text() for @p t: 27 with microseconds, else 20. */
#define CCAT_TIME_TEXT_LEN(t) ((t) % 1000000 != 0 ? 27u : 20u)
#endif

/**
 * Tokenize the body of @p resp into the free tail of its buffer; the root
 * must be an object. Returns the token count or a negative ccat_status_t.
 * Then ccat_json_members(body, *toks, count, 0, keys, nkeys, at): every
 * reader looks its members up next (one call for both: less code). at[] is
 * all -1 when the count is not positive.
 */
int ccat_body_members(ccat_http_response_t *resp, jsmntok_t **toks, const char *keys, int nkeys,
                      int *at);

/**
 * ccat_body_members() without the members, and *plain as ccat_json_parse_plain() gives it: 1 when
 * every string's text is already its decoding (-O2 on x86-64 only; else 0,
 * and the decoder does it all). Inline: it is on every response's path.
 */
static inline int ccat_body_parse_plain(ccat_http_response_t *resp, jsmntok_t **toks, int *plain)
{
    const size_t align = _Alignof(jsmntok_t);
    uintptr_t end = (uintptr_t)(resp->body + resp->body_len);
    uintptr_t start = (end + align - 1) & ~(uintptr_t)(align - 1);
    uintptr_t limit = (uintptr_t)(resp->buf + resp->cap);
    unsigned ntoks = start < limit ? (unsigned)((limit - start) / sizeof(jsmntok_t)) : 0;
    *toks = (jsmntok_t *)start;
    *plain = 0;
    int n = ccat_json_parse_plain(resp->body, resp->body_len, *toks, ntoks, plain);
    if (n > 0 && (*toks)[0].type != JSMN_OBJECT) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    return n;
}

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
 * Index of @p code among the AWS error code names of retry.c, or -1 (also for
 * NULL): first the CCAT_CODES_MODELED modeled exceptions in the order of their
 * CCAT_ERR_SVC_* codes, then the standard-mode retry codes. Exact names only.
 */
int ccat_code_index(const char *code);
/** How many of ccat_code_index()'s names are modeled exceptions. */
#define CCAT_CODES_MODELED 6

/** ccat_status_is_service_error() as a macro: its one use on the create path
 * (ccat_retry_cost()) then does not link status.o. */
#define CCAT_IS_SERVICE_ERROR(st) \
    ((unsigned)(st) - (unsigned)CCAT_ERR_SVC_OTHER <= \
     (unsigned)(CCAT_ERR_SVC_ACCESS_DENIED - CCAT_ERR_SVC_OTHER))
/**
 * What AWS standard retry mode charges the retry quota to retry this outcome:
 * CCAT_RETRY_TIMEOUT_COST for a timeout or connection failure, CCAT_RETRY_COST
 * for a retryable service error (@p err: its details), 0 if not retried.
 * Inline: the client's retry loop is its one caller. @p st is an int: a
 * one-byte enum (arm-none-eabi) would cost a zero extension in the checks.
 */
static inline uint32_t ccat_retry_cost(int st, const ccat_error_t *err)
{
    /* Timeouts and connection failures; certificate failures are not retried:
     * they cannot heal within a call. */
    if (st <= CCAT_ERR_DNS && st >= CCAT_ERR_SEND_TIMEOUT && st != CCAT_ERR_TLS_CERT) {
        return CCAT_RETRY_TIMEOUT_COST;
    }
    if (!CCAT_IS_SERVICE_ERROR(st)) {
        return 0;
    }
    /* 500, 502, 503 and 504 */
    unsigned s = (unsigned)err->http_status - 500u;
    if (s <= 4u && s != 1u) {
        return CCAT_RETRY_COST;
    }
    /* botocore's throttling and transient codes: ThrottlingException
     * (modeled) and the entries after the modeled ones. */
    int i = ccat_code_index(err->code);
    return i == CCAT_ERR_SVC_ACCESS_DENIED - CCAT_ERR_SVC_THROTTLING || i >= CCAT_CODES_MODELED
               ? CCAT_RETRY_COST
               : 0;
}
/** Back-off before attempt @p attempt + 1: uniform in [0, min(2^(attempt-1) s, cap)].
 * Inline: the client's retry loop is its one caller. */
static inline uint32_t ccat_retry_delay_ms(unsigned attempt, uint32_t random)
{
#define CCAT_BELOW_CAP_(a) ((1000u << (a)) < CCAT_RETRY_MAX_BACKOFF_MS)
    /* How many attempts (up to 15) back off by less than the cap: 1000 << (a - 1)
     * grows with a, so those are attempts 1..below. It is 500 << a: no
     * subtraction. */
    enum {
        below = CCAT_BELOW_CAP_(0) + CCAT_BELOW_CAP_(1) + CCAT_BELOW_CAP_(2) + CCAT_BELOW_CAP_(3) +
                CCAT_BELOW_CAP_(4) + CCAT_BELOW_CAP_(5) + CCAT_BELOW_CAP_(6) + CCAT_BELOW_CAP_(7) +
                CCAT_BELOW_CAP_(8) + CCAT_BELOW_CAP_(9) + CCAT_BELOW_CAP_(10) + CCAT_BELOW_CAP_(11) +
                CCAT_BELOW_CAP_(12) + CCAT_BELOW_CAP_(13) + CCAT_BELOW_CAP_(14)
    };
#undef CCAT_BELOW_CAP_
    uint32_t cap = attempt <= below ? 500u << attempt : CCAT_RETRY_MAX_BACKOFF_MS;
    /* random / 2^32 is uniform in [0, 1). */
    return (uint32_t)(((uint64_t)random * cap) >> 32);
}

/* ---- requests (create.c): one writer for every operation ---------------- */

/** Appends to a fixed buffer; remembers overflow instead of writing past it. */
typedef struct ccat_writer {
    char *p;
    size_t cap;
    size_t len;
    uint8_t overflow;
} ccat_writer_t;

/** Appends n bytes, or remembers that they did not fit. */
void ccat_put(ccat_writer_t *w, const char *s, size_t n);
/** Appends the decimal digits of v. */
void ccat_put_uint(ccat_writer_t *w, size_t v);
/** Appends s[0..n) as a JSON string literal (quotes included). */
void ccat_put_json(ccat_writer_t *w, const char *s, size_t n);

/** What differs between the operations' requests (strings with their lengths,
 * so that writing them costs no strlen). */
typedef struct ccat_op {
    /** The request line up to the Host value, "PUT /v1/accessTokens
     * HTTP/1.1\r\nHost: " (or, with @c path_rest, up to the path's end so
     * far); the endpoint's base path goes in after its first @c method_len
     * bytes, the method and its space. Right after it (no pointer of its
     * own), the tail: the header lines after the Authorization value, to
     * the end of the head, complete lines and the blank line. With a body,
     * the tail's last line is "Content-Length: " and @c body_digits
     * placeholder digits, which the body's length replaces. */
    const char *line;
    /** Writes the rest of the request line (DeleteAccessToken's id, then
     * " HTTP/1.1\r\nHost: "); NULL: @c line is complete. */
    void (*path_rest)(ccat_writer_t *w, const void *in);
    /** Writes the JSON body; NULL: none. */
    void (*body)(ccat_writer_t *w, const void *in);
    /** Lengths: the method's (with its space), the rest of the line's (what
     * goes after the base path: no subtraction to find it), the tail's. */
    uint8_t method_len, rest_len, tail_len;
    /** The fewest digits the body's length can have (1 or 2): the tail has
     * that many placeholder digits, so that the length goes in place (and
     * the body only moves when its length is longer). */
    uint8_t body_digits;
} ccat_op_t;

/**
 * Defines the ccat_op_t @p name from string literals: its text (method,
 * line, then tail) in one array @p name ## _text without the NUL (every
 * piece is read by its length), the lengths computed at compile time.
 */
#define CCAT_OP_DEFINE(name, method, line, tail, path_rest, body, body_digits)                \
    CCAT_TEXT(name##_text, method line tail);                                              \
    static const ccat_op_t name = {name##_text,       (path_rest),      (body),             \
                                   sizeof(method) - 1, sizeof(line) - 1, sizeof(tail) - 1, \
                                   (body_digits)}

/**
 * Check the context and bearer token, then write @p op's request for @p in
 * (its parameters, already checked). CCAT_ERR_BUFFER_TOO_SMALL wipes buf.
 */
ccat_status_t ccat_request_write(const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                                 const void *in, char *buf, size_t cap, size_t *out_len);

/** 1 if one of the n bytes at s is a control character (< 0x20 or 0x7f). */
int ccat_has_control(const char *s, size_t n);

/* ---- responses (error.c) ------------------------------------------------ */

/**
 * What every response read starts with: clear @p err (may be NULL), record the HTTP status
 * and request id; an error status fills @p err and gives its CCAT_ERR_SVC_*;
 * a success other than @p expect gives CCAT_ERR_RESPONSE_STATUS; else CCAT_OK.
 * Inline at -O2 (on every response's path); one copy in error.c at -Os.
 */
static inline ccat_status_t ccat_response_begin_inline(ccat_http_response_t *resp,
                                                       ccat_error_t *err, int expect)
{
    /* Every member by name: a memset() call and two stores were larger. */
    _Static_assert(offsetof(ccat_error_t, request_id) + sizeof(const char *) ==
                       sizeof(ccat_error_t),
                   "http_status, code, message, request_id: no other member to clear");
    ccat_error_t local; /* err may be NULL: one place for that, not every reader */
    err = err != NULL ? err : &local;
    err->http_status = resp->status;
    err->code = err->message = NULL;
    err->request_id = resp->request_id;
    if (resp->status >= 300) {
        return ccat_error_read(resp, err);
    }
    return resp->status == expect ? CCAT_OK : CCAT_ERR_RESPONSE_STATUS;
}
#ifndef __OPTIMIZE_SIZE__
#define ccat_response_begin ccat_response_begin_inline
#else
ccat_status_t ccat_response_begin(ccat_http_response_t *resp, ccat_error_t *err, int expect);
#endif

/**
 * ccat_member_string() for an optional member: absent or null gives CCAT_OK
 * with *out = NULL.
 */
ccat_status_t ccat_member_optional(char *js, const jsmntok_t *toks, int i, const char **out,
                                   size_t *len);

/* ---- the blocking client (client.c) ------------------------------------- */

/** Writes one operation's request (validating its parameters first). */
typedef ccat_status_t (*ccat_write_fn)(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                       size_t cap, size_t *out_len);
/** Reads one operation's complete response into @p out. */
typedef ccat_status_t (*ccat_read_fn)(ccat_http_response_t *resp, void *out, ccat_error_t *err);

/**
 * One blocking call of any operation: write, send, receive, read, with
 * keep-alive, reconnects and standard-mode retries.
 */
ccat_status_t ccat_client_call(ccat_client_t *c, ccat_write_fn write, const void *in,
                               ccat_read_fn read, void *out);

#endif /* CCAT_CORE_INTERNAL_H */
