/*
 * libFuzzer harness for the HTTP response parser (core/http_response.c).
 *
 * Input: byte 0 and 1 choose the buffer size (1..1024), byte 2 the split
 * pattern and the route, the rest is the response. The response is parsed
 * in one piece, one byte at a time, and in pseudo-random pieces, by feed()
 * and by space()/advance(), each into a heap buffer of exactly that size
 * (so that AddressSanitizer sees any access outside it). All deliveries
 * must agree; results must lie inside the buffer, with nothing but cleared
 * or never-written bytes after the body; errors must be sticky.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat_http.h"
#include "fuzz_common.h"

typedef struct outcome {
    int rc, status, keep_alive;
    size_t body_len;
    unsigned char body[1024];
    char strings[3][1024];
    int has[3];
} outcome_t;

static int inside(const char *p, size_t n, const char *buf, size_t cap)
{
    return p >= buf && n <= cap && (size_t)(p - buf) <= cap - n;
}

static void keep_string(outcome_t *o, int i, const char *s, const char *buf, size_t cap)
{
    o->has[i] = s != NULL;
    o->strings[i][0] = '\0';
    if (s != NULL) {
        /* The string and its NUL lie inside the buffer. */
        const char *nul;
        REQUIRE(inside(s, 1, buf, cap));
        nul = memchr(s, '\0', (size_t)(buf + cap - s));
        REQUIRE(nul != NULL && (size_t)(nul - s) < sizeof o->strings[i]);
        memcpy(o->strings[i], s, (size_t)(nul - s) + 1);
    }
}

/*
 * Deliver data[0..len) in pieces: piece 0 means all at once, 1 means byte
 * by byte, otherwise piece sizes come from a small generator seeded by it.
 */
static void deliver(const uint8_t *data, size_t len, size_t cap, unsigned piece, int by_feed,
                    outcome_t *o)
{
    ccat_http_response_t r;
    char *buf = fuzz_response_new(&r, cap);
    fuzz_pieces_t pieces = fuzz_pieces(piece);
    size_t at = 0;
    int rc = CCAT_AGAIN;

    while (at < len && (rc == CCAT_AGAIN || rc == CCAT_OK)) {
        size_t n = fuzz_next_piece(&pieces, len - at);
        if (by_feed) {
            rc = ccat_http_response_feed(&r, (const char *)data + at, n);
            at += n;
        } else {
            char *sp;
            size_t room = ccat_http_response_space(&r, &sp);
            if (room == 0) {
                /* No room only after a reported end: the response is complete
                 * (the rest is excess, feed() says so) or failed. */
                rc = ccat_http_response_advance(&r, 0);
                REQUIRE(rc != CCAT_AGAIN);
                if (rc == CCAT_OK) {
                    rc = ccat_http_response_feed(&r, (const char *)data + at, len - at);
                    REQUIRE(rc == CCAT_ERR_HTTP_EXCESS_DATA);
                }
                break;
            }
            REQUIRE(inside(sp, room, buf, cap));
            if (n > room) {
                n = room;
            }
            memcpy(sp, data + at, n);
            at += n;
            rc = ccat_http_response_advance(&r, n);
        }
    }
    if (rc == CCAT_AGAIN) {
        rc = ccat_http_response_eof(&r);
    }
    memset(o, 0, sizeof *o);
    o->rc = rc;
    REQUIRE(rc == CCAT_OK || rc < 0);
    if (rc < 0) {
        char *sp;
        REQUIRE(ccat_http_response_advance(&r, 0) == rc);
        REQUIRE(ccat_http_response_feed(&r, "x", 1) == rc);
        REQUIRE(ccat_http_response_eof(&r) == rc);
        REQUIRE(ccat_http_response_space(&r, &sp) == 0);
        REQUIRE(r.keep_alive == 0);
    } else {
        const unsigned char *q;
        REQUIRE(ccat_http_response_eof(&r) == CCAT_OK);
        REQUIRE(r.status >= 100 && r.status <= 999);
        REQUIRE(r.body != NULL && inside(r.body, r.body_len, buf, cap));
        /* Past the body: never written or cleared (no stale chunk data). */
        for (q = (const unsigned char *)r.body + r.body_len; q < (unsigned char *)buf + cap; q++) {
            REQUIRE(*q == 0 || *q == 0xA5);
        }
        REQUIRE(r.keep_alive <= 1);
        o->status = r.status;
        o->keep_alive = r.keep_alive;
        o->body_len = r.body_len;
        memcpy(o->body, r.body, r.body_len);
        keep_string(o, 0, r.request_id, buf, cap);
        keep_string(o, 1, r.error_type, buf, cap);
        keep_string(o, 2, r.date, buf, cap);
    }
    free(buf);
}

static int same(const outcome_t *a, const outcome_t *b)
{
    int i;
    if (a->rc != b->rc || a->status != b->status || a->keep_alive != b->keep_alive ||
        a->body_len != b->body_len || memcmp(a->body, b->body, a->body_len) != 0) {
        return 0;
    }
    for (i = 0; i < 3; i++) {
        if (a->has[i] != b->has[i] || strcmp(a->strings[i], b->strings[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static outcome_t whole, other;
    size_t cap;
    unsigned piece;

    if (size < 3) {
        return 0;
    }
    cap = 1 + (((size_t)data[0] << 8 | data[1]) % 1024);
    piece = data[2];
    data += 3;
    size -= 3;

    deliver(data, size, cap, 0, 1, &whole);
    deliver(data, size, cap, 0, 0, &other);
    REQUIRE(same(&whole, &other));
    deliver(data, size, cap, 1, piece & 1, &other);
    REQUIRE(same(&whole, &other));
    deliver(data, size, cap, piece | 2, (piece >> 1) & 1, &other);
    REQUIRE(same(&whole, &other));
    return 0;
}
