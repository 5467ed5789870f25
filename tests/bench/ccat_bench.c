/*
 * ccat-bench: replay the reference exchange of the bench README N times.
 *
 *   ccat-bench --exchanges N [--buffer BYTES]
 *
 * One client, one kept-alive connection over an in-memory transport that
 * stands in for TLS: send() accepts the request, recv() hands out the bytes
 * of tests/data/create-response.http (embedded at configure time). Every
 * exchange goes through the public blocking client ccat_create_access_token()
 * and every field is checked, so the figure measured under callgrind is the
 * cost of a correct exchange. Exit status: 0 all exchanges correct, 1 any
 * mismatch, 2 bad usage. Secrets are never printed, only field names.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat.h"
#include "create_response.h" /* generated: ccat_bench_response[] */

/* The reference exchange (bench README): parameters of the request ... */
#define BENCH_TOKEN "eyJraWQiOiJrZXktMSIsImFsZyI6IkVTMjU2In0.payload.sig"
#define BENCH_NAME "device-42"
#define BENCH_EXPIRES_TEXT "2027-11-27T18:51:53Z"
#define BENCH_EXPIRES_US (INT64_C(1827341513) * 1000000) /* that instant */
/* ... and what create-response.http carries. */
#define BENCH_SECRET "ccpat_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMn"
#define BENCH_TOKEN_ID "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
#define BENCH_REQUEST_ID "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"

/** In-memory connection: a request goes in, the canned response comes out. */
typedef struct mem_conn {
    size_t pos;         /* next response byte to hand out; == size: none pending */
    size_t requests;    /* requests begun (first send after a full response) */
    size_t sent;        /* request bytes accepted, all exchanges */
    unsigned connects;  /* connect() calls that opened the connection */
    unsigned closes;    /* close() calls */
    char *capture;      /* while non-NULL: copy of the first request */
    size_t capture_len;
    size_t capture_cap;
    uint32_t clock_ms;  /* fake monotonic clock: advances on every look */
} mem_conn_t;

static int32_t mem_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    mem_conn_t *m = ctx;
    (void)timeout_ms;
    if (strcmp(host, "codecatalyst.global.api.aws") != 0 || port != 443)
        return CCAT_TRANSPORT_ERR_CONNECT;
    m->connects++;
    return 1;
}

static int32_t mem_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    mem_conn_t *m = ctx;
    (void)timeout_ms;
    if (len > INT32_MAX)
        len = INT32_MAX;
    if (m->pos == sizeof ccat_bench_response) { /* a new request: queue the answer */
        m->pos = 0;
        m->requests++;
    }
    if (m->capture) {
        if (len > m->capture_cap - m->capture_len)
            return CCAT_TRANSPORT_ERR_IO;
        memcpy(m->capture + m->capture_len, data, len);
        m->capture_len += len;
    }
    m->sent += len;
    return (int32_t)len;
}

static int32_t mem_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    mem_conn_t *m = ctx;
    size_t n = sizeof ccat_bench_response - m->pos;
    (void)timeout_ms;
    if (n == 0)
        return 0; /* nothing pending: as a socket whose read timed out */
    if (n > len)
        n = len;
    if (n > INT32_MAX)
        n = INT32_MAX;
    memcpy(buf, ccat_bench_response + m->pos, n);
    m->pos += n;
    return (int32_t)n;
}

static void mem_close(void *ctx) {
    mem_conn_t *m = ctx;
    m->closes++;
}

static uint32_t mem_now_ms(void *ctx) {
    mem_conn_t *m = ctx;
    return m->clock_ms++;
}

/* Report a mismatch by field name only (never a value: it may be a secret). */
static int fail(size_t exchange, const char *what) {
    fprintf(stderr, "ccat-bench: exchange %zu: %s does not match the reference\n", exchange, what);
    return 0;
}

static int contains(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* The request of the first exchange carries what the reference says. */
static int check_request(const char *req, size_t n) {
    static const char *const parts[] = {
        "\r\nHost: codecatalyst.global.api.aws\r\n",
        "\r\nAuthorization: Bearer " BENCH_TOKEN "\r\n",
        "\"name\":\"" BENCH_NAME "\"",
        "\"expiresTime\":\"" BENCH_EXPIRES_TEXT "\"",
        "\r\n\r\n{",
    };
    int ok = 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (!contains(req, n, parts[i]))
            ok = fail(1, i == 1 ? "request Authorization header" : "request text");
    return ok;
}

/* Every field of one exchange; returns 1 when all match. */
static int check_exchange(size_t i, ccat_status_t st, const ccat_client_t *c,
                          const ccat_access_token_t *tok) {
    int ok = 1;
    if (st != CCAT_OK) {
        fprintf(stderr, "ccat-bench: exchange %zu: %s\n", i, ccat_status_name(st));
        return 0;
    }
    if (c->resp.status != 201)
        ok = fail(i, "HTTP status");
    if (!tok->secret || tok->secret_len != sizeof BENCH_SECRET - 1 ||
        memcmp(tok->secret, BENCH_SECRET, sizeof BENCH_SECRET) != 0)
        ok = fail(i, "secret");
    if (!tok->name || strcmp(tok->name, BENCH_NAME) != 0)
        ok = fail(i, "name");
    if (!tok->access_token_id || strcmp(tok->access_token_id, BENCH_TOKEN_ID) != 0)
        ok = fail(i, "accessTokenId");
    if (tok->expires_time != BENCH_EXPIRES_US)
        ok = fail(i, "expiresTime");
    if (!c->resp.request_id || strcmp(c->resp.request_id, BENCH_REQUEST_ID) != 0)
        ok = fail(i, "x-amzn-RequestId");
    return ok;
}

static int usage(void) {
    fprintf(stderr, "usage: ccat-bench --exchanges N [--buffer BYTES]\n");
    return 2;
}

static int parse_count(const char *s, unsigned long *out) {
    char *end;
    if (!s || *s < '0' || *s > '9')
        return 0;
    *out = strtoul(s, &end, 10);
    return *end == '\0' && *out > 0;
}

int main(int argc, char **argv) {
    unsigned long exchanges = 0, bufsize = 2048;
    for (int a = 1; a < argc; a += 2) {
        if (strcmp(argv[a], "--exchanges") == 0) {
            if (a + 1 >= argc || !parse_count(argv[a + 1], &exchanges))
                return usage();
        } else if (strcmp(argv[a], "--buffer") == 0) {
            if (a + 1 >= argc || !parse_count(argv[a + 1], &bufsize))
                return usage();
        } else {
            return usage();
        }
    }
    if (exchanges == 0)
        return usage();

    char *buffer = malloc(bufsize);
    char capture[2048];
    mem_conn_t conn = {.pos = sizeof ccat_bench_response, .capture = capture,
                       .capture_cap = sizeof capture};
    const ccat_transport_t transport = {mem_connect, mem_send, mem_recv, mem_close, &conn};
    const ccat_platform_t platform = {.now_ms = mem_now_ms, .ctx = &conn};
    const ccat_client_config_t cfg = {
        .endpoint_url = "https://codecatalyst.global.api.aws",
        .bearer_token = BENCH_TOKEN,
        .buffer = buffer,
        .buffer_size = bufsize,
        .transport = &transport,
        .platform_hooks = &platform,
    };
    ccat_time_t expires;
    if (!buffer || ccat_time_parse(BENCH_EXPIRES_TEXT, sizeof BENCH_EXPIRES_TEXT - 1, &expires) != CCAT_OK ||
        expires != BENCH_EXPIRES_US) {
        fprintf(stderr, "ccat-bench: set-up failed (memory or ccat_time_parse)\n");
        return 1;
    }
    const ccat_create_params_t params = {.name = BENCH_NAME, .expires_time = expires,
                                         .has_expires_time = 1};
    ccat_client_t client;
    ccat_status_t st = ccat_client_init(&client, &cfg);
    if (st != CCAT_OK) {
        fprintf(stderr, "ccat-bench: ccat_client_init: %s\n", ccat_status_name(st));
        return 1;
    }

    int ok = 1;
    size_t request_len = 0;
    for (unsigned long i = 1; i <= exchanges && ok; i++) {
        ccat_access_token_t tok;
        size_t sent_before = conn.sent;
        st = ccat_create_access_token(&client, &params, &tok);
        ok = check_exchange(i, st, &client, &tok);
        if (i == 1) { /* inspect the first request, then stop copying */
            request_len = conn.capture_len;
            ok = ok && check_request(capture, conn.capture_len);
            conn.capture = NULL;
        } else if (conn.sent - sent_before != request_len) {
            ok = fail(i, "request length");
        }
        if (conn.requests != i || conn.pos != sizeof ccat_bench_response)
            ok = fail(i, "request/response count");
    }
    if (ok && (conn.connects != 1 || conn.closes != 0))
        ok = fail(exchanges, "keep-alive (one connection for all exchanges)");
    ccat_client_wipe(&client);
    free(buffer);
    if (!ok)
        return 1;
    printf("ccat-bench: %lu exchanges OK (request %zu bytes, response %zu bytes, "
           "buffer %lu bytes, %u connection)\n",
           exchanges, request_len, sizeof ccat_bench_response, bufsize, conn.connects);
    return 0;
}
