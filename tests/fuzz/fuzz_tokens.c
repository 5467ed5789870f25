/*
 * libFuzzer harness for the response readers of ListAccessTokens,
 * DeleteAccessToken and VerifySession (core/tokens.c, core/error.c), fed
 * through the incremental HTTP parser as a device receives them.
 *
 * Input: bytes 0 and 1 choose the buffer size (1..4096), byte 2 the split
 * pattern and the route (as in fuzz_http.c), byte 3 the reader and its
 * arguments (bits 0-1: list, verify, delete, list; bits 2-3: the page's
 * nextToken storage; bits 4-7: the item after which the callback stops, 0
 * never); the rest is the response. The response is delivered whole, byte
 * by byte and in pseudo-random pieces into a heap buffer of exactly that
 * size (AddressSanitizer sees any access outside it), then read. Checked:
 * - every string a result points to (items, nextToken, identity, error)
 *   is NUL-terminated inside the buffer, item and identity strings inside
 *   the body, and valid UTF-8 without control bytes where the model says;
 * - items are delivered only when the whole page is good (a failure means
 *   no callback), the callback's stop is obeyed, page->items counts them;
 * - nextToken storage is written only on success, and fits;
 * - a failure of a 2xx response leaves the body wiped (list, as create);
 * - every delivery gives the same outcome.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat_http.h"
#include "ccat/ccat_tokens.h"
#include "fuzz_common.h"

enum { CAP_MAX = 4096, OUT_MAX = 3 * CAP_MAX, NEXT_BIG = 4096 };

/* What one delivery gave: a flat log of everything observable. */
typedef struct outcome {
    size_t len;
    char log[OUT_MAX];
} outcome_t;

static void log_bytes(outcome_t *o, const void *p, size_t n)
{
    REQUIRE(o->len + n <= sizeof o->log);
    memcpy(o->log + o->len, p, n);
    o->len += n;
}

static void log_int(outcome_t *o, long v)
{
    log_bytes(o, &v, sizeof v);
}

/* Valid UTF-8 (no overlong form, surrogate, or code point > U+10FFFF), no NUL. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (c == 0 || len == 0 || n - i < len) {
            return 0;
        }
        unsigned long cp = len == 1 ? c : c & (0xFFu >> (len + 1));
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (s[i + j] & 0x3Fu);
        }
        if (cp < min[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return 0;
        }
        i += len;
    }
    return 1;
}

/* s and its NUL lie in [lo, hi); returns its length. */
static size_t string_in(const char *s, const char *lo, const char *hi)
{
    REQUIRE(s != NULL && s >= lo && s < hi);
    const char *nul = memchr(s, '\0', (size_t)(hi - s));
    REQUIRE(nul != NULL);
    return (size_t)(nul - s);
}

/* Logs an optional string that must lie in [lo, hi). */
static void log_string(outcome_t *o, const char *s, const char *lo, const char *hi)
{
    log_int(o, s != NULL);
    if (s != NULL) {
        log_bytes(o, s, string_in(s, lo, hi) + 1);
    }
}

/* The item callback's view. */
typedef struct items_ctx {
    const ccat_http_response_t *resp;
    outcome_t *o;
    unsigned calls, stop_after;
} items_ctx_t;

static int on_item(void *ctx, const ccat_access_token_summary_t *it)
{
    items_ctx_t *c = ctx;
    const char *lo = c->resp->body, *hi = c->resp->body + c->resp->body_len;
    size_t id_len = string_in(it->id, lo, hi), name_len = string_in(it->name, lo, hi);
    /* Required and non-empty, decoded in place, valid UTF-8. */
    REQUIRE(id_len > 0 && name_len > 0);
    REQUIRE(utf8_ok((const unsigned char *)it->id, id_len));
    REQUIRE(utf8_ok((const unsigned char *)it->name, name_len));
    REQUIRE(it->has_expires_time <= 1 && (it->has_expires_time || it->expires_time == 0));
    if (it->has_expires_time) {
        /* A parsed time formats and parses back to itself. */
        char text[CCAT_TIME_TEXT_MAX];
        ccat_time_t back = 0;
        int n = ccat_time_format(it->expires_time, text);
        REQUIRE(n > 0 && n < CCAT_TIME_TEXT_MAX);
        REQUIRE(ccat_time_parse(text, (size_t)n, &back) == CCAT_OK && back == it->expires_time);
    }
    log_bytes(c->o, it->id, id_len + 1);
    log_bytes(c->o, it->name, name_len + 1);
    log_int(c->o, it->has_expires_time);
    log_int(c->o, (long)it->expires_time);
    c->calls++;
    return c->stop_after != 0 && c->calls >= c->stop_after;
}

/* The error a reader filled: strings inside the buffer. */
static void check_error(outcome_t *o, const ccat_error_t *err, const ccat_http_response_t *r,
                        const char *buf, size_t cap)
{
    REQUIRE(err->http_status == r->status);
    REQUIRE(err->request_id == r->request_id);
    log_string(o, err->code, buf, buf + cap);
    log_string(o, err->message, buf, buf + cap);
    if (err->code != NULL) {
        REQUIRE(err->code[0] != '\0' && strchr(err->code, ':') == NULL &&
                strchr(err->code, '#') == NULL);
    }
}

static void read_list(outcome_t *o, ccat_http_response_t *r, const char *buf, size_t cap,
                      unsigned mode)
{
    static char next[NEXT_BIG];
    static const size_t sizes[4] = {0, 0, 9, NEXT_BIG};
    unsigned which = mode >> 2 & 3;
    items_ctx_t ctx = {r, o, 0, mode >> 4};
    ccat_list_page_t page = {which >= 2 ? next : NULL, sizes[which], 77};
    ccat_error_t err;
    memset(next, 0x5A, sizeof next);
    ccat_status_t st = ccat_list_response_read(r, on_item, &ctx, which == 0 ? NULL : &page, &err);
    log_int(o, st);
    check_error(o, &err, r, buf, cap);
    if (which != 0) {
        REQUIRE(page.items == ctx.calls);
    }
    if (st != CCAT_OK) {
        /* Nothing delivered, nothing kept. */
        REQUIRE(ctx.calls == 0);
        for (size_t i = 0; i < sizeof next; i++) {
            REQUIRE(next[i] == 0x5A);
        }
        if (r->status < 300) {
            for (size_t i = 0; i < r->body_len; i++) {
                REQUIRE(r->body[i] == 0); /* wiped */
            }
        }
        return;
    }
    REQUIRE(r->status == 200);
    REQUIRE(err.code == NULL && err.message == NULL);
    REQUIRE(ctx.stop_after == 0 || ctx.calls <= ctx.stop_after);
    if (which >= 2) {
        size_t n = string_in(next, next, next + page.next_token_size);
        REQUIRE(utf8_ok((const unsigned char *)next, n));
        log_bytes(o, next, n + 1);
    }
}

static void read_verify(outcome_t *o, ccat_http_response_t *r, const char *buf, size_t cap)
{
    const char *identity = buf; /* must be overwritten */
    ccat_error_t err;
    ccat_status_t st = ccat_verify_response_read(r, &identity, &err);
    log_int(o, st);
    check_error(o, &err, r, buf, cap);
    if (st != CCAT_OK) {
        REQUIRE(identity == NULL);
        if (r->status == 200) {
            for (size_t i = 0; i < r->body_len; i++) {
                REQUIRE(r->body[i] == 0); /* a body that failed to read is wiped */
            }
        }
        return;
    }
    REQUIRE(r->status == 200);
    if (identity != NULL) {
        size_t n = string_in(identity, r->body, r->body + r->body_len);
        REQUIRE(utf8_ok((const unsigned char *)identity, n));
    }
    log_string(o, identity, r->body, r->body + r->body_len);
}

static void read_delete(outcome_t *o, ccat_http_response_t *r, const char *buf, size_t cap)
{
    ccat_error_t err;
    ccat_status_t st = ccat_delete_response_read(r, &err);
    log_int(o, st);
    check_error(o, &err, r, buf, cap);
    REQUIRE((st == CCAT_OK) == (r->status == 200));
    REQUIRE(r->status < 200 || r->status >= 300 || r->status == 200 ||
            st == CCAT_ERR_RESPONSE_STATUS);
}

/*
 * Deliver data[0..len) in pieces (piece 0: at once, 1: byte by byte, else
 * pseudo-random sizes), by feed() or by space()/advance(), then read it.
 */
static void deliver(const uint8_t *data, size_t len, size_t cap, unsigned piece, int by_feed,
                    unsigned mode, outcome_t *o)
{
    ccat_http_response_t r;
    char *buf = fuzz_response_new(&r, cap);
    fuzz_pieces_t pieces = fuzz_pieces(piece);
    size_t at = 0;
    int rc = CCAT_AGAIN;

    while (at < len && rc == CCAT_AGAIN) {
        size_t n = fuzz_next_piece(&pieces, len - at);
        if (by_feed) {
            rc = ccat_http_response_feed(&r, (const char *)data + at, n);
        } else {
            char *sp;
            size_t room = ccat_http_response_space(&r, &sp);
            REQUIRE(room > 0); /* no room only after a reported end */
            n = n > room ? room : n;
            memcpy(sp, data + at, n);
            rc = ccat_http_response_advance(&r, n);
        }
        at += n;
    }
    if (rc == CCAT_OK && at < len) {
        rc = CCAT_ERR_HTTP_EXCESS_DATA; /* as feed() says of bytes after the end */
    }
    if (rc == CCAT_AGAIN) {
        rc = ccat_http_response_eof(&r);
    }
    o->len = 0;
    log_int(o, rc);
    if (rc == CCAT_OK) {
        switch (mode & 3) {
        case 1:
            read_verify(o, &r, buf, cap);
            break;
        case 2:
            read_delete(o, &r, buf, cap);
            break;
        default:
            read_list(o, &r, buf, cap, mode);
            break;
        }
    }
    free(buf);
}

static int same(const outcome_t *a, const outcome_t *b)
{
    return a->len == b->len && memcmp(a->log, b->log, a->len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static outcome_t whole, other;
    if (size < 4) {
        return 0;
    }
    size_t cap = 1 + (((size_t)data[0] << 8 | data[1]) % CAP_MAX);
    unsigned piece = data[2], mode = data[3];
    data += 4;
    size -= 4;

    deliver(data, size, cap, 0, 1, mode, &whole);
    deliver(data, size, cap, 0, 0, mode, &other);
    REQUIRE(same(&whole, &other));
    deliver(data, size, cap, 1, piece & 1, mode, &other);
    REQUIRE(same(&whole, &other));
    deliver(data, size, cap, piece | 2, (piece >> 1) & 1, mode, &other);
    REQUIRE(same(&whole, &other));
    return 0;
}
