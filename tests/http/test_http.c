/*
 * HTTP/1.1 response parser (core/http_response.c): a catalogue of good
 * responses and of bad answers, each delivered in one piece, split in two at
 * every split point, and one byte at a time, through both feed() and
 * space()/advance(). Every delivery must give the same result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat_http.h"
#include "test.h"

#ifndef CCAT_TESTDATA
#error "CCAT_TESTDATA must name tests/data"
#endif

#define BIG 4096

/* What one delivery produced, copied out of the parser. */
typedef struct result {
    int rc;              /* last status returned (after eof() when all was delivered) */
    int status;
    int keep_alive;
    size_t body_len;
    char body[BIG];
    char request_id[128];
    char error_type[128];
    char date[64];
    int has_request_id, has_error_type, has_date;
} result_t;

static void copy_str(char *dst, size_t cap, int *has, const char *s)
{
    *has = s != NULL;
    dst[0] = '\0';
    if (s != NULL) {
        snprintf(dst, cap, "%s", s);
    }
}

static int in_buffer(const char *p, size_t n, const char *buf, size_t cap)
{
    return p >= buf && n <= cap && (size_t)(p - buf) <= cap - n;
}

/* Delivery modes. */
enum { VIA_FEED, VIA_SPACE };

/*
 * Deliver data[0..len) cut at cuts[0..ncuts) (ascending) into a parser with a
 * cap-byte buffer; call eof() when everything was delivered and the parser
 * still wants more. Checks that results point inside the buffer.
 */
static void run(const char *data, size_t len, size_t cap, const size_t *cuts, size_t ncuts,
                int via, result_t *out)
{
    static char buf[BIG];
    ccat_http_response_t r;
    size_t start = 0, k;
    int rc = CCAT_AGAIN;

    memset(buf, 0xA5, sizeof buf);
    ccat_http_response_init(&r, buf, cap);
    for (k = 0; k <= ncuts && (rc == CCAT_AGAIN || rc == CCAT_OK); k++) {
        size_t stop = k < ncuts ? cuts[k] : len;
        if (via == VIA_FEED) {
            rc = ccat_http_response_feed(&r, data + start, stop - start);
        } else {
            while (start < stop && rc == CCAT_AGAIN) {
                char *sp;
                size_t n = ccat_http_response_space(&r, &sp);
                if (n == 0) {
                    /* No room: the parser has already failed; advance(0) says why. */
                    rc = ccat_http_response_advance(&r, 0);
                    if (rc == CCAT_AGAIN) {
                        rc = 999;
                    }
                    break;
                }
                if (n > stop - start) {
                    n = stop - start;
                }
                memcpy(sp, data + start, n);
                start += n;
                rc = ccat_http_response_advance(&r, n);
            }
            if (rc == CCAT_OK && start < stop) {
                /* Bytes after the response: hand them in, as a reader would. */
                char *sp;
                size_t n = ccat_http_response_space(&r, &sp);
                if (n > stop - start) {
                    n = stop - start;
                }
                if (n > 0) {
                    memcpy(sp, data + start, n);
                }
                rc = ccat_http_response_advance(&r, n);
                if (n == 0 && rc == CCAT_OK) {
                    rc = 998; /* cannot happen in this catalogue: buffers have room */
                }
            }
        }
        start = stop;
    }
    if (rc == CCAT_AGAIN) {
        rc = ccat_http_response_eof(&r);
    }
    memset(out, 0, sizeof *out);
    out->rc = rc;
    if (rc < 0) {
        /* Sticky: every later call repeats the error, nothing crashes. */
        char *sp;
        CHECK_EQ_INT(ccat_http_response_advance(&r, 0), rc);
        CHECK_EQ_INT(ccat_http_response_feed(&r, "x", 1), rc);
        CHECK_EQ_INT(ccat_http_response_eof(&r), rc);
        CHECK_EQ_INT(ccat_http_response_space(&r, &sp), 0);
        CHECK_EQ_INT(r.keep_alive, 0);
        return;
    }
    if (rc != CCAT_OK) {
        return;
    }
    CHECK_EQ_INT(ccat_http_response_eof(&r), CCAT_OK);
    CHECK_EQ_INT(ccat_http_response_advance(&r, 0), CCAT_OK);
    CHECK(in_buffer(r.body, r.body_len, buf, cap));
    {
        /* Past the body: never written (0xA5) or cleared, so no stale copy
         * of moved chunk data (a secret) is left behind. */
        const unsigned char *q = (const unsigned char *)r.body + r.body_len;
        int stale = 0;
        for (; q < (const unsigned char *)buf + cap; q++) {
            stale |= *q != 0 && *q != 0xA5;
        }
        CHECK(!stale);
    }
    out->status = r.status;
    out->keep_alive = r.keep_alive;
    out->body_len = r.body_len;
    if (r.body_len <= sizeof out->body) {
        memcpy(out->body, r.body, r.body_len);
    }
    if (r.request_id) {
        CHECK(in_buffer(r.request_id, strlen(r.request_id) + 1, buf, cap));
    }
    if (r.error_type) {
        CHECK(in_buffer(r.error_type, strlen(r.error_type) + 1, buf, cap));
    }
    if (r.date) {
        CHECK(in_buffer(r.date, strlen(r.date) + 1, buf, cap));
    }
    copy_str(out->request_id, sizeof out->request_id, &out->has_request_id, r.request_id);
    copy_str(out->error_type, sizeof out->error_type, &out->has_error_type, r.error_type);
    copy_str(out->date, sizeof out->date, &out->has_date, r.date);
}

static int same(const result_t *a, const result_t *b)
{
    return a->rc == b->rc && a->status == b->status && a->keep_alive == b->keep_alive &&
           a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0 &&
           a->has_request_id == b->has_request_id && strcmp(a->request_id, b->request_id) == 0 &&
           a->has_error_type == b->has_error_type && strcmp(a->error_type, b->error_type) == 0 &&
           a->has_date == b->has_date && strcmp(a->date, b->date) == 0;
}

/*
 * Deliver in one piece, at every two-piece split, and byte by byte, by both
 * routes; every result must equal the one-piece feed() result, which is
 * returned in *ref. Counts one CHECK per delivery pattern.
 */
static void every_split(const char *name, const char *data, size_t len, size_t cap,
                        result_t *ref)
{
    static result_t got;
    static size_t cuts[BIG];
    size_t i;
    int via, bad = 0;

    run(data, len, cap, NULL, 0, VIA_FEED, ref);
    for (via = VIA_FEED; via <= VIA_SPACE; via++) {
        run(data, len, cap, NULL, 0, via, &got);
        bad += !same(&got, ref);
        for (i = 1; i < len; i++) {
            run(data, len, cap, &i, 1, via, &got);
            if (!same(&got, ref)) {
                if (bad++ < 3) {
                    fprintf(stderr, "%s: split at %zu via %d: rc %d, expected %d\n", name, i, via,
                            got.rc, ref->rc);
                }
            }
        }
        for (i = 1; i < len; i++) {
            cuts[i - 1] = i;
        }
        run(data, len, cap, cuts, len ? len - 1 : 0, via, &got);
        if (!same(&got, ref)) {
            bad++;
            fprintf(stderr, "%s: byte at a time via %d: rc %d, expected %d\n", name, via, got.rc,
                    ref->rc);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ------------------------------------------------------------------------ */
/* Good responses. */

typedef struct good {
    const char *name;
    const char *raw;
    size_t raw_len;     /* 0: strlen(raw) */
    int status;
    const char *body;   /* expected body */
    size_t body_len;    /* 0: strlen(body) */
    const char *request_id, *error_type, *date;
    int keep_alive;
} good_t;

static void check_good(const good_t *g, size_t cap)
{
    static result_t ref;
    size_t len = g->raw_len ? g->raw_len : strlen(g->raw);
    size_t blen = g->body_len ? g->body_len : strlen(g->body);
    every_split(g->name, g->raw, len, cap, &ref);
    if (ref.rc != CCAT_OK) {
        fprintf(stderr, "%s: rc %d\n", g->name, ref.rc);
    }
    CHECK_EQ_INT(ref.rc, CCAT_OK);
    CHECK_EQ_INT(ref.status, g->status);
    CHECK_EQ_INT(ref.keep_alive, g->keep_alive);
    CHECK_EQ_INT(ref.body_len, blen);
    CHECK(ref.body_len == blen && memcmp(ref.body, g->body, blen) == 0);
    CHECK_EQ_INT(ref.has_request_id, g->request_id != NULL);
    CHECK_EQ_INT(ref.has_error_type, g->error_type != NULL);
    CHECK_EQ_INT(ref.has_date, g->date != NULL);
    if (g->request_id) {
        CHECK_EQ_STR(ref.request_id, g->request_id);
    }
    if (g->error_type) {
        CHECK_EQ_STR(ref.error_type, g->error_type);
    }
    if (g->date) {
        CHECK_EQ_STR(ref.date, g->date);
    }
}

/* A chunked body of every chunk size 1..40, then 0x1A3 bytes, upper- and
 * lower-case hex, leading zeros, extensions (tokens and quoted strings) and
 * trailers. Fills raw and the expected body. */
static size_t make_chunked(char *raw, size_t cap, char *body, size_t *body_len, int lf_only)
{
    const char *eol = lf_only ? "\n" : "\r\n";
    size_t n = 0, b = 0, size;
    int i = 0;
    n += (size_t)snprintf(raw + n, cap - n,
                          "HTTP/1.1 200 OK%sTransfer-Encoding: Chunked%s"
                          "x-amzn-RequestId: chunk-req%s%s",
                          eol, eol, eol, eol);
    for (size = 1; size <= 41; size++, i++) {
        size_t want = size == 41 ? 0x1A3 : size, j;
        const char *ext = i % 4 == 1   ? ";name=value"
                          : i % 4 == 2 ? " ; q=\"a;b\\\"c\" ;flag"
                          : i % 4 == 3 ? ";x"
                                       : "";
        n += (size_t)snprintf(raw + n, cap - n, i % 3 == 0 ? "%zX%s%s" : i % 3 == 1 ? "%zx%s%s" : "000%zX%s%s",
                              want, ext, eol);
        for (j = 0; j < want; j++) {
            char c = (char)('a' + (b + j) % 26);
            raw[n++] = c;
            body[b + j] = c;
        }
        b += want;
        n += (size_t)snprintf(raw + n, cap - n, "%s", eol);
    }
    n += (size_t)snprintf(raw + n, cap - n, "0;last=1%sExpires: never%sX-Sum:  \t 42 %s%s", eol, eol,
                          eol, eol);
    *body_len = b;
    return n;
}

static char reference[1024];
static size_t reference_len;

static void load_reference(void)
{
    FILE *f = fopen(CCAT_TESTDATA "/create-response.http", "rb");
    CHECK(f != NULL);
    if (f != NULL) {
        reference_len = fread(reference, 1, sizeof reference, f);
        fclose(f);
    }
    CHECK_EQ_INT(reference_len, 374);
}

static void test_good(void)
{
    static char chunked[BIG], chunked_body[BIG], chunked_lf[BIG], chunked_lf_body[BIG];
    size_t chunked_len, chunked_body_len, chunked_lf_len, chunked_lf_body_len;
    const char *ref_body = reference_len > 194 ? reference + 194 : "";
    size_t i;

    chunked_len = make_chunked(chunked, sizeof chunked, chunked_body, &chunked_body_len, 0);
    chunked_lf_len = make_chunked(chunked_lf, sizeof chunked_lf, chunked_lf_body,
                                  &chunked_lf_body_len, 1);
    {
        const good_t cases[] = {
            {"reference", reference, reference_len, 201, ref_body, 180,
             "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", NULL, "Fri, 27 Nov 2026 18:51:53 GMT", 1},
            {"error response",
             "HTTP/1.1 400 Bad Request\r\nx-amzn-ErrorType: ValidationException:http://internal.amazon.com/\r\n"
             "x-amzn-RequestId: r-1\r\nContent-Length: 5\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\nhello",
             0, 400, "hello", 0, "r-1", "ValidationException:http://internal.amazon.com/",
             "Mon, 01 Jan 2024 00:00:00 GMT", 1},
            {"chunked", chunked, chunked_len, 200, chunked_body, chunked_body_len, "chunk-req", NULL,
             NULL, 1},
            {"chunked LF only", chunked_lf, chunked_lf_len, 200, chunked_lf_body,
             chunked_lf_body_len, "chunk-req", NULL, NULL, 1},
            {"one-byte chunks", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             "1\r\na\r\n1\r\nb\r\n01\r\nc\r\n1;e=\"q\"\r\nd\r\n0\r\n\r\n",
             0, 200, "abcd", 0, NULL, NULL, NULL, 1},
            {"chunked empty", "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n0\r\n\r\n", 0,
             200, "", 0, NULL, NULL, NULL, 1},
            {"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
             0, 200, "ok", 0, NULL, NULL, NULL, 0},
            {"connection token list",
             "HTTP/1.1 200 OK\r\nConnection: keep-alive ,\t CLOSE\r\nContent-Length: 2\r\n\r\nok", 0,
             200, "ok", 0, NULL, NULL, NULL, 0},
            {"connection other tokens",
             "HTTP/1.1 200 OK\r\nConnection: closed, x-close, upgrade\r\nContent-Length: 2\r\n\r\nok",
             0, 200, "ok", 0, NULL, NULL, NULL, 1},
            /* Names and tokens share one table: a token is no header name
             * and a header name or chunked no Connection token. */
            {"tokens as names, names as tokens",
             "HTTP/1.1 200 OK\r\nClose: 1\r\nChunked: 2\r\nKeep-Alive: timeout=5\r\n"
             "Connection: date, chunked, Content-Length\r\nContent-Length: 2\r\n\r\nok",
             0, 200, "ok", 0, NULL, NULL, NULL, 1},
            {"close-delimited", "HTTP/1.1 200 OK\r\nDate: d\r\n\r\nuntil the end\r\n\r\nreally", 0,
             200, "until the end\r\n\r\nreally", 0, NULL, NULL, "d", 0},
            {"close-delimited empty", "HTTP/1.1 500 Oops\r\n\r\n", 0, 500, "", 0, NULL, NULL, NULL,
             0},
            {"odd-case names",
             "HTTP/1.1 403 Forbidden\r\nX-AMZN-REQUESTID: odd-1\r\nx-AmZn-ErRoRtYpE: AccessDeniedException\r\n"
             "dAtE: today\r\nCONTENT-length: 3\r\ncOnNeCtIoN: Keep-Alive\r\n\r\nabc",
             0, 403, "abc", 0, "odd-1", "AccessDeniedException", "today", 1},
            {"100 continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}",
             0, 201, "{}", 0, NULL, NULL, NULL, 1},
            {"several interim",
             "HTTP/1.1 100 Continue\r\nx-amzn-RequestId: interim\r\nContent-Length: 99\r\n\r\n"
             "HTTP/1.1 103 Early Hints\nLink: </a>\n\n"
             "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nx-amzn-RequestId: final\r\n\r\nZ",
             0, 200, "Z", 0, "final", NULL, NULL, 1},
            {"interim headers forgotten",
             "HTTP/1.1 100 Continue\r\nx-amzn-RequestId: i\r\nx-amzn-ErrorType: e\r\nDate: d\r\n"
             "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
             0, 200, "x", 0, NULL, NULL, NULL, 1},
            {"101 is final", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 0, 101, "", 0,
             NULL, NULL, NULL, 0},
            {"204", "HTTP/1.1 204 No Content\r\nx-amzn-RequestId: r204\r\n\r\n", 0, 204, "", 0,
             "r204", NULL, NULL, 1},
            {"304 ignores length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n", 0, 304,
             "", 0, NULL, NULL, NULL, 1},
            {"LF only", "HTTP/1.1 200 OK\nDate: x\nContent-Length: 4\n\nbody", 0, 200, "body", 0,
             NULL, NULL, "x", 1},
            {"mixed line ends", "HTTP/1.1 200 OK\r\nDate: x\nContent-Length: 4\r\n\nbody", 0, 200,
             "body", 0, NULL, NULL, "x", 1},
            {"empty body", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 200, "", 0, NULL,
             NULL, NULL, 1},
            {"length leading zeros", "HTTP/1.1 200 OK\r\nContent-Length: 0003\r\n\r\nabc", 0, 200,
             "abc", 0, NULL, NULL, NULL, 1},
            {"identical lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 03\r\n\r\nabc",
             0, 200, "abc", 0, NULL, NULL, NULL, 1},
            {"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 0, 200, "x", 0, NULL, NULL,
             NULL, 0},
            {"HTTP/1.0 keep-alive",
             "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", 0, 200, "x",
             0, NULL, NULL, NULL, 1},
            {"HTTP/1.9", "HTTP/1.9 200 OK\r\nContent-Length: 1\r\n\r\nx", 0, 200, "x", 0, NULL,
             NULL, NULL, 1},
            {"no reason", "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", 0, 200, "x", 0, NULL, NULL,
             NULL, 1},
            {"empty reason, obs-text, tab",
             "HTTP/1.1 999 \t\xe9t\xe9\r\nContent-Length: 1\r\n\r\nx", 0, 999, "x", 0, NULL, NULL,
             NULL, 1},
            {"OWS trimmed", "HTTP/1.1 200 OK\r\nDate:  \t a\tb  \t\r\nx-amzn-RequestId:id\r\n"
             "X-Empty:\r\nX-Blank:   \r\nX-Obs: \xff\x80\r\nContent-Length: \t1 \r\n\r\nx",
             0, 200, "x", 0, "id", NULL, "a\tb", 1},
            {"token names", "HTTP/1.1 200 OK\r\n!#$%&'*+-.^_`|~09AZaz: v\r\nContent-Length: 1\r\n\r\nx",
             0, 200, "x", 0, NULL, NULL, NULL, 1},
            /* Delimiters in a name the client ignores are tolerated (documented). */
            {"delimiters in ignored names",
             "HTTP/1.1 200 OK\r\nNa(me): x\r\na/b: y\r\n{x-amzn-RequestId}: z\r\nContent-Length: 1\r\n\r\nx",
             0, 200, "x", 0, NULL, NULL, NULL, 1},
            /* Short lines that start like known names (no read past the line). */
            {"short names", "HTTP/1.1 200 OK\r\nc: 1\r\nd:\r\nt: x\r\nx:\r\nCo:\r\nContent-L: 1\r\n"
             "Content-Length: 1\r\nX: y\r\nx-amzn-RequestI: z\r\n\r\nx",
             0, 200, "x", 0, NULL, NULL, NULL, 1},
            {"short names LF", "HTTP/1.1 200 OK\nContent-Length: 1\nd: 1\nx-amzn: 1\nt:\n\nx", 0, 200, "x", 0,
             NULL, NULL, NULL, 1},
            {"other connection tokens", "HTTP/1.1 200 OK\r\nConnection: clone, keep-alivf, ,,\r\n"
             "Content-Length: 0\r\n\r\n", 0, 200, "", 0, NULL, NULL, NULL, 1},
            {"chunk size blanks", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\t \t\r\nab\r\n1 \t; e = \"\xff\t\"\r\nc\r\n0\t\r\nT: \xe9\t\r\n\r\n", 0, 200, "abc", 0, NULL, NULL,
             NULL, 1},
            /* Names that merely start like known ones. */
            {"near names",
             "HTTP/1.1 200 OK\r\nDates: x\r\nContent-Lengths: 9\r\nConnections: close\r\n"
             "x-amzn-RequestIdx: y\r\nTransfer-Encodings: gzip\r\nContent-Length: 1\r\n\r\nx",
             0, 200, "x", 0, NULL, NULL, NULL, 1},
            {"head-like body", "HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 0,
             200, "HTTP/1.1 200 OK\r\n\r\n", 0, NULL, NULL, NULL, 1},
            {"binary body", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0\r\n\xff", 42, 200,
             "\0\r\n\xff", 4, NULL, NULL, NULL, 1},
        };
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            check_good(&cases[i], BIG);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Bad answers: each has one distinct error, whatever the split. */

typedef struct bad {
    const char *name;
    const char *raw;
    int rc;
    size_t cap;  /* 0: BIG */
    size_t len;  /* 0: strlen(raw) */
} bad_t;

static void check_bad(const bad_t *b)
{
    static result_t ref;
    every_split(b->name, b->raw, b->len ? b->len : strlen(b->raw), b->cap ? b->cap : BIG, &ref);
    if (ref.rc != b->rc) {
        fprintf(stderr, "%s: rc %d, expected %d\n", b->name, ref.rc, b->rc);
    }
    CHECK_EQ_INT(ref.rc, b->rc);
}

#define OK_HEAD "HTTP/1.1 200 OK\r\n"
#define CHUNKED_HEAD OK_HEAD "Transfer-Encoding: chunked\r\n\r\n"

static void test_bad(void)
{
    static const bad_t cases[] = {
        /* Status line. HTTP/2 and later are rejected: this is an HTTP/1.1 connection. */
        {"status 2x1", "HTTP/1.1 2x1 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status HTTP/2", "HTTP/2 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status HTTP/1.x", "HTTP/1.x 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status HTTP/1.10", "HTTP/1.10 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status missing code", "HTTP/1.1 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status missing code, no reason", "HTTP/1.1\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status short code", "HTTP/1.1 20 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status long code", "HTTP/1.1 2000 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status 099", "HTTP/1.1 099 Low\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status two spaces", "HTTP/1.1  200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status lower-case", "http/1.1 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status garbage", "garbage\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status empty line", "\r\nHTTP/1.1 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status bare LF line", "\nHTTP/1.1 200 OK\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status control", "HTTP/1.1 200 O\x01K\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status DEL", "HTTP/1.1 200 OK\x7f\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status bare CR", "HTTP/1.1 200 OK\rX: y\r\n\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, 0},
        {"status no line end", "HTTP/1.1 200 OK", CCAT_ERR_CLOSED, 0, 0},
        /* Header lines. */
        {"header blank in name", OK_HEAD "Bad Name: x\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header blank before colon", OK_HEAD "Content-Length : 1\r\n\r\nx", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header tab before colon", OK_HEAD "Date\t: x\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header obs-fold", OK_HEAD "X-A: a\r\n folded\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header obs-fold tab", OK_HEAD "X-A: a\r\n\tfolded\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header leading blank", OK_HEAD " X-A: a\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header empty name", OK_HEAD ": value\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header no colon", OK_HEAD "NoColon\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header control in value", OK_HEAD "X-A: a\x01" "b\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header NUL in value", OK_HEAD "Date: a\0b\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 17 + 13},
        {"header bare CR in value", OK_HEAD "X-A: a\rb\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header bare CR before tab", OK_HEAD "X-A: a\r\tb\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header bare CR before obs-text", OK_HEAD "X-A: a\r\xff\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header CR CR LF", OK_HEAD "X-A: a\r\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header DEL in value", OK_HEAD "X-A: \x7f\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header ESC in name", OK_HEAD "X\x1b" "A: a\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header obs-text in name", OK_HEAD "N\xe4me: x\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header bare CR as blank line", OK_HEAD "X-A: a\r\n\rX\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header blank-only line", OK_HEAD " \r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        /* A known name's start up to the line end (CR | 0x20 is '-'): no match. */
        {"header name prefix at CR", OK_HEAD "Content\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        {"header name prefix at LF", OK_HEAD "Content-\n\n", CCAT_ERR_HTTP_HEADER, 0, 0},
        /* Content-Length. */
        {"length letters", OK_HEAD "Content-Length: abc\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length empty", OK_HEAD "Content-Length:\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length blanks", OK_HEAD "Content-Length:  \r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length negative", OK_HEAD "Content-Length: -1\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length plus", OK_HEAD "Content-Length: +1\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length backquote", OK_HEAD "Content-Length: 1`\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length at sign", OK_HEAD "Content-Length: @\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length hex", OK_HEAD "Content-Length: 0x10\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length inner blank", OK_HEAD "Content-Length: 1 2\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length list", OK_HEAD "Content-Length: 1, 1\r\n\r\nx", CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length 2^63", OK_HEAD "Content-Length: 9223372036854775808\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length 2^64", OK_HEAD "Content-Length: 18446744073709551616\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length huge", OK_HEAD "Content-Length: 99999999999999999999999999999\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_INVALID, 0, 0},
        {"length 2^63-1", OK_HEAD "Content-Length: 9223372036854775807\r\n\r\n",
         CCAT_ERR_RESPONSE_TOO_LARGE, 0, 0},
        {"length 2^32", OK_HEAD "Content-Length: 4294967296\r\n\r\n", CCAT_ERR_RESPONSE_TOO_LARGE, 0, 0},
        {"length over buffer", OK_HEAD "Content-Length: 4060\r\n\r\n", CCAT_ERR_RESPONSE_TOO_LARGE, 0, 0},
        {"length conflict", OK_HEAD "Content-Length: 1\r\nContent-Length: 2\r\n\r\nx",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, 0},
        {"length conflict zero", OK_HEAD "Content-Length: 0\r\ncontent-length: 1\r\n\r\nx",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, 0},
        /* Lengths are compared whole, not as a 32-bit size_t would hold them. */
        {"length conflict 2^32", OK_HEAD "Content-Length: 4294967296\r\nContent-Length: 0\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, 0},
        {"length then chunked", OK_HEAD "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, 0},
        {"chunked then length", OK_HEAD "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, 0},
        /* Transfer-Encoding. */
        {"coding gzip", OK_HEAD "Transfer-Encoding: gzip\r\n\r\n", CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding gzip, chunked", OK_HEAD "Transfer-Encoding: gzip, chunked\r\n\r\n",
         CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding chunked, gzip", OK_HEAD "Transfer-Encoding: chunked, gzip\r\n\r\n",
         CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding identity", OK_HEAD "Transfer-Encoding: identity\r\n\r\n",
         CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding empty", OK_HEAD "Transfer-Encoding:\r\n\r\n", CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding chunkedx", OK_HEAD "Transfer-Encoding: chunkedx\r\n\r\n",
         CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding chunkes", OK_HEAD "Transfer-Encoding: chunkes\r\n\r\n", CCAT_ERR_HTTP_TRANSFER_CODING,
         0, 0},
        {"coding short", OK_HEAD "Transfer-Encoding: c\r\n\r\n", CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding close", OK_HEAD "Transfer-Encoding: close\r\n\r\n", CCAT_ERR_HTTP_TRANSFER_CODING,
         0, 0},
        {"coding keep-alive", OK_HEAD "Transfer-Encoding: keep-alive\r\n\r\n",
         CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        {"coding twice", OK_HEAD "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
         CCAT_ERR_HTTP_TRANSFER_CODING, 0, 0},
        /* Chunk sizes. */
        {"chunk size non-hex", CHUNKED_HEAD "zz\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size at sign", CHUNKED_HEAD "1@\r\nx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size backquote", CHUNKED_HEAD "`\r\nx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size g", CHUNKED_HEAD "1g\r\nx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size empty", CHUNKED_HEAD "\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size only extension", CHUNKED_HEAD ";a=b\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size leading blank", CHUNKED_HEAD " 1\r\nx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size inner blank", CHUNKED_HEAD "1 2\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size negative", CHUNKED_HEAD "-1\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size 0x", CHUNKED_HEAD "0x1\r\nx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size overflow", CHUNKED_HEAD "10000000000000000\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size overflow after zeros", CHUNKED_HEAD "00000000000000000010000000000000000\r\n",
         CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk size bare CR", CHUNKED_HEAD "1\rx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE, 0, 0},
        {"chunk extension control", CHUNKED_HEAD "1;a\x01\r\nx\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE,
         0, 0},
        {"chunk too large", CHUNKED_HEAD "FFFFFFFFFFFFFFFF\r\n", CCAT_ERR_RESPONSE_TOO_LARGE, 0, 0},
        {"chunk 2^32", CHUNKED_HEAD "100000000\r\nx\r\n0\r\n\r\n", CCAT_ERR_RESPONSE_TOO_LARGE, 0, 0},
        /* Chunk framing and trailers. */
        {"chunk no CRLF", CHUNKED_HEAD "5\r\nhelloX\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"chunk no CRLF at EOF", CHUNKED_HEAD "5\r\nhelloX", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"chunk blank after data", CHUNKED_HEAD "5\r\nhello \r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0,
         0},
        {"chunk size text after blank", CHUNKED_HEAD "5 x\r\nhello\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_SIZE,
         0, 0},
        {"chunk framing line too long", CHUNKED_HEAD "1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nx\r\n0\r\n\r\n",
         CCAT_ERR_RESPONSE_TOO_LARGE, 64, 0},
        {"chunk data too long", CHUNKED_HEAD "1\r\nab\r\n0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"chunk CR without LF", CHUNKED_HEAD "5\r\nhello\rX0\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"trailer empty name", CHUNKED_HEAD "0\r\n: v\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"trailer obs-fold", CHUNKED_HEAD "0\r\nA: b\r\n folded\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"trailer no colon", CHUNKED_HEAD "0\r\nNoColon\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"trailer blank in name", CHUNKED_HEAD "0\r\nA B: c\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"trailer control", CHUNKED_HEAD "0\r\nA: \x02\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"trailer bare CR", CHUNKED_HEAD "0\r\nA: b\rc\r\n\r\n", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        {"final bare CR", CHUNKED_HEAD "0\r\n\rX", CCAT_ERR_HTTP_CHUNK_FRAMING, 0, 0},
        /* Sizes: head, and body by length, chunked growth and close-delimited. */
        {"head too large", OK_HEAD "X-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
         CCAT_ERR_HTTP_HEADERS_TOO_LARGE, 64, 0},
        {"head too large, no LF", "HTTP/1.1 200 OKOKOKOKOKOKOKOKOKOKOKOKOKOKOKOKOKOKOKOK\r\n\r\n",
         CCAT_ERR_HTTP_HEADERS_TOO_LARGE, 32, 0},
        {"head too large at CR", "HTTP/1.1 200 OK\r\n\r\n", CCAT_ERR_HTTP_HEADERS_TOO_LARGE, 16, 0},
        {"head too large by LF", "HTTP/1.1 200 OK\r\n\r\n", CCAT_ERR_HTTP_HEADERS_TOO_LARGE, 18, 0},
        {"body too large by length", OK_HEAD "Content-Length: 30\r\n\r\n0123456789012345678901234567890",
         CCAT_ERR_RESPONSE_TOO_LARGE, 64, 0},
        {"body too large by chunks",
         CHUNKED_HEAD "8\r\n01234567\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
         CCAT_ERR_RESPONSE_TOO_LARGE, 64, 0},
        {"chunked body fills the buffer", CHUNKED_HEAD "8\r\n01234567\r\n9\r\n012345678\r\n0\r\n\r\n",
         CCAT_ERR_RESPONSE_TOO_LARGE, 64, 0},
        {"close-delimited too large", OK_HEAD "\r\n01234567890123456789012345678901234567890123456789",
         CCAT_ERR_RESPONSE_TOO_LARGE, 64, 0},
        {"close-delimited fills the buffer", OK_HEAD "\r\n012345678901234567890123456789012345678901234",
         CCAT_ERR_RESPONSE_TOO_LARGE, 64, 0},
        /* Bytes after the end. */
        {"excess after length", OK_HEAD "Content-Length: 1\r\n\r\nxy", CCAT_ERR_HTTP_EXCESS_DATA, 0, 0},
        {"excess after empty length", OK_HEAD "Content-Length: 0\r\n\r\n\r\n", CCAT_ERR_HTTP_EXCESS_DATA,
         0, 0},
        {"excess after 204", "HTTP/1.1 204 No Content\r\n\r\nx", CCAT_ERR_HTTP_EXCESS_DATA, 0, 0},
        {"excess after chunked", CHUNKED_HEAD "1\r\nx\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n",
         CCAT_ERR_HTTP_EXCESS_DATA, 0, 0},
        {"excess after 101", "HTTP/1.1 101 Switching\r\n\r\n\x16\x03", CCAT_ERR_HTTP_EXCESS_DATA, 0, 0},
        /* Truncated at EOF. */
        {"truncated empty", "", CCAT_ERR_CLOSED, 0, 0},
        {"truncated status line", "HTTP/1.1 200", CCAT_ERR_CLOSED, 0, 0},
        {"truncated head", OK_HEAD "Content-Length: 5\r\n", CCAT_ERR_CLOSED, 0, 0},
        {"truncated head at CR", OK_HEAD "Content-Length: 5\r\n\r", CCAT_ERR_CLOSED, 0, 0},
        {"truncated body", OK_HEAD "Content-Length: 5\r\n\r\nabc", CCAT_ERR_CLOSED, 0, 0},
        {"truncated after interim", "HTTP/1.1 100 Continue\r\n\r\n", CCAT_ERR_CLOSED, 0, 0},
        {"truncated chunk size", CHUNKED_HEAD "1", CCAT_ERR_CLOSED, 0, 0},
        {"truncated chunk", CHUNKED_HEAD "5\r\nab", CCAT_ERR_CLOSED, 0, 0},
        {"truncated chunk CRLF", CHUNKED_HEAD "2\r\nab\r", CCAT_ERR_CLOSED, 0, 0},
        {"truncated last chunk", CHUNKED_HEAD "2\r\nab\r\n0\r\n", CCAT_ERR_CLOSED, 0, 0},
        {"truncated trailer", CHUNKED_HEAD "2\r\nab\r\n0\r\nX: y\r\n", CCAT_ERR_CLOSED, 0, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_bad(&cases[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Buffer sizes: exact fits work, one byte less fails with the right error,
 * and for every size the pieces do not change the outcome. */

static void test_buffer_sizes(void)
{
    static const char cl[] = OK_HEAD "Content-Length: 10\r\n\r\n0123456789";
    static const char ch[] = CHUNKED_HEAD "4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n";
    static const char eof[] = OK_HEAD "\r\n0123456789";
    static const char empty[] = OK_HEAD "Content-Length: 0\r\n\r\n";
    static result_t ref;
    size_t head = sizeof cl - 1 - 10, cap;

    /* Content-Length: head + body is enough; one less is too large. */
    run(cl, sizeof cl - 1, head + 10, NULL, 0, VIA_SPACE, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_OK);
    CHECK_EQ_INT(ref.body_len, 10);
    run(cl, sizeof cl - 1, head + 9, NULL, 0, VIA_SPACE, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_ERR_RESPONSE_TOO_LARGE);
    /* A head that exactly fills the buffer, then no body. */
    run(empty, sizeof empty - 1, sizeof empty - 1, NULL, 0, VIA_FEED, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_OK);
    CHECK_EQ_INT(ref.body_len, 0);
    run(empty, sizeof empty - 1, sizeof empty - 2, NULL, 0, VIA_FEED, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_ERR_HTTP_HEADERS_TOO_LARGE);
    /* A chunked body needs room for the framing line that follows it ("0\r\n"
     * here), a close-delimited one for one more byte. */
    head = sizeof CHUNKED_HEAD - 1;
    run(ch, sizeof ch - 1, head + 13, NULL, 0, VIA_FEED, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_OK);
    CHECK_EQ_INT(ref.body_len, 10);
    CHECK(memcmp(ref.body, "0123456789", 10) == 0);
    run(ch, sizeof ch - 1, head + 12, NULL, 0, VIA_FEED, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_ERR_RESPONSE_TOO_LARGE);
    head = sizeof eof - 1 - 10;
    run(eof, sizeof eof - 1, head + 11, NULL, 0, VIA_SPACE, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_OK);
    CHECK_EQ_INT(ref.body_len, 10);
    run(eof, sizeof eof - 1, head + 10, NULL, 0, VIA_SPACE, &ref);
    CHECK_EQ_INT(ref.rc, CCAT_ERR_RESPONSE_TOO_LARGE);

    /* Every size from 0 up: same outcome by pieces as in one piece. */
    for (cap = 0; cap <= reference_len + 2; cap++) {
        every_split("reference, small buffer", reference, reference_len, cap, &ref);
        CHECK_EQ_INT(ref.rc, cap < 194   ? CCAT_ERR_HTTP_HEADERS_TOO_LARGE
                             : cap < 374 ? CCAT_ERR_RESPONSE_TOO_LARGE
                                         : CCAT_OK);
    }
    for (cap = 0; cap <= sizeof ch + 2; cap++) {
        every_split("chunked, small buffer", ch, sizeof ch - 1, cap, &ref);
        CHECK(ref.rc == (cap < sizeof CHUNKED_HEAD - 1 ? CCAT_ERR_HTTP_HEADERS_TOO_LARGE
                         : cap < sizeof CHUNKED_HEAD + 12 ? CCAT_ERR_RESPONSE_TOO_LARGE
                                                          : CCAT_OK));
    }
}

/* ------------------------------------------------------------------------ */
/* API edges. */

static void test_api(void)
{
    char buf[64], *sp = NULL;
    ccat_http_response_t r;

    CHECK_EQ_INT(ccat_http_response_advance(NULL, 0), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_http_response_feed(NULL, "x", 1), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_http_response_eof(NULL), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_http_response_space(NULL, &sp), 0);
    ccat_http_response_init(NULL, buf, sizeof buf); /* no crash */

    ccat_http_response_init(&r, NULL, 100);
    CHECK_EQ_INT(ccat_http_response_space(&r, &sp), 0);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "HTTP", 4), CCAT_ERR_ARGUMENT);

    ccat_http_response_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ccat_http_response_space(&r, NULL), 0);
    CHECK_EQ_INT(ccat_http_response_space(&r, &sp), sizeof buf);
    CHECK(sp == buf);
    CHECK_EQ_INT(ccat_http_response_feed(&r, NULL, 0), CCAT_AGAIN);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "HTTP/1.1 ", 9), CCAT_AGAIN);
    CHECK_EQ_INT(ccat_http_response_space(&r, &sp), sizeof buf - 9);
    CHECK(sp == buf + 9);
    CHECK_EQ_INT(ccat_http_response_advance(&r, sizeof buf), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_http_response_advance(&r, 0), CCAT_ERR_ARGUMENT);

    ccat_http_response_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ccat_http_response_feed(&r, NULL, 3), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_http_response_feed(&r, NULL, 3), CCAT_ERR_ARGUMENT);
    ccat_http_response_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "HTTP/1.1 204 No\r\n\r\n", 19), CCAT_OK);
    CHECK_EQ_INT(ccat_http_response_feed(&r, NULL, 3), CCAT_ERR_HTTP_EXCESS_DATA);

    /* A zero-byte buffer cannot hold a head. */
    ccat_http_response_init(&r, buf, 0);
    CHECK_EQ_INT(ccat_http_response_advance(&r, 0), CCAT_ERR_HTTP_HEADERS_TOO_LARGE);

    /* Results before and after completion. */
    ccat_http_response_init(&r, buf, sizeof buf);
    CHECK(r.request_id == NULL && r.date == NULL && r.error_type == NULL && r.status == 0);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab", 40),
                 CCAT_OK);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(r.body_len, 2);
    CHECK(r.body == buf + 38);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "", 0), CCAT_OK);
    CHECK_EQ_INT(ccat_http_response_eof(&r), CCAT_OK);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "c", 1), CCAT_ERR_HTTP_EXCESS_DATA);
    CHECK_EQ_INT(ccat_http_response_advance(&r, 0), CCAT_ERR_HTTP_EXCESS_DATA);

    /* A close-delimited body is complete only at EOF. */
    ccat_http_response_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "HTTP/1.1 200 OK\r\n\r\nab", 21), CCAT_AGAIN);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "c", 1), CCAT_AGAIN);
    CHECK_EQ_INT(ccat_http_response_eof(&r), CCAT_OK);
    CHECK_EQ_INT(r.body_len, 3);
    CHECK(memcmp(r.body, "abc", 3) == 0);
    CHECK_EQ_INT(r.keep_alive, 0);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "d", 1), CCAT_ERR_HTTP_EXCESS_DATA);
}

int main(void)
{
    load_reference();
    test_api();
    test_good();
    test_bad();
    test_buffer_sizes();
    return test_summary("http");
}
