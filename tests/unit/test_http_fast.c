/*
 * The HTTP parser's head fast path (x86-64 -O2: core/http_response.c,
 * head_fast() and header_fast()) against its general path. Whole responses
 * given in one piece go through the fast path; given one byte at a time they
 * go through the general loop (a single new byte never completes a 64-byte
 * block). Each case is preceded by a padding header of every length from 0
 * to 40 bytes, so that every line end falls at every place in a block
 * (including a CR as a block's last byte, its LF in the next), and is also
 * cut in two at every point, so that the fast path starts and stops in the
 * middle of lines. All deliveries must agree, and with the expected result.
 * In a build without the fast path (-Os, not x86) the same checks hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ccat/ccat_http.h"
#include "test.h"

#define CAP 1024

typedef struct outcome {
    int rc, status, keep_alive;
    size_t body_len;
    char body[CAP];
    char strings[3][CAP]; /* request_id, error_type, date; "-" for NULL */
} outcome_t;

static void keep(char *dst, const char *s)
{
    snprintf(dst, CAP, "%s", s ? s : "-");
}

/* Parse raw[0..len): cut == 0 in one piece, cut == SIZE_MAX one byte at a
 * time, else in two pieces at cut. */
static void parse(const char *raw, size_t len, size_t cut, outcome_t *o)
{
    static char buf[CAP];
    ccat_http_response_t r;
    int rc;
    memset(buf, 0x5a, sizeof buf);
    ccat_http_response_init(&r, buf, sizeof buf);
    if (cut == SIZE_MAX) {
        size_t i;
        rc = CCAT_AGAIN;
        for (i = 0; i < len && rc == CCAT_AGAIN; i++) {
            rc = ccat_http_response_feed(&r, raw + i, 1);
        }
        if (rc == CCAT_OK && i < len) {
            rc = ccat_http_response_feed(&r, raw + i, len - i);
        }
    } else {
        rc = ccat_http_response_feed(&r, raw, cut);
        if (rc == CCAT_AGAIN || (rc == CCAT_OK && cut < len)) {
            rc = ccat_http_response_feed(&r, raw + cut, len - cut);
        }
    }
    if (rc == CCAT_AGAIN) {
        rc = ccat_http_response_eof(&r);
    }
    memset(o, 0, sizeof *o);
    o->rc = rc;
    if (rc != CCAT_OK) {
        return;
    }
    o->status = r.status;
    o->keep_alive = r.keep_alive;
    o->body_len = r.body_len;
    memcpy(o->body, r.body, r.body_len);
    keep(o->strings[0], r.request_id);
    keep(o->strings[1], r.error_type);
    keep(o->strings[2], r.date);
}

static int same(const outcome_t *a, const outcome_t *b)
{
    return a->rc == b->rc && a->status == b->status && a->keep_alive == b->keep_alive &&
           a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0 &&
           strcmp(a->strings[0], b->strings[0]) == 0 && strcmp(a->strings[1], b->strings[1]) == 0 &&
           strcmp(a->strings[2], b->strings[2]) == 0;
}

typedef struct fast_case {
    const char *name;
    const char *status_line; /* NULL: "HTTP/1.1 200 OK\r\n" then the padding */
    const char *lines;       /* header lines after the padding, blank line and body included */
    int rc;
    int status;              /* when rc is CCAT_OK */
    const char *request_id, *date; /* when rc is CCAT_OK ("-": none) */
    int keep_alive;
} fast_case_t;

/* One case at every padding: one piece, byte by byte and every two-piece
 * cut agree with each other and with what the case expects. */
static void check_case(const fast_case_t *c)
{
    static char raw[CAP];
    static outcome_t ref, got;
    size_t pad;
    int bad = 0;
    for (pad = 0; pad <= 40; pad++) {
        size_t n, cut;
        n = (size_t)snprintf(raw, sizeof raw, "%s", c->status_line ? c->status_line : "HTTP/1.1 200 OK\r\n");
        if (pad > 0) {
            /* "P:" + pad-3 bytes of value + CRLF = pad + 1 bytes (pad 1: none). */
            n += (size_t)snprintf(raw + n, sizeof raw - n, "P:%.*s\r\n", (int)(pad - 1),
                                  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ");
        }
        n += (size_t)snprintf(raw + n, sizeof raw - n, "%s", c->lines);
        parse(raw, n, SIZE_MAX, &ref);
        if (ref.rc != c->rc || (c->rc == CCAT_OK && (ref.status != c->status ||
                                                     strcmp(ref.strings[0], c->request_id) != 0 ||
                                                     strcmp(ref.strings[2], c->date) != 0 ||
                                                     ref.keep_alive != c->keep_alive))) {
            if (bad++ < 3) {
                fprintf(stderr, "%s, pad %zu: byte by byte: rc %d status %d id %s date %s keep %d\n",
                        c->name, pad, ref.rc, ref.status, ref.strings[0], ref.strings[2],
                        ref.keep_alive);
            }
        }
        for (cut = 0; cut < n; cut++) {
            parse(raw, n, cut, &got);
            if (!same(&got, &ref) && bad++ < 3) {
                fprintf(stderr, "%s, pad %zu, cut %zu: rc %d, byte by byte %d\n", c->name, pad, cut,
                        got.rc, ref.rc);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

#define KA "Connection: keep-alive\r\n"
#define REQ "x-amzn-RequestId: 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\r\n"
#define DATE "Date: Fri, 27 Nov 2026 18:51:53 GMT\r\n"
#define DATE_V "Fri, 27 Nov 2026 18:51:53 GMT"
#define REQ_V "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"

static void test_cases(void)
{
    static const fast_case_t cases[] = {
        {"reference-like", "HTTP/1.1 201 Created\r\n",
         DATE "Content-Type: application/json\r\nContent-Length: 4\r\n" KA REQ "\r\n{}{}", CCAT_OK,
         201, REQ_V, DATE_V, 1},
        {"upper and mixed case names", NULL,
         "DATE: d1\r\nCONTENT-TYPE: x\r\nCONTENT-LENGTH: 2\r\nCONNECTION: KEEP-ALIVE\r\n"
         "X-AMZN-REQUESTID: r1\r\n\r\nab",
         CCAT_OK, 200, "r1", "d1", 1},
        {"no space before values", NULL,
         "Date:d\r\nContent-Length:2\r\nConnection:keep-alive\r\nx-amzn-RequestId:r\r\n\r\nab",
         CCAT_OK, 200, "r", "d", 1},
        {"no space before longer values", NULL,
         "Date:ab\r\nContent-Length:12\r\nx-amzn-RequestId:cd\r\n\r\n0123456789ab", CCAT_OK, 200, "cd",
         "ab", 1},
        {"other byte after the colon", NULL,
         "Date:\xe9" "b\r\nContent-Length:\xe9" "1\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID, 0, "", "", 0},
        {"extra blanks", NULL,
         "Date:   d  \r\nContent-Length:  2 \r\nConnection:  keep-alive \r\nx-amzn-RequestId: \tr\t\r\n\r\nab",
         CCAT_OK, 200, "r", "d", 1},
        {"empty values", NULL, "Date:\r\nx-amzn-RequestId: \r\nContent-Length: 0\r\n\r\n", CCAT_OK, 200,
         "", "", 1},
        {"connection close", NULL, "Connection: close\r\nContent-Length: 0\r\n\r\n", CCAT_OK, 200, "-",
         "-", 0},
        {"connection list", NULL, "Connection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", CCAT_OK,
         200, "-", "-", 0},
        {"connection keep-alivex", NULL, "Connection: keep-alivex\r\nContent-Length: 0\r\n\r\n", CCAT_OK,
         200, "-", "-", 1},
        {"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\n", KA "Content-Length: 0\r\n\r\n", CCAT_OK, 200,
         "-", "-", 1},
        {"HTTP/1.0 close", "HTTP/1.0 200 OK\r\n", "Content-Length: 0\r\n\r\n", CCAT_OK, 200, "-", "-",
         0},
        {"status without reason", "HTTP/1.1 204\r\n", "Date: x\r\n\r\n", CCAT_OK, 204, "-", "x", 1},
        {"status 999 odd reason", "HTTP/1.1 999 \t\xe9\r\n", "Content-Length: 0\r\n\r\n", CCAT_OK, 999,
         "-", "-", 1},
        {"18-digit length", NULL, "Content-Length: 000000000000000001\r\n\r\nx", CCAT_OK, 200, "-", "-",
         1},
        {"19-digit length", NULL, "Content-Length: 0000000000000000001\r\n\r\nx", CCAT_OK, 200, "-",
         "-", 1},
        {"same length twice", NULL, "Content-Length: 1\r\nContent-Length: 01\r\n\r\nx", CCAT_OK, 200,
         "-", "-", 1},
        {"near names", NULL,
         "Content-Typ: x\r\nContent-Lengt: 1\r\nContent-Lengthy: 1\r\nConnectio: close\r\n"
         "Connections: close\r\nDates: x\r\nx-amzn-RequestIds: y\r\nx-amzn-Request: y\r\n"
         "x-amzn-RequestXd: y\r\nContent-: z\r\nContent-Length: 0\r\n\r\n",
         CCAT_OK, 200, "-", "-", 1},
        {"short lines", NULL, "A: b\r\nAbcdef:\r\nAbcdefg:\r\nAbcdefgh:\r\nContent-Length: 0\r\n\r\n",
         CCAT_OK, 200, "-", "-", 1},
        {"short date", NULL, "Date: x\r\nDate:\r\nDate: y\r\nContent-Length: 0\r\n\r\n", CCAT_OK, 200, "-",
         "y", 1},
        {"tab and obs-text values", NULL,
         "X-A: a\tb\r\nX-B: \xe9\xff\r\nDate: a\tb\r\nContent-Length: 0\r\n\r\n", CCAT_OK, 200, "-",
         "a\tb", 1},
        {"LF line ends", NULL, "Date: x\nContent-Length: 1\n\nz", CCAT_OK, 200, "-", "x", 1},
        {"interim then final", "HTTP/1.1 100 Continue\r\n",
         "x-amzn-RequestId: interim\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", CCAT_OK, 200,
         "-", "-", 1},
        {"chunked", NULL, "Transfer-Encoding: chunked\r\nx-amzn-RequestId: c\r\n\r\n2\r\nab\r\n0\r\n\r\n",
         CCAT_OK, 200, "c", "-", 1},
        /* Tabs the general loop steps over before the fast path takes the
         * rest of the line: they are trimmed all the same. */
        {"tabs around values", NULL,
         "Date:\tlong enough date value\t\r\nx-amzn-RequestId:\tsome-request-id-value\t\r\n"
         "Content-Length:\t0\t\r\nConnection:\tkeep-alive\t\r\n\r\n",
         CCAT_OK, 200, "some-request-id-value", "long enough date value", 1},
        /* A value that looks like the other header's (found by fuzzing). */
        {"connection of digits", NULL, "Connection: 5\r\nContent-Length: 0\r\n\r\n", CCAT_OK, 200, "-",
         "-", 1},
        {"length of keep-alive", NULL, "Content-Length: keep-alive\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_INVALID, 0, "", "", 0},
        {"length of KEEP-ALIVE", NULL, "CONTENT-LENGTH:KEEP-ALIVE\r\n\r\n", CCAT_ERR_HTTP_LENGTH_INVALID,
         0, "", "", 0},
        /* Framing of other statuses and connections, next to the 2xx
         * Content-Length keep-alive response the fast path frames itself. */
        {"404 with length", "HTTP/1.1 404 Not Found\r\n",
         "Content-Length: 2\r\nx-amzn-ErrorType: NotFound\r\n" REQ "\r\nab", CCAT_OK, 404, REQ_V, "-", 1},
        {"299 with length", "HTTP/1.1 299 X\r\n", "Content-Length: 1\r\n\r\nz", CCAT_OK, 299, "-", "-", 1},
        {"300 with length", "HTTP/1.1 300 X\r\n", "Content-Length: 1\r\n\r\nz", CCAT_OK, 300, "-", "-", 1},
        {"199 then 200", "HTTP/1.1 199 X\r\n", "Content-Length: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
         CCAT_OK, 200, "-", "-", 1},
        {"204 with length 0", "HTTP/1.1 204 No Content\r\n", "Content-Length: 0\r\n\r\n", CCAT_OK, 204, "-",
         "-", 1},
        {"304 with length", "HTTP/1.1 304 Not Modified\r\n", "Content-Length: 5\r\n\r\n", CCAT_OK, 304,
         "-", "-", 1},
        {"101 with length", "HTTP/1.1 101 Switching Protocols\r\n", KA "Content-Length: 0\r\n\r\n",
         CCAT_OK, 101, "-", "-", 0},
        {"close with length", NULL, "Connection: close\r\nContent-Length: 2\r\n\r\nab", CCAT_OK, 200, "-",
         "-", 0},
        {"keep-alive then close", NULL, KA "Connection: close\r\nContent-Length: 2\r\n\r\nab", CCAT_OK, 200,
         "-", "-", 0},
        {"length then chunked name", NULL, "Content-Length: 2\r\nContent-Lengthx: 3\r\n\r\nab", CCAT_OK, 200,
         "-", "-", 1},
        {"no length", NULL, KA DATE "\r\nabc", CCAT_OK, 200, "-", DATE_V, 0},
        {"date name variants", NULL, "Datex: a\r\nDate-: b\r\nDATE:\tc\r\nContent-Length: 0\r\n\r\n", CCAT_OK,
         200, "-", "c", 1},
        /* Errors. */
        {"204 with body", "HTTP/1.1 204 No Content\r\n", "Content-Length: 2\r\n\r\nab",
         CCAT_ERR_HTTP_EXCESS_DATA, 0, "", "", 0},
        {"length letters", NULL, "Content-Length: 1a\r\n\r\nx", CCAT_ERR_HTTP_LENGTH_INVALID, 0, "", "",
         0},
        {"length inner blank", NULL, "Content-Length: 1 1\r\n\r\nx", CCAT_ERR_HTTP_LENGTH_INVALID, 0, "",
         "", 0},
        {"length empty", NULL, "Content-Length: \r\n\r\nx", CCAT_ERR_HTTP_LENGTH_INVALID, 0, "", "", 0},
        {"length 2^64", NULL, "Content-Length: 18446744073709551616\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_INVALID, 0, "", "", 0},
        {"length conflict", NULL, "Content-Length: 1\r\nContent-Length: 2\r\n\r\nx",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, "", "", 0},
        {"length over buffer", NULL, "Content-Length: 999999\r\n\r\nx", CCAT_ERR_RESPONSE_TOO_LARGE, 0, "",
         "", 0},
        {"length and chunked", NULL, "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
         CCAT_ERR_HTTP_LENGTH_CONFLICT, 0, "", "", 0},
        {"blank before colon", NULL, "Content-Length : 1\r\n\r\nx", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"blank in name", NULL, "Content Length: 1\r\n\r\nx", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"blank in a date-like name", NULL, "Datex y: z\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"blank in a request-id-like name", NULL, "x-amzn-RequestIdx y: z\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0,
         "", "", 0},
        {"no colon", NULL, "Content-Length 1\r\n\r\nx", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        /* Short lines whose first word holds the CR: "Content" and CR reads
         * as "content-" once lower-cased. */
        {"short Content", NULL, "Content\r\nContent-Length: 0\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"short Date", NULL, "Date\r\nContent-Length: 0\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"short x-amzn-", NULL, "x-amzn-\r\nContent-Length: 0\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"short LF", NULL, "Conten\nContent-Length: 0\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"obs-fold", NULL, "Date: x\r\n folded\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"control in value", NULL, "Date: a\x01" "b\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"DEL in value", NULL, "x-amzn-RequestId: a\x7f\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"bare CR", NULL, "Date: a\rb\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"CR CR LF", NULL, "Date: ab\r\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"obs-text in name", NULL, "Dat\xe9: x\r\n\r\n", CCAT_ERR_HTTP_HEADER, 0, "", "", 0},
        {"coding gzip", NULL, "Transfer-Encoding: gzip\r\n\r\n", CCAT_ERR_HTTP_TRANSFER_CODING, 0, "",
         "", 0},
        {"status HTTP/1.10", "HTTP/1.10 200 OK\r\n", "\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, "", "", 0},
        {"status 099", "HTTP/1.1 099 OK\r\n", "\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, "", "", 0},
        {"status 2000", "HTTP/1.1 2000 OK\r\n", "\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, "", "", 0},
        {"status 20x", "HTTP/1.1 20x OK\r\n", "\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, "", "", 0},
        {"status HTTP/2.0", "HTTP/2.0 200 OK\r\n", "\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, "", "", 0},
        {"status is a header", "content-type: text/plain\r\n", "\r\n", CCAT_ERR_HTTP_STATUS_LINE, 0, "",
         "", 0},
        {"status is a date header", "Date: Fri, 27 Nov 2026 18:51:53 GMT\r\n", "\r\n",
         CCAT_ERR_HTTP_STATUS_LINE, 0, "", "", 0},
        {"excess after body", NULL, "Content-Length: 1\r\n\r\nxy", CCAT_ERR_HTTP_EXCESS_DATA, 0, "", "",
         0},
        {"truncated head", NULL, "Date: x\r\nContent-Length: 1\r\n", CCAT_ERR_CLOSED, 0, "", "", 0},
        {"truncated at CR", NULL, "Date: x\r\nContent-Length: 1\r\n\r", CCAT_ERR_CLOSED, 0, "", "", 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_case(&cases[i]);
    }
}

/* A head that ends exactly at the end of the data, its last CR in the last
 * byte: the fast path leaves the line to the next call. */
static void test_cr_last(void)
{
    static char buf[CAP];
    ccat_http_response_t r;
    static const char head[] = "HTTP/1.1 200 OK\r\nDate: a fairly long date value\r\nContent-Length: 2\r";
    ccat_http_response_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ccat_http_response_feed(&r, head, sizeof head - 1), CCAT_AGAIN);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "\n\r", 2), CCAT_AGAIN);
    CHECK_EQ_INT(ccat_http_response_feed(&r, "\nok", 3), CCAT_OK);
    CHECK_EQ_INT(r.body_len, 2);
    CHECK(r.date != NULL && strcmp(r.date, "a fairly long date value") == 0);
}

/* A Content-Length body that fills the buffer to the last byte, and one
 * byte more, in every delivery: the fast path checks the room itself. */
static void test_length_at_capacity(void)
{
    static char raw[CAP + 1];
    static outcome_t ref, got;
    size_t extra;
    for (extra = 0; extra <= 1; extra++) {
        int head = snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: %4d\r\n\r\n", 0);
        size_t body = CAP - (size_t)head + extra, n = (size_t)head + body, cut;
        int bad = 0;
        snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: %4d\r\n\r\n", (int)body);
        memset(raw + head, 'b', body);
        parse(raw, n, 0, &ref);
        CHECK_EQ_INT(ref.rc, extra ? CCAT_ERR_RESPONSE_TOO_LARGE : CCAT_OK);
        CHECK_EQ_INT(ref.body_len, extra ? 0 : body);
        for (cut = 1; cut <= n; cut += cut < 300 ? 1 : 97) {
            parse(raw, n, cut == n ? SIZE_MAX : cut, &got);
            bad += !same(&got, &ref);
        }
        CHECK_EQ_INT(bad, 0);
    }
}

int main(void)
{
    test_cases();
    test_length_at_capacity();
    test_cr_last();
    return test_summary("http_fast");
}
