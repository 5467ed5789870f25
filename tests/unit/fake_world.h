/*
 * A fake world for the blocking client's tests: a fake clock and a scripted
 * in-memory server that answers each complete request with the next of its
 * answers, records what was sent, and injects a fault or a stall at a chosen
 * transport call. Static definitions, as in test.h: one test file includes it.
 */
#ifndef CCAT_TEST_FAKE_WORLD_H
#define CCAT_TEST_FAKE_WORLD_H

#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat.h"
#include "test.h"

#define TOKEN "bearer-TOKENVALUE-123"

enum fault { F_NONE, F_ERROR, F_STALL };

/* The fake world: a clock, and a server that answers each request from a script. */
typedef struct {
    uint32_t now;
    uint32_t sleeps[16];
    int nsleeps;
    const char *answers[16]; /* one per request; NULL: reuse the last */
    int nanswers, served;
    const char *out;          /* what is being sent back */
    size_t out_len, out_pos;
    int open, connects, closes, requests, calls;
    int hangup;               /* the server drops the idle connection */
    int fault_call;           /* inject at this transport call (1-based), 0: never */
    enum fault fault;
    int32_t fault_error;
    size_t piece;             /* recv at most this many bytes at a time */
    char sent[4096];
    size_t sent_len;
    char last[4096];          /* the last complete request */
    size_t last_len;
} world_t;

static world_t W;

/*
 * Every transport call starts here: the clock ticks, the scripted fault
 * (if this is its call) is returned, else ERR_IO when @p need_open and the
 * connection is not open, else 1 (go on).
 */
static int32_t inject(int need_open)
{
    W.calls++;
    W.now += 1;
    if (W.fault_call != 0 && W.calls == W.fault_call) {
        if (W.fault == F_ERROR) {
            return W.fault_error;
        }
        if (W.fault == F_STALL) {
            W.fault_call++; /* stall on every following call too */
            W.now += 1000;
            return 0;
        }
    }
    return need_open && !W.open ? CCAT_TRANSPORT_ERR_IO : 1;
}

static int32_t t_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    int32_t r = inject(0);
    if (r <= 0) {
        return r;
    }
    CHECK_EQ_STR(host, "api.test");
    CHECK_EQ_INT(port, 8443);
    W.open = 1;
    W.connects++;
    W.sent_len = 0;
    return 1;
}

static int32_t t_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    int32_t r = inject(1);
    if (r <= 0) {
        return r;
    }
    size_t n = len > 100 ? 100 : len; /* partial sends */
    if (W.sent_len + n < sizeof(W.sent)) {
        memcpy(W.sent + W.sent_len, data, n);
        W.sent_len += n;
    }
    const char *end = memmem(W.sent, W.sent_len, "\r\n\r\n", 4);
    if (end != NULL) {
        const char *cl = memmem(W.sent, W.sent_len, "Content-Length: ", 16);
        size_t need = (size_t)(end + 4 - W.sent) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
        if (W.sent_len >= need) { /* a whole request arrived: queue the answer */
            W.requests++;
            memcpy(W.last, W.sent, need);
            W.last_len = need;
            int i = W.served < W.nanswers ? W.served : W.nanswers - 1;
            W.served++;
            W.out = W.answers[i];
            W.out_len = strlen(W.out);
            W.out_pos = 0;
            W.sent_len = 0;
        }
    }
    return (int32_t)n;
}

static int32_t t_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    int32_t r = inject(1);
    if (r <= 0) {
        return r;
    }
    if (W.hangup) {
        W.hangup = 0;
        W.open = 0;
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    if (W.out == NULL || W.out_pos == W.out_len) {
        if (W.out != NULL && strstr(W.out, "Connection: close") != NULL) {
            return CCAT_TRANSPORT_ERR_CLOSED;
        }
        W.now += 1000; /* silence */
        return 0;
    }
    size_t n = W.out_len - W.out_pos;
    n = n < len ? n : len;
    n = n < W.piece ? n : W.piece;
    memcpy(buf, W.out + W.out_pos, n);
    W.out_pos += n;
    return (int32_t)n;
}

static void t_close(void *ctx)
{
    (void)ctx;
    W.open = 0;
    W.closes++;
    W.out = NULL;
}

static uint32_t p_now(void *ctx)
{
    (void)ctx;
    return W.now;
}

static void p_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    if (W.nsleeps < 16) {
        W.sleeps[W.nsleeps++] = ms;
    }
    W.now += ms;
}

static uint32_t p_random(void *ctx)
{
    (void)ctx;
    return 0xffffffffu; /* the top of the jitter range */
}

static const ccat_transport_t transport = {t_connect, t_send, t_recv, t_close, NULL};
static const ccat_platform_t platform = {p_now, p_sleep, p_random, NULL, NULL};
static char buffer[4096];

#define R503 "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
#define R400_THROTTLE                                                               \
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 37\r\n\r\n{\"__type\":\"TooManyRequestsException\"}"
#define R400_VALIDATION                                                             \
    "HTTP/1.1 400 Bad Request\r\nx-amzn-ErrorType: ValidationException\r\n"       \
    "Content-Length: 16\r\n\r\n{\"message\":\"no\"}"

static void setup(ccat_client_t *c, uint8_t max_attempts, const char *a0, const char *a1,
                  const char *a2)
{
    memset(&W, 0, sizeof(W));
    W.now = 0xfffff000u; /* the clock wraps during the test */
    W.piece = 7;
    W.answers[0] = a0, W.answers[1] = a1, W.answers[2] = a2;
    W.nanswers = a2 ? 3 : a1 ? 2 : 1;
    ccat_client_config_t cfg = {0};
    cfg.endpoint_url = "https://api.test:8443";
    cfg.bearer_token = TOKEN;
    cfg.platform = "test/1";
    cfg.buffer = buffer;
    cfg.buffer_size = sizeof(buffer);
    cfg.transport = &transport;
    cfg.platform_hooks = &platform;
    cfg.connect_timeout_ms = 5000;
    cfg.read_timeout_ms = 3000;
    cfg.max_attempts = max_attempts;
    CHECK_EQ_INT(ccat_client_init(c, &cfg), CCAT_OK);
}

#endif /* CCAT_TEST_FAKE_WORLD_H */
